"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

`running_smtp()` starts one on a free port of 127.0.0.1; tests point `SmtpMailer` (or the
app's MAIL_SERVER/MAIL_PORT) at it and read `inbox.messages`. Setting `inbox.refuse` makes the
server answer DATA with that reply instead of accepting, like a server under load.
"""

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

TRY_LATER = "451 4.3.0 Try again later"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class Inbox:
    """The aiosmtpd handler: accepts (or refuses) and records what was accepted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Received] = []
        self.refuse: str | None = None
        self.refused = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            with self._lock:
                self.refused += 1
            return self.refuse
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self._messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted for delivery"

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._messages)

    def message_ids(self) -> Counter:
        return Counter(received.message_id for received in self.messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


class _LoopbackController(Controller):
    """Binds port 0 and learns the port the kernel chose before the readiness probe."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@contextmanager
def running_smtp() -> Iterator[SmtpServer]:
    inbox = Inbox()
    controller = _LoopbackController(inbox, hostname="127.0.0.1", port=0, ready_timeout=10)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, inbox)
    finally:
        controller.stop()


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused, like a mail server down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
