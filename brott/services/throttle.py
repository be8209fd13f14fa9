"""Throttling of login attempts, per account and per client address, across every worker.

A refused login (an unknown account, a wrong password, a deactivated account, a wrong
second-factor code) counts against two keys: "account:<normalised e-mail>" and
"ip:<client address>". Once either key has as many failures within the window as its limit
allows, further attempts are refused without looking at the password until the window has
passed; the caller is told when that is. A successful login clears the account's count.

The counts live where every worker process sees them, without a service of their own: rows of
`login_failure` in the database (a sliding window; rows older than the window are pruned as new
ones arrive), or, when `REDIS_URL` is configured, Redis counters (INCR + EXPIRE; the window
starts at the first failure). Both read the time from the caller, so tests move the clock.

The client address is `request.remote_addr`. Behind a reverse proxy that is the proxy's
address, and every client would share one limit, unless PROXY_HOPS says how many proxies set
X-Forwarded-For (werkzeug's ProxyFix then gives the client's address).

`take` is a check and a count in one step for limits that count every attempt (the report
forms, services/rate_limit): on PostgreSQL the key is locked for the transaction, in Redis for
the step, so writers at once cannot all slip under the limit.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import redis
from flask import current_app
from sqlalchemy import delete, func, select

from brott.extensions import db
from brott.models import LoginFailure
from brott.services.users import normalise_email

KEY_LENGTH = 300  # the length of login_failure.key
PRUNE_AFTER = timedelta(days=1)  # no kind of key counts further back than this


@dataclass(frozen=True)
class Limits:
    """How many failures each kind of key may have within the window."""

    per_account: int
    per_address: int
    window: timedelta


def limits() -> Limits:
    """The configured limits (LOGIN_FAILURES_PER_ACCOUNT, …_PER_ADDRESS, …_WINDOW_MINUTES)."""
    config = current_app.config
    return Limits(
        per_account=int(config["LOGIN_FAILURES_PER_ACCOUNT"]),
        per_address=int(config["LOGIN_FAILURES_PER_ADDRESS"]),
        window=timedelta(minutes=int(config["LOGIN_FAILURE_WINDOW_MINUTES"])),
    )


def account_key(email: str) -> str:
    return f"account:{normalise_email(email)}"[:KEY_LENGTH]


def address_key(address: str | None) -> str:
    return f"ip:{address or 'unknown'}"[:KEY_LENGTH]


class Counter(Protocol):
    """Where failures are counted."""

    def retry_at(self, key: str, limit: int, now: datetime, window: timedelta) -> datetime | None:
        """When `key` may try again, or None if it has fewer than `limit` failures."""

    def add(self, keys: list[str], now: datetime, window: timedelta) -> None:
        """Count one failure against each of `keys`."""

    def clear(self, key: str) -> None:
        """Forget the failures of `key`."""

    def take(self, key: str, limit: int, now: datetime, window: timedelta) -> datetime | None:
        """Count one against `key` if it is under `limit` (None), else when it may again."""


class DatabaseCounter:
    """Failures as rows of `login_failure`: every process on the database shares them."""

    def retry_at(self, key: str, limit: int, now: datetime, window: timedelta) -> datetime | None:
        # the limit-th most recent failure in the window: when it leaves, one more may try
        stmt = (
            db.select(LoginFailure.at)
            .where(LoginFailure.key == key, LoginFailure.at > now - window)
            .order_by(LoginFailure.at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        oldest_counted = db.session.scalar(stmt)
        if oldest_counted is None:
            return None
        return oldest_counted + window

    def add(self, keys: list[str], now: datetime, window: timedelta) -> None:
        # prune what no window needs any more: these keys' old rows, and anything a day old
        # (the other kinds of key, e.g. services/rate_limit's, have windows of their own)
        db.session.execute(
            delete(LoginFailure).where(
                ((LoginFailure.key.in_(keys)) & (LoginFailure.at <= now - window))
                | (LoginFailure.at <= now - max(window, PRUNE_AFTER))
            )
        )
        db.session.add_all(LoginFailure(key=key, at=now) for key in keys)
        db.session.flush()

    def clear(self, key: str) -> None:
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == key))

    def take(self, key: str, limit: int, now: datetime, window: timedelta) -> datetime | None:
        if db.session.get_bind().dialect.name == "postgresql":
            # held until the caller's commit or rollback: the next taker of this key waits
            db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
        # (SQLite has one writer at a time: a second taker's count waits for the first's)
        wait = self.retry_at(key, limit, now, window)
        if wait is None:
            self.add([key], now, window)
        return wait


class RedisCounter:
    """Failures as Redis counters: `<prefix>login-failures:<key>` counts and expires with the
    window; a companion `…:since` holds when the window began, so the given time decides
    (tests move the clock; Redis's own expiry only tidies up)."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = f"{prefix}login-failures:"

    def _names(self, key: str) -> tuple[str, str]:
        return self.prefix + key, self.prefix + key + ":since"

    def _window_start(self, key: str, now: datetime, window: timedelta) -> tuple[int, float]:
        count_name, since_name = self._names(key)
        count, since = self.client.mget([count_name, since_name])
        if count is None:
            return 0, now.timestamp()
        began = float(since) if since is not None else now.timestamp()
        if now.timestamp() >= began + window.total_seconds():
            return 0, now.timestamp()  # the window has passed by the given clock
        return int(count), began

    def retry_at(self, key: str, limit: int, now: datetime, window: timedelta) -> datetime | None:
        count, began = self._window_start(key, now, window)
        if count < limit:
            return None
        return datetime.fromtimestamp(began, UTC) + window

    def add(self, keys: list[str], now: datetime, window: timedelta) -> None:
        seconds = max(1, int(window.total_seconds()))
        for key in keys:
            count_name, since_name = self._names(key)
            if self._window_start(key, now, window)[0] == 0:
                self.client.delete(count_name, since_name)  # a new window begins now
            pipe = self.client.pipeline(transaction=True)
            pipe.set(since_name, repr(now.timestamp()), nx=True, ex=seconds)
            pipe.incr(count_name)
            pipe.expire(count_name, seconds, nx=True)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(*self._names(key))

    def take(self, key: str, limit: int, now: datetime, window: timedelta) -> datetime | None:
        with self.client.lock(self.prefix + key + ":lock", timeout=5, blocking_timeout=5):
            wait = self.retry_at(key, limit, now, window)
            if wait is None:
                self.add([key], now, window)
            return wait


def counter() -> Counter:
    """Redis when REDIS_URL is configured, else the database."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseCounter()
    client = current_app.extensions.get("brott.redis")
    if client is None:
        client = current_app.extensions["brott.redis"] = redis.Redis.from_url(url)
    return RedisCounter(client, current_app.config["REDIS_KEY_PREFIX"])


def retry_at(email: str, address: str | None, now: datetime) -> datetime | None:
    """When a login for `email` from `address` may be tried again; None: it may now."""
    found, store = limits(), counter()
    waits = [
        store.retry_at(account_key(email), found.per_account, now, found.window),
        store.retry_at(address_key(address), found.per_address, now, found.window),
    ]
    return max((wait for wait in waits if wait is not None), default=None)


def record_failure(email: str, address: str | None, now: datetime) -> None:
    """Count one refused login against the account and the address."""
    counter().add([account_key(email), address_key(address)], now, limits().window)


def clear_account(email: str) -> None:
    """Forget the account's failures (after a successful login); the address's stay."""
    counter().clear(account_key(email))
