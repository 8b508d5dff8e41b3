"""Numbers with a checksum or a strict form: national ids, payment cards, IBANs.

Each recogniser is a tight regular expression that finds candidates and a
validator (python-stdnum where it has one) that accepts only real numbers: a
kennitala needs a real date and its mod-11 check digit, a card its Luhn digit,
an IBAN its mod-97 check. Numbers whose check is weak or missing (Danish CPR since
2007, Polish PESEL, Dutch BSN, US SSN without dashes) are taken only next to a
keyword such as ``CPR`` or ``SSN``. A dashed US SSN has no check digit: it is
taken when its area, group and serial are ones the SSA issues.

A text with fewer ASCII digits than a recogniser's matches hold (ten for a
kennitala) is not searched by it: most text near a year or a page number is
passed over at the cost of counting its digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import iban, luhn
from stdnum.dk import cpr
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.is_ import kennitala
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel
from stdnum.se import personnummer
from stdnum.us import ssn

from .spans import Span, context_before, digit_count, keywords, last_keyword

_D = "[0-9]"
_NOT_DIGIT_BEFORE = r"(?<![0-9\-])"
_NOT_DIGIT_AFTER = r"(?![0-9]|-[0-9])"
_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"


@dataclass(frozen=True)
class Recogniser:
    """A kind of number: a pattern for candidates, a validator, and keywords if required."""

    kind: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    keywords: re.Pattern[str] | None = None
    digits: int = 0
    """The fewest ASCII digits a match holds: a text with fewer is not searched."""


def _kennitala(value: str) -> bool:
    """A person's kennitala (day 01-31); a company's (day 41-71) is not personal."""
    return kennitala.is_valid(value) and int(value[:2]) <= 31


_NINO_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _nino(value: str) -> bool:
    """A UK National Insurance number: the prefix rules of HMRC (it has no check digit)."""
    compact = value.replace(" ", "")
    return compact[:2] not in _NINO_BAD_PREFIXES


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


ID_RECOGNISERS: tuple[Recogniser, ...] = (
    Recogniser("kennitala", _re(
        _NOT_DIGIT_BEFORE + rf"[0-7]{_D}[01]{_D}{{3}}[- ]?{_D}{{3}}[089]" + _NOT_DIGIT_AFTER),
        _kennitala, digits=10),
    Recogniser("ssn", _re(
        _NOT_DIGIT_BEFORE + rf"{_D}{{3}}-{_D}{{2}}-{_D}{{4}}" + _NOT_DIGIT_AFTER), ssn.is_valid,
        digits=9),
    Recogniser("ssn", _re(
        _NOT_DIGIT_BEFORE + rf"{_D}{{3}} ?{_D}{{2}} ?{_D}{{4}}" + _NOT_DIGIT_AFTER), ssn.is_valid,
        keywords(["ssn", "social security"]), digits=9),
    Recogniser("personnummer", _re(
        _NOT_DIGIT_BEFORE + rf"(?:19|20)?{_D}{{2}}[01]{_D}{{3}}[-+]{_D}{{4}}"
        + _NOT_DIGIT_AFTER), personnummer.is_valid, digits=10),
    Recogniser("personnummer", _re(
        _NOT_DIGIT_BEFORE + rf"(?:19|20){_D}{{2}}[01]{_D}{{7}}" + _NOT_DIGIT_AFTER),
        personnummer.is_valid, digits=12),
    Recogniser("fodselsnummer", _re(
        _NOT_DIGIT_BEFORE + rf"[0-7]{_D}{{5}} ?{_D}{{5}}" + _NOT_DIGIT_AFTER),
        fodselsnummer.is_valid, digits=11),
    Recogniser("hetu", _re(
        _NOT_ALNUM_BEFORE + rf"[0-3]{_D}[01]{_D}{{3}}[-+A-FU-Y]{_D}{{3}}[0-9A-Y]"
        + _NOT_ALNUM_AFTER), hetu.is_valid, digits=9),
    Recogniser("cpr", _re(
        _NOT_DIGIT_BEFORE + rf"[0-3]{_D}[01]{_D}{{3}}-?{_D}{{4}}" + _NOT_DIGIT_AFTER),
        cpr.is_valid, keywords(["cpr", "personnummer", "personnr"]), digits=10),
    Recogniser("nino", _re(
        _NOT_ALNUM_BEFORE + r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2}"
        r" ?[A-D]" + _NOT_ALNUM_AFTER), _nino, digits=6),
    Recogniser("pesel", _re(
        _NOT_DIGIT_BEFORE + rf"{_D}{{11}}" + _NOT_DIGIT_AFTER), pesel.is_valid,
        keywords(["pesel"]), digits=11),
    Recogniser("dni", _re(_NOT_ALNUM_BEFORE + rf"{_D}{{8}}-?[A-Z]" + _NOT_ALNUM_AFTER),
               dni.is_valid, digits=8),
    Recogniser("dni", _re(_NOT_ALNUM_BEFORE + rf"[XYZ]-?{_D}{{7}}-?[A-Z]" + _NOT_ALNUM_AFTER),
               nie.is_valid, digits=7),
    Recogniser("nir", _re(
        _NOT_DIGIT_BEFORE + rf"[12] ?{_D}{{2}} ?{_D}{{2}} ?(?:{_D}{{2}}|2[AB]) ?{_D}{{3}} ?"
        rf"{_D}{{3}} ?{_D}{{2}}" + _NOT_DIGIT_AFTER), nir.is_valid, digits=14),
    Recogniser("codice_fiscale", _re(
        _NOT_ALNUM_BEFORE + r"[A-Z]{6}[0-9LMNP-V]{2}[A-EHLMPR-T][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}"
        r"[A-Z]" + _NOT_ALNUM_AFTER), codicefiscale.is_valid),
    Recogniser("bsn", _re(_NOT_DIGIT_BEFORE + rf"{_D}{{4}}\.?{_D}{{2}}\.?{_D}{{3}}"
                          + _NOT_DIGIT_AFTER),
               bsn.is_valid, keywords(["bsn", "burgerservicenummer", "sofinummer"]), digits=9),
)
"""National identity numbers, tried in this order (the first that validates names the kind)."""

ID_KINDS: tuple[str, ...] = tuple(dict.fromkeys(r.kind for r in ID_RECOGNISERS))

_CARD = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){11,18}(?![0-9]|[ -][0-9])")
_CARD_KEYWORDS = keywords(["card", "kort", "visa", "mastercard", "amex", "kredit", "credit",
                           "debit"], anywhere=["kort"])
_NOT_CARD_KEYWORDS = keywords(["order", "ordre", "pöntun", "invoice", "reikning", "tracking",
                               "isbn", "issn", "sendingar", "account", "reference"])


def _card_layout(value: str) -> bool:
    """No separators, or one kind of separator between groups laid out as cards print them."""
    seps = {ch for ch in value if not ch.isdigit()}
    if not seps:
        return True
    if len(seps) > 1:
        return False
    groups = [len(g) for g in value.split(seps.pop())]
    if groups[:3] in ([4, 6, 5], [4, 6, 4]) and len(groups) == 3:
        return True
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4 and len(groups) >= 4


def _card_network(digits: str) -> bool:
    """The number's length fits a card network that uses its leading digits (IIN)."""
    n, two = len(digits), int(digits[:2])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if two in (30, 36, 38, 39):
        return 14 <= n <= 16
    if two == 35 or digits[0] == "6":
        return 16 <= n <= 19
    return two in (50, 56, 57, 58) and 12 <= n <= 19


