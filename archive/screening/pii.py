"""Personal information in text: one detector that runs every recogniser over a string.

Emails, IP addresses and phone numbers are found here; national ids, cards and
IBANs in :mod:`.ids`; street addresses in :mod:`.addresses`; names in
:mod:`.names`. Where two findings overlap, the stronger kind wins (an email's
digits are not a phone number; a kennitala is not a phone number).

Most text holds no personal information, so each recogniser looks only where a
finding can be: emails where there is an ``@``; numbers (and addresses, which have
house numbers) near digits, found by plain substring search, and only when the text
holds as many digits as a finding of that kind needs; names near their cues (see
:mod:`.names`). These gates never change what is found: the tests compare with the
full patterns run with none.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import phonenumbers

from .addresses import find_addresses
from .ids import ID_KINDS, find_cards, find_ibans, find_ids
from .names import find_known_names, find_names
from .spans import (
    Span,
    context_after,
    context_before,
    digit_count,
    keywords,
    last_keyword,
    settle,
    windows,
)

PII_KINDS: tuple[str, ...] = ("email", "phone", *ID_KINDS, "card", "iban", "ip", "address",
                              "name")
"""Every kind of personal information found in text."""

PRIORITY: dict[str, int] = {"email": 0, "iban": 1, "card": 2, **dict.fromkeys(ID_KINDS, 3),
                            "ip": 4, "phone": 5, "address": 6, "name": 7}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[^\W\d_]{2,24}"
                    r"(?![\w-])")

_IPV4 = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                   r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?![\w]|\.[0-9])")
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_IP_KEYWORDS = keywords(["ip", "address", "vistfang", "server", "host", "adresse", "client",
                         "login", "innskrán"])
_VERSION_KEYWORDS = keywords(["version", "útgáf", "ver.", "v.", "release", "kafli", "section",
                              "chapter", "clause", "grein", "§"])

_PHONE_RUN = re.compile(r"(?<![\w+@/.,-])(?:\+|\(\+?)?[0-9][0-9 ().\-/]{4,22}[0-9](?![\w@])")
_PHONE_KEYWORDS = keywords(
    ["tel", "phone", "gsm", "mobile", "mobil", "call", "hringdu", "hringja", "hringið", "tlf",
     "telefon", "puh", "fax", "cell", "whatsapp", "sms", "reach", "contact", "ring"],
    anywhere=["sím", "simi", "síma"])
_NOT_PHONE_KEYWORDS = keywords(
    ["order", "pöntun", "invoice", "reikning", "isbn", "issn", "ref", "kt.", "kennitala", "case",
     "mál ", "account", "tracking", "sending", "version", "útgáf", "serial", "article",
     "vörunúmer", "vnr", "bls", "page", "p."], anywhere=["#", "nr.", "no."])
_PRICE_AFTER = re.compile(r"^\s*(?:kr|isk|usd|eur|gbp|dkk|nok|sek|\$|€|£|%|krónur|kronur)",
                          re.IGNORECASE)
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:([.,\s])[0-9]{3})+$")
_NOT_PHONE_SHAPES = re.compile(
    r"^(?:[0-9]{1,2}[./-][0-9]{1,2}[./-](?:[0-9]{4}|[0-9]{2})"  # 12.05.2023, 12/05/23
    r"|[0-9]{4}[./-][0-9]{1,2}[./-][0-9]{1,2}"  # 2023-05-12
    r"|[0-9]{6}-[0-9]{4}"  # the shape of a kennitala or CPR
    r"|[0-9]{3}-[0-9]{2}-[0-9]{4})$")  # the shape of a US SSN
_ACCOUNT_BEFORE = re.compile(r"[A-Z]{2}[0-9]{2}(?: [A-Z0-9]{4})* $")
_US_FORMAT = re.compile(r"^(?:\+?1[ .\-]?)?\([0-9]{3}\) ?[0-9]{3}[ .\-][0-9]{4}$")

LANGUAGE_REGIONS: dict[str, tuple[str, ...]] = {
    "en": ("GB", "US", "IE"), "is": ("IS",), "da": ("DK",), "no": ("NO",), "nb": ("NO",),
    "nn": ("NO",), "sv": ("SE",), "fi": ("FI",), "de": ("DE",), "fr": ("FR",), "es": ("ES",),
    "pt": ("PT",), "nl": ("NL",), "pl": ("PL",), "it": ("IT",), "fo": ("FO",), "et": ("EE",),
}
"""Regions whose national phone formats are tried for a declared language."""

ALWAYS_REGIONS = ("IS", "GB", "US")

NUMERIC_MARGIN = 64
"""Characters around a digit that number recognisers see: more than the longest context
window (40), IBAN (42) or street name before a house number."""
_WHOLE_TEXT = 4 * NUMERIC_MARGIN
_DIGITS = re.compile(r"[0-9][0-9]*")  # not [0-9]+: a leading class makes the scan skip ahead


def find_emails(text: str) -> list[Span]:
    """Email addresses."""
    if "@" not in text:
        return []
    return [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]


def find_ips(text: str) -> list[Span]:
    """IPv4 and IPv6 addresses; a dotted quad of single digits only next to an IP keyword."""
    spans = []
    for m in _IPV4.finditer(text) if text.count(".") >= 3 else ():  # a dotted quad has 3
        before = context_before(text, m.start(), 25)
        if _VERSION_KEYWORDS.search(before):
            continue
        if all(len(part) == 1 for part in m.group().split(".")) and not _IP_KEYWORDS.search(
                before):
            continue
        spans.append(Span(m.start(), m.end(), "ip"))
    if "::" in text or text.count(":") >= 5:
        for m in _IPV6.finditer(text):
            value = m.group()
            if sum(ch.isalnum() for ch in value) < 6:
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            spans.append(Span(m.start(), m.end(), "ip"))
    return spans


def _closest_keyword(window: str, positive: re.Pattern[str], negative: re.Pattern[str]) -> int:
    """1 when a positive keyword is the closest to the window's end, -1 when a negative is,
    0 when neither occurs."""
    pos, neg = last_keyword(positive, window), last_keyword(negative, window)
    if pos < 0 and neg < 0:
        return 0
    return 1 if pos > neg else -1


class PhoneFinder:
    """Phone numbers, validated by ``phonenumbers`` against the numbering plans.

    International numbers (``+354 …``, ``0044 …``) need only be possible numbers;
    national numbers must be valid in one of ``regions`` and either be written
    in groups or follow a keyword such as *sími* or *phone*. Prices, thousands,
    and numbers after *order*, *ISBN* or *kt.* are not phone numbers.
    """

    def __init__(self, regions: Sequence[str]) -> None:
        self.regions = tuple(dict.fromkeys([*regions, *ALWAYS_REGIONS]))

    def _is_phone(self, value: str, keyword: bool) -> bool:
        digits = sum(ch.isdigit() for ch in value)
        if not 7 <= digits <= 15 or _THOUSANDS.match(value) or _NOT_PHONE_SHAPES.match(value):
            return False
        compact = value.lstrip("(")
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        try:
            if compact.startswith("+"):
                number = phonenumbers.parse(compact, None)
                return phonenumbers.is_possible_number(number)
            if _US_FORMAT.match(value):
                return True
            grouped = any(not ch.isdigit() for ch in value)
            if not (grouped or keyword):
                return False
            for region in self.regions:
                number = phonenumbers.parse(value, region)
                if phonenumbers.is_valid_number(number):
                    return True
        except phonenumbers.NumberParseException:
            return False
        return False

    def find(self, text: str) -> list[Span]:
        """Phone numbers in ``text``."""
        spans: list[Span] = []
        if digit_count(text) < 7:  # the fewest digits of a phone number
            return spans
        for m in _PHONE_RUN.finditer(text):
            if _PRICE_AFTER.match(context_after(text, m.end(), 8)) or _ACCOUNT_BEFORE.search(
                    text[max(0, m.start() - 40):m.start()]):
                continue
            verdict = _closest_keyword(context_before(text, m.start(), 30), _PHONE_KEYWORDS,
                                       _NOT_PHONE_KEYWORDS)
            if verdict < 0:
                continue
            spans += self._spans(text, m.start(), m.end(), verdict > 0)
        return spans

    def _spans(self, text: str, start: int, end: int, keyword: bool) -> list[Span]:
        """The run if it is a phone number, else the numbers in it written ``a / b``.

        A run is not cut anywhere else: a phone number read out of the middle of a
        longer number (an account, a card) would be a false finding."""
        value = text[start:end]
        if self._is_phone(value, keyword):
            return [Span(start, end, "phone")]
        spans, offset = [], 0
        for part in value.split("/") if "/" in value else []:
            stripped = part.strip()
            a = start + offset + part.find(stripped)
            if stripped and self._is_phone(stripped, keyword):
                spans.append(Span(a, a + len(stripped), "phone"))
            offset += len(part) + 1
        return spans


class TextDetector:
    """Every recogniser of personal information, for one dataset's languages."""

    def __init__(self, languages: Sequence[str] = ()) -> None:
        regions = [r for lang in languages for r in LANGUAGE_REGIONS.get(lang, ())]
        self.phones = PhoneFinder(regions)

    def _numeric(self, text: str) -> list[Span]:
        return (find_ibans(text) + find_cards(text) + find_ids(text) + find_ips(text)
                + self.phones.find(text) + find_addresses(text))

    def find_numbers(self, text: str) -> list[Span]:
        """What the recognisers of numbers (and addresses, which have house numbers)
        find: in a long text, only near digits."""
        first = min((i for digit in "0123456789" if (i := text.find(digit)) >= 0), default=-1)
        if first < 0 or len(text) <= _WHOLE_TEXT:
            return self._numeric(text) if first >= 0 else []
        last = max(text.rfind(digit) for digit in "0123456789")
        hits = [m.span() for m in _DIGITS.finditer(text, first, last + 1)]
        spans = []
        for a, b in windows(hits, len(text), NUMERIC_MARGIN, NUMERIC_MARGIN):
            spans += [Span(s.start + a, s.end + a, s.kind) for s in self._numeric(text[a:b])]
        return spans

    def find(self, text: str, known_names: Sequence[str] = ()) -> list[Span]:
        """Non-overlapping findings in ``text``, in text order.

        ``known_names`` are names found elsewhere in the record (a speaker
        label), looked for in this text too.
        """
        spans = find_emails(text) + self.find_numbers(text) + find_names(text)
        if known_names:
            spans += find_known_names(text, known_names)
        return settle(spans, PRIORITY)
