"""Sending e-mail: over SMTP when configured, else as .eml files in instance/outbox/."""

import re
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from flask import Flask

from brott import clock
from brott.models import OutboxMessage

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CALENDAR_METHOD = re.compile(r"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 20,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


class FileMailer:
    """Writes each message to a file; the embedded default, so `make run` shows mail."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_").replace("@", "_at_")
        (self.directory / f"{name}.eml").write_bytes(bytes(message))


def mailer_for(app: Flask) -> Mailer:
    """The configured mailer: SMTP when MAIL_SERVER is set, else .eml files."""
    host = app.config.get("MAIL_SERVER")
    if host:
        return SmtpMailer(
            host,
            int(app.config.get("MAIL_PORT", 25)),
            app.config.get("MAIL_USERNAME", ""),
            app.config.get("MAIL_PASSWORD", ""),
            bool(app.config.get("MAIL_USE_TLS", False)),
        )
    return FileMailer(Path(app.instance_path) / "outbox")


def one_line(text: str) -> str:
    """A header value on one line: a title stored with a line break (or another control
    character) must neither be refused by the e-mail library nor start a header of its own."""
    return " ".join(CONTROL.sub(" ", text).split())


def build_message(row: OutboxMessage, sender: str, sent_at: datetime | None = None) -> EmailMessage:
    """The e-mail for an outbox row; its Message-ID is the row's deterministic id and its Date
    the moment it is handed to the mail server (not when it fell due, which may be hours or,
    after downtime, days earlier and would sort it out of sight in a mail client)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient_email
    message["Subject"] = one_line(row.subject)
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(sent_at or clock.now())
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    if row.ics:
        attach_calendar(message, row.ics)
    return message


def attach_calendar(message: EmailMessage, ics: str) -> None:
    """Send a calendar entry along twice over: as a text/calendar alternative carrying its
    METHOD (RFC 6047), which calendar clients act on (update or remove the event), and as an
    invite.ics attachment for the clients that only show files."""
    found = CALENDAR_METHOD.search(ics)
    params = {"method": found.group(1).upper()} if found else {}
    message.add_alternative(ics, subtype="calendar", params=params)
    message.add_attachment(
        ics.encode(), maintype="application", subtype="ics", filename="invite.ics"
    )
