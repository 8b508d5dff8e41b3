"""Realistic personal values with real check digits, look-alikes, and prose to hide them in."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

import phonenumbers
from stdnum import iban, luhn
from stdnum.no import fodselsnummer
from stdnum.us import ssn

from archive.records import Origin, Record

KT_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
HETU_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def kennitala(day: int, month: int, year: int, serial: int, *, hyphen: bool = True) -> str | None:
    """A kennitala for a birth date and a two-digit serial (20-99), or ``None`` when that
    serial gives check digit 10 (no such kennitala)."""
    first8 = f"{day:02d}{month:02d}{year % 100:02d}{serial:02d}"
    check = (11 - sum(int(d) * w for d, w in zip(first8, KT_WEIGHTS, strict=True)) % 11) % 11
    if check == 10:
        return None
    number = f"{first8}{check}{'9' if year < 2000 else '0'}"
    return f"{number[:6]}-{number[6:]}" if hyphen else number


def random_date(rng: random.Random, start: int = 1935, end: int = 2010) -> datetime.date:
    return datetime.date(start, 1, 1) + datetime.timedelta(
        days=rng.randrange((datetime.date(end, 12, 31) - datetime.date(start, 1, 1)).days))


def make_kennitala(rng: random.Random) -> str:
    while True:
        d = random_date(rng)
        value = kennitala(d.day, d.month, d.year, rng.randint(20, 99), hyphen=rng.random() < 0.8)
        if value:
            return value


def make_ssn(rng: random.Random) -> str:
    while True:
        value = f"{rng.randint(1, 899):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
        if ssn.is_valid(value):
            return value


def make_card(rng: random.Random) -> str:
    network = rng.choice(["visa", "mc", "amex"])
    if network == "amex":
        body = "3" + rng.choice("47") + "".join(rng.choice("0123456789") for _ in range(12))
        digits = body + luhn.calc_check_digit(body)
        return f"{digits[:4]} {digits[4:10]} {digits[10:]}"
    prefix = "4" if network == "visa" else str(rng.randint(51, 55))
    body = prefix + "".join(rng.choice("0123456789") for _ in range(15 - len(prefix)))
    digits = body + luhn.calc_check_digit(body)
    sep = rng.choice([" ", "-", ""])
    return sep.join(digits[i:i + 4] for i in range(0, 16, 4))


IBAN_FORMATS = {"IS": (22,), "DE": (18,), "GB": ("WEST", 14), "NO": (11,)}


def make_iban(rng: random.Random, country: str | None = None) -> str:
    country = country or rng.choice(sorted(IBAN_FORMATS))
    if country == "GB":
        bban = rng.choice(["WEST", "NWBK", "BARC"]) + "".join(
            rng.choice("0123456789") for _ in range(14))
    elif country == "IS":  # bank(4) branch(2) account(6) kennitala(10)
        bban = "".join(rng.choice("0123456789") for _ in range(12)) + make_kennitala(
            rng).replace("-", "")
    else:
        bban = "".join(rng.choice("0123456789") for _ in range(IBAN_FORMATS[country][0]))
    number = country + "00" + bban
    number = country + iban.calc_check_digits(number) + bban
    if not iban.is_valid(number):  # the Norwegian BBAN has its own mod-11 check
        return make_iban(rng, country)
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def make_fodselsnummer(rng: random.Random) -> str:
    while True:
        d = random_date(rng)
        first9 = f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" + f"{rng.randint(0, 499):03d}"
        try:
            c1 = fodselsnummer.calc_check_digit1(first9)
            c2 = fodselsnummer.calc_check_digit2(first9 + c1)
        except Exception:
            continue
        value = first9 + c1 + c2
        if len(value) == 11 and fodselsnummer.is_valid(value):
            return value


def make_personnummer(rng: random.Random) -> str:
    d = random_date(rng)
    body = f"{d.year % 100:02d}{d.month:02d}{d.day:02d}{rng.randint(0, 999):03d}"
    return f"{body[:6]}-{body[6:]}{luhn.calc_check_digit(body)}"


def make_hetu(rng: random.Random) -> str:
    d = random_date(rng, 1935, 1999)
    individual = f"{rng.randint(2, 899):03d}"
    check = HETU_CHARS[int(f"{d.day:02d}{d.month:02d}{d.year % 100:02d}{individual}") % 31]
    return f"{d.day:02d}{d.month:02d}{d.year % 100:02d}-{individual}{check}"


FIRST = ["jon", "gudrun", "sigridur", "olafur", "helga", "anna", "john", "sarah", "kristin",
         "magnus"]
LAST = ["jonsson", "helgadottir", "sigurdsson", "smith", "brown", "einarsdottir", "olsen"]
DOMAINS = ["simnet.is", "hi.is", "gmail.com", "example.co.uk", "visir.is", "outlook.com"]


def make_email(rng: random.Random) -> str:
    sep = rng.choice([".", "_", ""])
    return f"{rng.choice(FIRST)}{sep}{rng.choice(LAST)}{rng.randint(0, 99) if rng.random() < .3 else ''}@{rng.choice(DOMAINS)}"  # noqa: E501


def make_phone(rng: random.Random) -> str:
    """A phone number in an allocated range (real numbers are), in a common format."""
    while True:
        value = _phone(rng)
        number = phonenumbers.parse(value.replace("0044", "+44", 1), "IS")
        if phonenumbers.is_valid_number(number) or value.startswith("(555)"):
            return value


def _phone(rng: random.Random) -> str:
    style = rng.choice(["is_intl", "is_local", "gb_00", "us_paren", "us_intl"])
    if style == "is_intl":
        return f"+354 {rng.choice('5678')}{rng.randint(10, 99)} {rng.randint(1000, 9999)}"
    if style == "is_local":
        return f"{rng.choice('5678')}{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    if style == "gb_00":
        return f"0044 20 7946 {rng.randint(0, 999):04d}"
    if style == "us_paren":
        return f"({rng.choice(['212', '415', '555', '617'])}) 555-01{rng.randint(0, 99):02d}"
    return f"+1 {rng.choice(['212', '415', '617'])} 555 01{rng.randint(0, 99):02d}"


def make_ip(rng: random.Random) -> str:
    first = rng.choice([10, 31, 82, 130, 157, 172, 192, 213])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


MAKERS = {"kennitala": make_kennitala, "ssn": make_ssn, "card": make_card, "iban": make_iban,
          "fodselsnummer": make_fodselsnummer, "personnummer": make_personnummer,
          "hetu": make_hetu, "email": make_email, "phone": make_phone, "ip": make_ip}

CHECKSUM_KINDS = ("kennitala", "ssn", "card", "iban", "fodselsnummer", "personnummer", "hetu")

CONTEXT = {
    "kennitala": ["Kennitala hennar er {v}.", "Umsækjandi, kt. {v}, sótti um styrk.",
                  "Skráð á {v} í þjóðskrá.", "Her Icelandic ID number is {v}."],
    "ssn": ["His social security number is {v}.", "SSN: {v}", "Employee file {v} was closed."],
    "card": ["Greitt með korti {v}.", "Paid by card {v} on Monday.", "Card number {v}."],
    "iban": ["Leggið inn á reikning {v}.", "Please transfer the fee to {v} by Friday.",
             "IBAN {v}"],
    "fodselsnummer": ["Fødselsnummer {v} er registrert.", "Her Norwegian number is {v}."],
    "personnummer": ["Personnummer {v} finns i registret.", "Swedish personal number {v}."],
    "hetu": ["Henkilötunnus {v}.", "Finnish identity code {v} was given."],
    "email": ["Hafðu samband á {v} ef þú hefur spurningar.", "Write to {v} for details.",
              "{v}"],
    "phone": ["Hringdu í síma {v} eftir hádegi.", "Call me at {v} tomorrow.",
              "Farsíminn er {v}.", "You can reach the office on {v}."],
    "ip": ["Innskráning kom frá {v} í nótt.", "The request came from IP {v} at night.",
           "Server {v} was down."],
}

LOOKALIKES = [
    "Pöntun nr. 5551234 var send í gær.", "Order #48213579 shipped on 2023-05-12.",
    "ISBN 978-9935-11-245-3 er á bókinni.", "See ISBN 0-306-40615-2 for the first edition.",
    "Fundurinn var haldinn 12.05.2023 kl. 14:30.", "Published 12/05/2023, updated 10:30:00.",
    "Uppfærðu í version 1.2.3.4 áður en þú byrjar.", "Release v2.10.3 fixed it.",
    "Verðið er 5.000.000 kr. með virðisaukaskatti.", "It cost $1,299.99 in 2019.",
    "Árið 1944 bjuggu um 126.000 manns á Íslandi.", "Population grew to 1 234 567 by 2001.",
    "Sjá bls. 123-145 í skýrslunni.", "Section 3.2.1.4 explains the method.",
    "Pósthólf 101 Reykjavík var lokað.", "Invoice 2023-0042-117 is overdue.",
    "Tracking number 1Z999AA10123456784 arrived.", "Reference 4111-1111 was cancelled.",
    "Mælingin var 3,14159 og 2,71828.", "GPS-tækið sýndi 64.1466 og -21.9426.",
]


def corrupt(value: str, kind: str) -> str:
    """The value with its check broken (a different last digit, or IBAN check digits)."""
    if kind == "iban":
        compact = value.replace(" ", "")
        check = f"{(int(compact[2:4]) + 1) % 97 or 2:02d}"
        return value[:2] + check + value[4:]
    if kind == "ssn":  # no check digit: group 00 is never issued
        return value[:4] + "00" + value[6:]
    if kind == "kennitala":
        i = 8 if "-" not in value else 9
        return value[:i] + str((int(value[i]) + 1) % 10) + value[i + 1:]
    i = max(i for i, ch in enumerate(value) if ch.isdigit())
    return value[:i] + str((int(value[i]) + 3) % 10) + value[i + 1:]


FILLER_IS = [
    "Veðrið var gott og fólk fór út að ganga meðfram sjónum.",
    "Skólinn hóf starfsemi sína um haustið og nemendum fjölgaði ár frá ári.",
    "Í ritgerðinni er fjallað um breytingar á íslensku máli á tuttugustu öld.",
    "Bókasafnið er opið alla virka daga og þar má finna gömul dagblöð.",
    "Margir telja að tungumálið eigi undir högg að sækja í stafrænum heimi.",
]
FILLER_EN = [
    "The weather was mild and people walked along the harbour in the evening.",
    "The school opened in the autumn and the number of pupils grew every year.",
    "This essay discusses how the language changed during the twentieth century.",
    "The library is open on weekdays and keeps old newspapers on microfilm.",
    "Many believe the language is under pressure in a digital world.",
]


@dataclass
class Labelled:
    """A text and the spans of personal values seeded into it."""

    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def labelled_texts(seed: int = 7, count: int = 300) -> list[Labelled]:
    """Texts in Icelandic and English, each with two seeded values and a look-alike."""
    rng = random.Random(seed)
    out = []
    kinds = sorted(MAKERS)
    for i in range(count):
        doc = Labelled("")
        fillers = FILLER_IS if i % 2 else FILLER_EN
        parts = [rng.choice(fillers)]
        for kind in (kinds[i % len(kinds)], rng.choice(kinds)):
            value = MAKERS[kind](rng)
            template = rng.choice(CONTEXT[kind])
            prefix = " ".join(parts) + " "
            before, _, after = template.partition("{v}")
            start = len(prefix) + len(before)
            doc.spans.append((start, start + len(value), kind))
            parts.append(before + value + after)
            parts.append(rng.choice(fillers))
        parts.append(rng.choice(LOOKALIKES))
        if i % 3 == 0:  # a value whose check digit is wrong must not be found
            kind = rng.choice(CHECKSUM_KINDS)
            parts.append(f"Ógilt gildi: {corrupt(MAKERS[kind](rng), kind)}.")
        doc.text = " ".join(parts)
        out.append(doc)
    return out


def text_record(key: str, text: str, **fields: object) -> Record:
    return Record(key=key, split="train", fields={"id": key, "text": text, **fields},
                  origin=Origin("data.jsonl", line=int(key.rsplit("-", 1)[-1]) + 1
                                if key.rsplit("-", 1)[-1].isdigit() else 1))
