"""The personal-data guard: finds data about identifiable persons in free text.

Municipality and police may share information about places, times and patterns for the
situation picture; personal data about identifiable persons is tightly restricted (the public
access and secrecy act, GDPR). Free-text fields are therefore checked before they are saved,
and text that contains any of the following is refused with a message that names and quotes
what was found:

- personal identity numbers (personnummer): YYMMDD-NNNN, YYMMDDNNNN, YYYYMMDD-NNNN and
  YYYYMMDDNNNN, with "-", "+" (people over 100), an en dash, a space or a spaced dash as
  separator or none at all, and with the date's parts spaced ("81 12 18-9876") too.
  A number counts only when its date part is a real calendar date and the Luhn check over the
  ten-digit form passes, so dates, case numbers and order numbers are not mistaken for one;
- coordination numbers (samordningsnummer): the same, with 60 added to the day (61–91);
- Swedish phone numbers: national (070-123 45 67, 0701234567, 08-123 456 78, 0243-123 45,
  (08) 123 456 78, 070.123.45.67, 070/123 45 67, 070–123 45 67) and international
  (+46 70 123 45 67, +46701234567, 0046 70 123 45 67) spellings with 9–10 digits in the
  national form;
- e-mail addresses, also written around spam filters: namn(at)exempel.se,
  namn [at] exempel [punkt] se.

Detection is deliberately conservative, because a false alarm stops a user from saving a
legitimate note: a match never starts or ends inside a longer run of digits, nor next to a
digit joined by "-", "–", "/", "." or ":", so dates, times, date spans, years, police case
numbers (5000-K123456-24), diary numbers, postal codes, sums and coordinates pass.

The check takes time in proportion to the text's length (a benchmark in bench/ measures it).

Names, and descriptions that single out a person, cannot be detected reliably; the forms
remind writers to describe places, times and patterns instead of persons.

The error message quotes what was found so the user can find it; it is meant for the user's
own form and must not be logged.
"""

import bisect
import calendar
import re
from dataclasses import dataclass
from enum import StrEnum

from babel.lists import format_list
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from brott.errors import DomainError

MAX_LISTED = 5


