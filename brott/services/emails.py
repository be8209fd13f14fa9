"""The e-mails the app writes: a text and an HTML part rendered from `templates/email/`, in
the recipient's language."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template

from brott import i18n


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def compose(name: str, locale: str | None, subject: Callable[[], str], **context: Any) -> Email:
    """Render `email/<name>.txt` and `.html` with `context` in `locale` (Swedish when it is
    not a language the app speaks); `subject` is called in that language too."""
    with i18n.language(locale):
        title = str(subject())
        return Email(
            subject=title,
            text=render_template(f"email/{name}.txt", subject=title, **context),
            html=render_template(f"email/{name}.html", subject=title, **context),
        )
