"""Checksum recognisers: every valid number is found, a wrong check digit is not."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum import iban, luhn

from archive.screening.ids import find_cards, find_ibans, find_ids, valid_card
from archive.screening.pii import TextDetector

from .samples import corrupt, kennitala

DETECTOR = TextDetector(["is", "en"])
LOCAL = settings(database=None, deadline=None)  # no example database in the work tree
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2029, 12, 31))


def kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start:s.end]) for s in DETECTOR.find(text)]


@LOCAL
@given(dates, st.integers(20, 99), st.booleans(),
       st.sampled_from(["Kennitala mín er {}.", "Hún er með kt. {} í skránni.", "{}",
                        "My Icelandic ID is {}, as the form says."]))
def test_every_valid_kennitala_is_found(day: datetime.date, serial: int, hyphen: bool,
                                        template: str) -> None:
    value = kennitala(day.day, day.month, day.year, serial, hyphen=hyphen)
    assume(value is not None)
    assert ("kennitala", value) in kinds(template.format(value))


@LOCAL
@given(dates, st.integers(20, 99), st.integers(1, 9))
def test_a_wrong_kennitala_check_digit_is_not_a_kennitala(day: datetime.date, serial: int,
                                                          shift: int) -> None:
    value = kennitala(day.day, day.month, day.year, serial)
    assume(value is not None)
    wrong = value[:9] + str((int(value[9]) + shift) % 10) + value[10:]
    assert all(kind != "kennitala" for kind, _ in kinds(f"Kennitala: {wrong}."))


@LOCAL
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_random_digits_are_a_kennitala_only_when_valid(digits: str) -> None:
    from stdnum.is_ import kennitala as stdnum_kt
    found = [s for s in find_ids(f"kt. {digits[:6]}-{digits[6:]}") if s.kind == "kennitala"]
    assert bool(found) == (stdnum_kt.is_valid(digits) and int(digits[:2]) <= 31)


def test_a_company_kennitala_is_not_personal() -> None:
    assert kinds("Fyrirtækið hefur kennitölu 450401-3150.") == []


@LOCAL
@given(st.sampled_from(["4", "51", "52", "55"]), st.text(alphabet="0123456789", min_size=14,
                                                         max_size=14),
       st.sampled_from([" ", "-", ""]))
def test_every_luhn_valid_card_is_found(prefix: str, body: str, sep: str) -> None:
    number = (prefix + body)[:15]
    digits = number + luhn.calc_check_digit(number)
    printed = sep.join(digits[i:i + 4] for i in range(0, 16, 4))
    assert [s.kind for s in find_cards(f"Greitt með korti {printed} í gær.")] == ["card"]
    wrong = printed[:-1] + str((int(printed[-1]) + 1) % 10)
    assert find_cards(f"Greitt með korti {wrong} í gær.") == []


def test_card_layouts_and_networks() -> None:
    assert valid_card("3782 822463 10005")  # American Express
    assert not valid_card("4111 11 11 1111 1111")  # not how cards are printed
    assert not valid_card("9780306406157")  # an ISBN-13, Luhn aside
    assert find_cards("Order 4111111111111111 shipped.") == []  # the keyword says order
    assert find_cards("Order paid by card 4111111111111111.") != []


BBAN = {"DE": 18, "GB": 18, "IS": 22, "NO": 11}


@LOCAL
@given(st.sampled_from(sorted(BBAN)), st.data())
def test_every_valid_iban_is_found(country: str, data: st.DataObject) -> None:
    bban = data.draw(st.text(alphabet="0123456789", min_size=BBAN[country],
                             max_size=BBAN[country]))
    if country == "GB":
        bban = "NWBK" + bban[4:]
    number = country + iban.calc_check_digits(country + "00" + bban) + bban
    assume(iban.is_valid(number))  # Norway's account number has its own check digit
    printed = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    text = f"Millifærið á {printed} SEM FYRST."
    assert [(s.kind, text[s.start:s.end]) for s in find_ibans(text)] == [("iban", printed)]
    assert find_ibans(f"Millifærið á {corrupt(printed, 'iban')}.") == []


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("Fødselsnummer 15108695088 er registrert.", "fodselsnummer", "15108695088"),
    ("Personnummer 19880320-0016.", "personnummer", "19880320-0016"),
    ("Personnummer 880320-0016.", "personnummer", "880320-0016"),
    ("Henkilötunnus 131052-308T.", "hetu", "131052-308T"),
    ("CPR-nr. 211062-5629", "cpr", "211062-5629"),
    ("His National Insurance number is AB 12 34 56 C.", "nino", "AB 12 34 56 C"),
    ("SSN 536-22-1234 on file.", "ssn", "536-22-1234"),
    ("social security number 536221234", "ssn", "536221234"),
    ("PESEL 44051401359", "pesel", "44051401359"),
    ("DNI 54362315K", "dni", "54362315K"),
    ("NIE X2482300W", "dni", "X2482300W"),
    ("NIR 2 95 10 99 126 111 93", "nir", "2 95 10 99 126 111 93"),
    ("Codice fiscale RCCMNL83S18D969H", "codice_fiscale", "RCCMNL83S18D969H"),
    ("BSN 111222333", "bsn", "111222333"),
])
def test_national_ids(text: str, kind: str, value: str) -> None:
    assert (kind, value) in kinds(text)


@pytest.mark.parametrize("text", [
    "Dagsetningin 211062-5629 stendur á blaðinu.",  # CPR shape without a CPR keyword
    "UK placeholder QQ 12 34 56 C is never issued.",  # QQ is not a NINO prefix
    "SSN 078-05-1120 was printed on a sample card.",  # the famous invalid SSN
    "SSN 666-12-3456 cannot exist.",
    "44051401359 without a keyword",  # a PESEL needs its keyword
    "Number 111222333 has no keyword before it",
])
def test_look_alikes_are_not_ids(text: str) -> None:
    assert find_ids(text) == []