class FindingKind(StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Finding:
    """Something in a text that looks like personal data: `text[start:end] == excerpt`."""

    kind: FindingKind
    start: int
    end: int
    excerpt: str


# a finding inside a list of several: "ett personnummer ”…”"
LABELS = {
    FindingKind.PERSONNUMMER: _l("a personal identity number"),
    FindingKind.SAMORDNINGSNUMMER: _l("a coordination number"),
    FindingKind.PHONE: _l("a phone number"),
    FindingKind.EMAIL: _l("an email address"),
}

# a single finding: one whole sentence per kind, so each language can word it its own way
SINGLE = {
    FindingKind.PERSONNUMMER: _l(
        "The text contains something that looks like a personal identity number: “%(excerpt)s”."
    ),
    FindingKind.SAMORDNINGSNUMMER: _l(
        "The text contains something that looks like a coordination number: “%(excerpt)s”."
    ),
    FindingKind.PHONE: _l(
        "The text contains something that looks like a phone number: “%(excerpt)s”."
    ),
    FindingKind.EMAIL: _l(
        "The text contains something that looks like an email address: “%(excerpt)s”."
    ),
}

ADVICE = _l("Describe places, times and patterns – not individual persons.")

# Joiners that make a neighbouring digit run part of the same token: "2024-05-12",
# "22:00–02:00", "KS 2024/123", "60.4858". Commas are left out on purpose: a decimal comma
# with ten decimals is far rarer than a list of numbers written without spaces.
_JOINERS = r"\-\u2013/.:"
_SPACE = r"[ \u00a0]"

# hyphen, en dash, minus sign: what people and word processors put between date and serial
_DASHES = "-\u2013\u2212"

_IDENTITY_NUMBER = re.compile(
    rf"(?<!\d)(?<!\d[{_JOINERS}+])"
    rf"(?P<century>\d{{2}})?(?P<date>\d{{6}}|\d{{2}}{_SPACE}\d{{2}}{_SPACE}\d{{2}})"
    rf"(?:{_SPACE}?[{_DASHES}+]{_SPACE}?|{_SPACE})?"
    r"(?P<serial>\d{4})"
    rf"(?!\d)(?![{_JOINERS}+]\d)"
)

# A run of digit groups, optionally after a country code; which part of it, if any, is a
# phone number is decided by `_phones_in`.
# Between the digit groups of a phone number: a space, or a dash, dot or slash (spaced or
# not); the first group may stand in parentheses: "(08) 123 456 78".
_PHONE_SEPARATOR = rf"(?:{_SPACE}?[{_DASHES}./]{_SPACE}?|\)?{_SPACE})"
_PHONE_CANDIDATE = re.compile(
    rf"(?<![\w+])(?<!\d[{_JOINERS}])"
    rf"(?P<country>(?:\+|00)46(?:{_SPACE}|-)?(?:\(0\){_SPACE}?)?)?"
    rf"(?P<body>(?>\(?\d+(?:{_PHONE_SEPARATOR}\d+)*))"
)
# A separator that joins digit groups into one token (a date, a case number) rather than
# spacing the groups of one number.
_IN_TOKEN = re.compile(rf"[{_DASHES}./]")
# What may not follow a phone number: a letter or digit, or a joiner and a digit ("22:30").
_GLUED_AFTER = re.compile(rf"\w|[{_JOINERS}]\d")
# A phone number has at most five digit groups: "+46 8 12 34 56 78", "0701 23 45 67".
_MAX_PHONE_GROUPS = 5
_DIGITS = re.compile(r"\d+")
_DIGIT_AND_SPACE = re.compile(rf"\d{_SPACE}")

# "@" and "." as written, or spelt out around spam filters: "(at)", "[snabel-a]", "(punkt)"
_AT = r"(?:@|\s?[(\[{](?:at|snabel-a)[)\]}]\s?)"
_DOT = r"(?:\.|\s?[(\[{](?:dot|punkt)[)\]}]\s?)"
_EMAIL = re.compile(
    r"(?<![\w.%+\-])"
    r"[\w%+\-]+(?:\.[\w%+\-]+)*"
    rf"{_AT}(?:[^\W_](?:[\w\-]*[^\W_])?{_DOT})+[^\W\d_]{{2,}}"
    r"(?![\w\-])",
    re.IGNORECASE,
)

# When matches overlap, the earlier kind in this order wins.
_PRIORITY = {
    FindingKind.EMAIL: 0,
    FindingKind.PERSONNUMMER: 1,
    FindingKind.SAMORDNINGSNUMMER: 1,
    FindingKind.PHONE: 2,
}


def find_personal_data(text: str) -> list[Finding]:
    """Everything in `text` that looks like personal data, in order of appearance."""
    if not text:
        return []
    candidates = [*_emails_in(text), *_identity_numbers_in(text), *_phones_in(text)]
    # kept findings never overlap, so a new one can only overlap its neighbours by start
    kept: list[Finding] = []
    starts: list[int] = []
    for finding in sorted(candidates, key=lambda f: (_PRIORITY[f.kind], f.start)):
        index = bisect.bisect_right(starts, finding.start)
        if index > 0 and kept[index - 1].end > finding.start:
            continue
        if index < len(kept) and kept[index].start < finding.end:
            continue
        kept.insert(index, finding)
        starts.insert(index, finding.start)
    return kept


def check_text(text: str, field: str = "text") -> None:
    """Refuse `text` with a DomainError on `field` when it contains personal data."""
    findings = find_personal_data(text)
    if findings:
        raise DomainError(_message(findings), field=field)


def _message(findings: list[Finding]) -> str:
    if len(findings) == 1:
        (finding,) = findings
        sentences = [
            str(SINGLE[finding.kind]) % {"excerpt": finding.excerpt},
            str(ADVICE),
            _("Remove it and save again."),
        ]
        return " ".join(sentences)
    items = [
        _("%(kind)s “%(excerpt)s”", kind=LABELS[f.kind], excerpt=f.excerpt)
        for f in findings[:MAX_LISTED]
    ]
    rest = len(findings) - MAX_LISTED
    if rest > 0:
        items.append(ngettext("%(num)d more", "%(num)d more", rest))
    listing = format_list(items, locale=get_locale() or "en")
    sentences = [
        ngettext(
            "The text contains %(num)d item that looks like personal data: %(listing)s.",
            "The text contains %(num)d items that look like personal data: %(listing)s.",
            len(findings),
            listing=listing,
        ),
        str(ADVICE),
        _("Remove them and save again."),
    ]
    return " ".join(sentences)


def _emails_in(text: str) -> list[Finding]:
    return [
        Finding(FindingKind.EMAIL, match.start(), match.end(), match.group())
        for match in _EMAIL.finditer(text)
    ]


def _identity_numbers_in(text: str) -> list[Finding]:
    findings = []
    for match in _IDENTITY_NUMBER.finditer(text):
        date = "".join(_DIGITS.findall(match["date"]))
        kind = _identity_kind(match["century"], date, match["serial"])
        if kind is not None:
            findings.append(Finding(kind, match.start(), match.end(), match.group()))
    return findings


def _identity_kind(century: str | None, date: str, serial: str) -> FindingKind | None:
    """The kind of identity number these digits make up, or None when they make up none."""
    if not _luhn_valid(date + serial):
        return None
    year, month, day = int(date[:2]), int(date[2:4]), int(date[4:])
    kind = FindingKind.PERSONNUMMER
    if 61 <= day <= 91:
        kind, day = FindingKind.SAMORDNINGSNUMMER, day - 60
    if not 1 <= month <= 12:
        return None
    if century is None:
        # The century is unknown: accept any day that exists in some year (29 February too).
        last_day = calendar.monthrange(2000, month)[1]
    elif century in ("18", "19", "20"):
        last_day = calendar.monthrange(int(century) * 100 + year, month)[1]
    else:
        return None
    return kind if 1 <= day <= last_day else None


def _luhn_valid(digits: str) -> bool:
    """The Luhn check over the ten-digit form YYMMDDNNNN: weights 2, 1, 2, 1, …"""
    total = 0
    for index, digit in enumerate(digits):
        product = int(digit) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def _phones_in(text: str) -> list[Finding]:
    findings = []
    for match in _PHONE_CANDIDATE.finditer(text):
        groups = list(_DIGITS.finditer(match["body"]))
        offset = match.start("body")
        first = 0
        while first < len(groups):
            found = _phone_from(text, match, groups, first, offset)
            if found is None:
                first += 1
                continue
            finding, last = found
            findings.append(finding)
            first = last + 1
    return findings


def _phone_from(
    text: str, match: re.Match, groups: list[re.Match], first: int, offset: int
) -> tuple[Finding, int] | None:
    """The longest phone number starting at digit group `first`, and its last group."""
    body = match["body"]
    international = first == 0 and match["country"] is not None
    if first > 0:
        separator = body[groups[first - 1].end() : groups[first].start()]
        if _IN_TOKEN.search(separator):
            # Inside a joined token such as "2024-05-12", "12.05.2024" or "5000-123456-24".
            return None
    start_group = groups[first].group()
    if international and start_group[0] != "0":
        national_prefix = "0"  # +46 70 … is 070 …
    elif len(start_group) >= 2 and start_group[0] == "0" and start_group[1] != "0":
        national_prefix = ""  # 070 …, and the common slip +46 070 …
    else:
        return None

    for last in range(min(len(groups), first + _MAX_PHONE_GROUPS) - 1, first - 1, -1):
        chosen = [g.group() for g in groups[first : last + 1]]
        digits = national_prefix + "".join(chosen)
        if not 9 <= len(digits) <= 10:
            continue
        if len(chosen) > 1 and not (
            2 <= len(national_prefix + chosen[0]) <= 4 and all(len(g) >= 2 for g in chosen[1:])
        ):
            continue  # an area code has 2–4 digits; the rest is grouped in twos or more
        if last < len(groups) - 1:
            following = body[groups[last].end() : groups[last + 1].start()]
            if _IN_TOKEN.search(following):
                continue  # the joined token goes on
        elif _GLUED_AFTER.match(text, match.end()):
            continue  # glued to what follows: "0701234567kr", "08 12 34 56 78:30"
        start = match.start() if international else offset + groups[first].start()
        if first == 0 and not international and match["body"].startswith("("):
            start = match.start("body")  # "(08) 123 456 78" is quoted with its parenthesis
        if (
            not international
            and _DIGIT_AND_SPACE.fullmatch(text, max(start - 2, 0), start)
            and all(len(g) == 3 for g in chosen)
        ):
            return None  # thousands grouping of a sum: "12 050 500 500 kr"
        end = offset + groups[last].end()
        return Finding(FindingKind.PHONE, start, end, text[start:end]), last
    return None
