"""Street addresses: a street name and a house number, in the forms used in partner countries.

What is found: an Icelandic street (a word ending in *-vegur*, *-gata*, *-stræti*,
*-braut* and the like, in any case form) followed by a house number, with an
optional ``, 101 Reykjavík``; a Nordic, German or Dutch street (*-gata*, *-gade*,
*-veien*, *-vägen*, *-straße*, *-weg*, *-straat*…) with a number; and an English
address, a house number then capitalised words ending in *Street*, *Road*,
*Avenue*… with an optional town and postcode. What is not: a street named
without a number, a place name alone, addresses written in other orders.
"""

from __future__ import annotations

import re

from .spans import Span

_UP = "A-ZÁÉÍÓÚÝÞÆÖÐÄÅØÜ"
_LOW = "a-záéíóúýþæöðäåøüß"

_IS_STREET_ENDINGS = (
    "vegur|vegi|vegar|vegs|gata|götu|gatna|stræti|strætis|braut|brautar|stígur|stíg|stígs|"
    "tún|túni|túns|hlíð|hlíðar|holt|holti|holts|torg|torgi|torgs|sund|sundi|bakki|bakka|"
    "lind|lindar|hraun|hrauni|hrauns|vellir|völlum|valla|garður|garði|garðs|teigur|teig|teigs|"
    "kór|kórs|salir|sölum|hvarf|hvarfi|mýri|mýrar|ás|ási|áss|hagi|haga|melur|mel|mels|skjól|"
    "byggð|heiði|heiðar|gerði|gerðis|lundur|lundi|lundar|mörk|merkur|stekkur|stekk|hæð|hæðar|"
    "bær|bæ|bæjar|berg|bergi|nes|nesi|hús|húsi|hamar|hamri|hólar|hólum|fold|foldar|"
    "engi|ból|bóli|brekka|brekku|tröð|traðar|sel|seli|flöt|flatar|leiti|leitis|kinn|kinnar"
)
_NORDIC_ENDINGS = (
    "gata|gatan|gaten|gade|gaden|vej|vejen|veien|vegen|vägen|väg|gränd|allé|alle|stræde|"
    "straße|strasse|str\\.|weg|gasse|platz|damm|straat|laan|gracht|plein|katu|tie|"
    "kuja|polku"
)
_EN_TYPES = (
    "Street|St\\.?|Road|Rd\\.?|Avenue|Ave\\.?|Lane|Ln\\.?|Drive|Dr\\.?|Boulevard|Blvd\\.?|"
    "Court|Ct\\.?|Place|Pl\\.?|Way|Terrace|Close|Crescent|Square|Sq\\.?|Gardens|Grove|Hill|"
    "Parkway|Row|Mews|Walk|Highway|Hwy\\.?"
)
_HOUSE = r"[1-9][0-9]{0,2}(?:[ ]?[a-zA-Z](?![\w]))?(?:[-–][1-9][0-9]{0,2})?"

_IS_POSTCODE_TOWN = rf"(?:,? [1-9][0-9]{{2}} [{_UP}][{_LOW}]+(?:[ -][{_UP}][{_LOW}]+)?)?"
_NORDIC_POSTCODE_TOWN = (rf"(?:,? (?:[A-Z]{{1,2}}-)?[0-9]{{4,5}}(?: [0-9]{{2}})? "
                         rf"[{_UP}][{_LOW}]+)?")
_UK_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"
_US_STATE_ZIP = r"[A-Z]{2} [0-9]{5}(?:-[0-9]{4})?"
_EN_TAIL = (rf"(?:,? (?:[{_UP}][{_LOW}]+ ?){{1,3}}(?:,? (?:{_US_STATE_ZIP}|{_UK_POSTCODE}))?"
            rf"(?![\w]))?")

_IS_ADDRESS = re.compile(
    rf"(?<![\w])[{_UP}][{_LOW}]{{1,20}}(?:{_IS_STREET_ENDINGS}) {_HOUSE}{_IS_POSTCODE_TOWN}"
    rf"(?![\w])")
_NORDIC_ADDRESS = re.compile(
    rf"(?<![\w])[{_UP}][{_LOW}]{{1,24}}(?:{_NORDIC_ENDINGS}) {_HOUSE}{_NORDIC_POSTCODE_TOWN}"
    rf"(?![\w])")
_EN_ADDRESS = re.compile(
    rf"(?<![\w.,])[1-9][0-9]{{0,4}}[A-Za-z]? (?:[{_UP}][{_LOW}]+ ){{1,3}}(?:{_EN_TYPES})"
    rf"(?![\w]){_EN_TAIL}")

_NOT_STREETS = {"Ísland", "Íslands", "Alþingi", "Nes", "Ás", "Hús", "Sel", "Berg", "Engi"}
_YEAR = re.compile(r"^(?:1[0-9]|20)[0-9]{2} ")
_PLAIN_TYPES = re.compile(r" (?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|"
                          r"Boulevard|Blvd\.?|Highway|Hwy\.?)(?:,|$)")


def find_addresses(text: str) -> list[Span]:
    """Street addresses with a house number in ``text``."""
    spans = []
    for pattern in (_IS_ADDRESS, _NORDIC_ADDRESS, _EN_ADDRESS):
        for m in pattern.finditer(text):
            value = m.group()
            if value.split(" ", 1)[0] in _NOT_STREETS:
                continue
            if pattern is _EN_ADDRESS and _YEAR.match(value) and not _PLAIN_TYPES.search(value):
                continue  # "In 1954 Supreme Court": a year, not a house number
            spans.append(Span(m.start(), m.end(), "address"))
    return spans
