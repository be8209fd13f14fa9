"""The personal-data guard: what it refuses, what it lets through, and what it tells the user."""

import dataclasses
import itertools

import pytest

from brott.errors import DomainError
from brott.services.personal_data import Finding, FindingKind, check_text, find_personal_data


def luhn_check_digit(nine_digits: str) -> str:
    """The check digit for YYMMDDNNN, computed right to left as the Luhn algorithm is usually
    stated (independently of the module under test)."""
    total = 0
    for position, char in enumerate(reversed(nine_digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return str((10 - total % 10) % 10)


def with_check_digit(date: str, serial: str) -> str:
    """YYMMDD and a three-digit serial number completed with a Luhn check digit: NNNN."""
    return serial + luhn_check_digit(date + serial)


def spellings(century: str, date: str, last_four: str) -> list[str]:
    """Every accepted way of writing one identity number."""
    return [
        f"{date}-{last_four}",
        f"{date}{last_four}",
        f"{century}{date}-{last_four}",
        f"{century}{date}{last_four}",
        f"{date}+{last_four}",
        f"{century}{date}+{last_four}",
        f"{date} {last_four}",
        f"{century}{date} {last_four}",
        # as people type them: an en dash (word processors), a spaced dash, spaced date parts
        f"{date}\u2013{last_four}",
        f"{date} - {last_four}",
        f"{date} \u2013 {last_four}",
        f"{century}{date}\u2013{last_four}",
        f"{date[:2]} {date[2:4]} {date[4:]}-{last_four}",
        f"{date[:2]} {date[2:4]} {date[4:]} {last_four}",
    ]


TOLVAN = with_check_digit("121212", "121")  # Skatteverket's test person 19121212-1212
BORN_2005 = with_check_digit("050228", "123")  # starts with 0, like a phone number
LEAP_DAY = with_check_digit("000229", "456")
COORDINATION = with_check_digit("701063", "239")  # born 1970-10-03, day + 60


def test_the_independent_check_digit_helper_agrees_with_known_numbers():
    assert TOLVAN == "1212"
    assert COORDINATION == "2391"


@pytest.mark.parametrize(
    "number",
    [
        *spellings("19", "121212", TOLVAN),
        *spellings("20", "050228", BORN_2005),
        *spellings("20", "000229", LEAP_DAY),
    ],
)
def test_a_valid_personnummer_is_found_in_every_spelling(number):
    text = f"Anmälan gällde {number} vid busstationen."
    start = text.index(number)
    assert find_personal_data(text) == [
        Finding(FindingKind.PERSONNUMMER, start, start + len(number), number)
    ]


@pytest.mark.parametrize("number", spellings("19", "701063", COORDINATION))
def test_a_valid_samordningsnummer_is_found_in_every_spelling(number):
    findings = find_personal_data(f"Gäller {number}.")
    assert [(f.kind, f.excerpt) for f in findings] == [(FindingKind.SAMORDNINGSNUMMER, number)]


@pytest.mark.parametrize(
    "number",
    ["19121212-1213", "121212-1213", "1212121213", "121212+1211", "19121212 1210"],
)
def test_a_number_failing_the_luhn_check_is_not_flagged(number):
    assert find_personal_data(f"Nummer {number} på listan") == []


@pytest.mark.parametrize(
    "number",
    [
        f"19121312-{with_check_digit('121312', '121')}",  # month 13
        f"121312-{with_check_digit('121312', '121')}",
        f"120012-{with_check_digit('120012', '121')}",  # month 00
        f"121200-{with_check_digit('121200', '121')}",  # day 00
        f"121232-{with_check_digit('121232', '121')}",  # 32 December
        f"120230-{with_check_digit('120230', '121')}",  # 30 February
        f"19230229-{with_check_digit('230229', '121')}",  # 1923 was no leap year
        f"121292-{with_check_digit('121292', '121')}",  # coordination day 92 = day 32
        f"121260-{with_check_digit('121260', '121')}",  # neither day 60 nor 0
        f"21121212-{TOLVAN}",  # no one is born in the 2100s
        f"212000-{with_check_digit('212000', '226')}",  # an organisation number: month 20
    ],
)
def test_a_luhn_valid_number_without_a_real_date_is_not_flagged(number):
    assert find_personal_data(f"Nummer {number}") == []


@pytest.mark.parametrize(
    "phone",
    [
        "070-123 45 67",
        "073-123 45 67",
        "070 123 45 67",
        "0701234567",
        "070-1234567",
        "0701-23 45 67",
        "+46 70 123 45 67",
        "+46701234567",
        "+46-70-123 45 67",
        "+46 (0)70-123 45 67",
        "+46 070-123 45 67",
        "0046 70 123 45 67",
        "0046701234567",
        "08-123 456 78",
        "08 123 456 78",
        "+46 8 123 456 78",
        "0243-123 45",
        "0243-12345",
        "0243 - 123 45",
        # as people type them: en dashes, parentheses, dots, slashes
        "070\u2013123 45 67",
        "070 \u2013 123 45 67",
        "(08) 123 456 78",
        "(0243) 123 45",
        "070.123.45.67",
        "08.123.456.78",
        "070/123 45 67",
        "0243/123 45",
    ],
)
def test_a_phone_number_is_found_in_every_common_format(phone):
    text = f"Ring {phone} efter kl. 18."
    findings = find_personal_data(text)
    assert [(f.kind, f.excerpt) for f in findings] == [(FindingKind.PHONE, phone)]


@pytest.mark.parametrize(
    "address",
    [
        "anna.svensson@borlange.se",
        "kontakt@polisen.se",
        "namn+tagg@example.com",
        "karl_1985@mail.example.org",
        "åsa.öberg@kommun.se",
        # written around spam filters
        "namn(at)exempel.se",
        "namn (at) exempel.se",
        "namn[at]exempel.se",
        "namn [at] exempel [punkt] se",
        "namn(AT)exempel(dot)com",
        "namn[snabel-a]exempel.se",
    ],
)
def test_an_email_address_is_found(address):
    text = f"Skriv till {address}."
    findings = find_personal_data(text)
    assert [(f.kind, f.excerpt) for f in findings] == [(FindingKind.EMAIL, address)]


@pytest.mark.parametrize(
    "text",
    [
        "Skadegörelse 2024-05-12 vid torget",
        "Ungdomar samlades 12/5 kl. 22.30",
        "Larm 2024-05-12 22:30",
        "Oroligt mellan 22:00–02:00",
        "Kl. 08.00–17.00 och 08:00",
        "2024-05-12T22:30",
        "Ökning v. 23",
        "Perioden 2024-05-12–2024-05-19",
        "Perioden 20240512–20240519",
        "Jämfört med 2018–2019",
        "Jämfört med 2018-2019 och 2023-11-30 kl 23:45",
        "Ärende 5000-K123456-24",
        "Ärende K123456-24 och 5000-K1234567-24",
        "Beslut KS 2024/123",
        "Dnr 2023.456",
        "Ordernr 123456789",
        "Ordernr 123456789012",
        "Ordernr 202405121234",
        "Storgatan 12, 784 33 Borlänge",
        "SE-784 33",
        "Kostnad 12 500 kr",
        "Budget 1 000 000 kr och 12 050 500 500 kr",
        "Minskning med 12,5 % och 0,5 %",
        "Plats 60.4858, 15.4371",
        "Plats 60,4858 15,4371",
        "Ring 112 eller 114 14",
        "Tre personer, två bilar, 15 anmälningar",
        "Summa: 1234567890123",
        "Datum 12.05.2024 och 01.02.2024",
        "Möte 2024.05.12 kl 08.30–09.45",
        "Sidan 12/5/2024, sektion 04/12",
        "Version 1.2.3 (at) mötet",
        "Vi träffas (at home) kl. 18",
    ],
)
def test_dates_times_case_numbers_and_amounts_are_not_flagged(text):
    assert find_personal_data(text) == []
    check_text(text)


def test_an_identity_number_inside_a_longer_digit_run_is_not_flagged():
    assert find_personal_data(f"3{'19121212'}{TOLVAN}") == []
    assert find_personal_data(f"19121212{TOLVAN}5") == []
    assert find_personal_data(f"5-121212-{TOLVAN}") == []


def test_a_personnummer_starting_with_zero_is_reported_as_one_not_as_a_phone_number():
    number = f"050228{BORN_2005}"
    assert [f.kind for f in find_personal_data(number)] == [FindingKind.PERSONNUMMER]


def test_a_phone_number_inside_an_email_address_is_reported_once_as_the_address():
    findings = find_personal_data("Svar till 0701234567@sms.example.se")
    assert [(f.kind, f.excerpt) for f in findings] == [
        (FindingKind.EMAIL, "0701234567@sms.example.se")
    ]


def test_two_phone_numbers_written_one_after_the_other_are_both_found():
    findings = find_personal_data("070-123 45 67 070-765 43 21")
    assert [f.excerpt for f in findings] == ["070-123 45 67", "070-765 43 21"]


@pytest.mark.parametrize(
    "text",
    ["Ring 070-123 45 67 12 gånger", "Ring 070-123 45 67 22:30", "070-123 45 67, 2024-05-12"],
)
def test_a_phone_number_followed_by_other_numbers_is_found_without_them(text):
    findings = find_personal_data(text)
    assert [f.excerpt for f in findings] == ["070-123 45 67"]


def test_a_long_text_full_of_numbers_is_checked_group_by_group():
    findings = find_personal_data("070-123 45 67 " * 500 + "12 500 kr " * 500)
    assert len(findings) == 500
    assert {f.excerpt for f in findings} == {"070-123 45 67"}


SEVERAL = (
    f"Personen 19121212-{TOLVAN} (samordningsnummer 701063-{COORDINATION}) "
    "nås på 070-123 45 67 eller anna.svensson@borlange.se."
)


def test_several_findings_are_all_listed_in_order_with_their_kinds():
    findings = find_personal_data(SEVERAL)
    assert [(f.kind, f.excerpt) for f in findings] == [
        (FindingKind.PERSONNUMMER, "19121212-1212"),
        (FindingKind.SAMORDNINGSNUMMER, "701063-2391"),
        (FindingKind.PHONE, "070-123 45 67"),
        (FindingKind.EMAIL, "anna.svensson@borlange.se"),
    ]


def test_offsets_point_at_the_excerpt():
    findings = find_personal_data(SEVERAL)
    assert findings
    for finding in findings:
        assert SEVERAL[finding.start : finding.end] == finding.excerpt


def test_a_finding_is_immutable():
    (finding,) = find_personal_data("070-123 45 67")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 3  # type: ignore[misc]


def test_check_text_names_and_quotes_a_single_finding(app):  # app: messages in Swedish
    with pytest.raises(DomainError) as raised:
        check_text("Anmäld: 19121212-1212.")
    assert raised.value.message == (
        "Texten innehåller något som ser ut som ett personnummer: ”19121212-1212”. "
        "Beskriv platser, tider och mönster – inte enskilda personer. "
        "Ta bort uppgiften och spara igen."
    )


def test_check_text_lists_and_quotes_every_finding(app):  # app: messages in Swedish
    with pytest.raises(DomainError) as raised:
        check_text(SEVERAL)
    assert raised.value.message == (
        "Texten innehåller 4 uppgifter som ser ut som personuppgifter: "
        "ett personnummer ”19121212-1212”, ett samordningsnummer ”701063-2391”, "
        "ett telefonnummer ”070-123 45 67” och en e-postadress ”anna.svensson@borlange.se”. "
        "Beskriv platser, tider och mönster – inte enskilda personer. "
        "Ta bort uppgifterna och spara igen."
    )


def test_check_text_lists_five_findings_and_counts_the_rest(app):  # app: messages in Swedish
    phones = [f"070-123 45 6{digit}" for digit in range(7)]
    with pytest.raises(DomainError) as raised:
        check_text(", ".join(phones))
    message = raised.value.message
    assert message.startswith("Texten innehåller 7 uppgifter som ser ut som personuppgifter: ")
    for phone in phones[:5]:
        assert f"”{phone}”" in message
    for phone in phones[5:]:
        assert phone not in message
    assert f"”{phones[4]}” och 2 till." in message


@pytest.mark.parametrize(("field", "expected"), [(None, "text"), ("description", "description")])
def test_the_error_names_the_form_field(field, expected):
    kwargs = {} if field is None else {"field": field}
    with pytest.raises(DomainError) as raised:
        check_text("Mejla kontakt@polisen.se", **kwargs)
    assert raised.value.field == expected


@pytest.mark.parametrize("text", ["", "Klotter på gång- och cykeltunneln vid Kupolen."])
def test_text_without_personal_data_passes(text):
    assert find_personal_data(text) == []
    assert check_text(text) is None


def test_dates_written_with_dots_do_not_start_a_phone_number_that_follows():
    findings = find_personal_data("12.05.2024 070.123.45.67")
    assert [(f.kind, f.excerpt) for f in findings] == [(FindingKind.PHONE, "070.123.45.67")]


def test_a_long_run_of_digit_groups_is_split_into_numbers_without_overlaps():
    findings = find_personal_data("01 " * 20_000)
    assert len(findings) == 4_000  # five groups of two make one 10-digit number
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