def valid_card(value: str) -> bool:
    """A payment card number: a card network's length and prefix, and its Luhn digit.

    >>> valid_card("4111 1111 1111 1111"), valid_card("4111 1111 1111 1112")
    (True, False)
    """
    digits = "".join(ch for ch in value if ch.isdigit())
    return (13 <= len(digits) <= 19 and _card_layout(value) and _card_network(digits)
            and luhn.is_valid(digits))


def find_cards(text: str) -> list[Span]:
    """Payment card numbers (Luhn-valid, network-shaped) in ``text``."""
    spans: list[Span] = []
    if digit_count(text) < 12:  # the fewest digits that _CARD matches
        return spans
    for m in _CARD.finditer(text):
        if not valid_card(m.group()):
            continue
        before = context_before(text, m.start(), 30)
        if last_keyword(_NOT_CARD_KEYWORDS, before) > last_keyword(_CARD_KEYWORDS, before):
            continue
        spans.append(Span(m.start(), m.end(), "card"))
    return spans


_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?![a-z0-9])")


def find_ibans(text: str) -> list[Span]:
    """IBANs (country format and mod-97 check) in ``text``, printed or compact."""
    spans = []
    for m in _IBAN.finditer(text):
        # The pattern may run on into a following word in capitals: try shorter ends.
        value = m.group()
        for end in range(len(value), 14, -1):
            if value[end - 1] != " " and iban.is_valid(value[:end]):
                spans.append(Span(m.start(), m.start() + end, "iban"))
                break
    return spans


def find_ids(text: str) -> list[Span]:
    """National identity numbers in ``text``, each with the kind of its recogniser."""
    spans = []
    digits = digit_count(text)
    for rec in ID_RECOGNISERS:
        if digits < rec.digits:
            continue
        for m in rec.pattern.finditer(text):
            if rec.keywords and not rec.keywords.search(context_before(text, m.start(), 40)):
                continue
            if rec.valid(m.group()):
                spans.append(Span(m.start(), m.end(), rec.kind))
    return spans
