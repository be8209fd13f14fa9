"""Which e-mails a person receives: the ones the council requires, and the ones they chose.

Required (always sent): what changes something already agreed with the person — an action
that is now theirs, a meeting they take part in that is moved or cancelled. Missing one of
these means work left undone or a trip to a meeting that is not there.

Optional (on until switched off in the profile): what helps them remember or tells them of
something they can also find in the app — being invited to a meeting series, the reminders
before each meeting, the daily digest.

The choice is read when a message is sent, not when it is written, so it holds for the
reminders planned weeks ahead too, and switching an e-mail on again brings back the ones
still to come. An e-mail that is switched off still leaves its in-app notice (see
`outbox.drop_if_unwanted`): the app keeps telling, only the inbox is spared.

A preference is named after the outbox kind of its messages.
"""

from collections.abc import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brott.errors import DomainError
from brott.extensions import db
from brott.models import User

# outbox kinds; the reminder's and the digest's are defined by their services too
ACTION_ASSIGNED = "action_assigned"
MEETING_MOVED = "meeting_moved"
MEETING_CANCELLED = "meeting_cancelled"
SERIES_INVITATION = "series_invitation"
MEETING_REMINDER = "meeting_reminder"
DAILY_DIGEST = "daily_digest"

REQUIRED = {
    ACTION_ASSIGNED: _l("When an action is assigned to you"),
    MEETING_MOVED: _l("When a meeting you take part in is moved"),
    MEETING_CANCELLED: _l("When a meeting you take part in is cancelled"),
}
OPTIONAL = {
    SERIES_INVITATION: _l("When you are invited to a meeting series"),
    MEETING_REMINDER: _l("Reminders before the EST meetings you take part in"),
    DAILY_DIGEST: _l("The daily digest of your actions and measures that need attention"),
}


def wants_email(preferences: Mapping[str, bool] | None, kind: str) -> bool:
    """Whether a message of `kind` goes out by e-mail to a person with these preferences:
    always for a kind that cannot be switched off, else unless they switched it off."""
    if kind not in OPTIONAL:
        return True
    return (preferences or {}).get(kind, True) is not False


def chosen(user: User) -> list[str]:
    """The optional e-mails the user receives, in the order they are offered."""
    return [kind for kind in OPTIONAL if wants_email(user.email_preferences, kind)]


def set_chosen(user: User, kinds: Iterable[str]) -> None:
    """Receive the optional e-mails named in `kinds` and none of the others."""
    wanted = set(kinds)
    unknown = wanted - set(OPTIONAL)
    if unknown:
        raise DomainError(_("Choose among the e-mails offered."), field="emails")
    # a new dict, so the JSON column sees the change
    user.email_preferences = {kind: kind in wanted for kind in OPTIONAL}
    db.session.flush()
