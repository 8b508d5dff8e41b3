"""Masking: an excerpt shows the shape of a value, never the value."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.screening import Finding, mask
from archive.screening.findings import placeholder

LOCAL = settings(database=None, deadline=None)  # no example database in the work tree
KINDS = ["kennitala", "phone", "card", "iban", "ip", "ssn", "hetu", "email", "name", "address"]


def test_examples() -> None:
    assert mask("jon.jonsson@example.is", "email") == "jo***@***.is"
    assert mask("120174-2079", "kennitala") == "1*****-***9"
    assert mask("+354 555 1234", "phone") == "+3** *** ***4"
    assert mask("4111 1111 1111 1111", "card") == "41** **** **** **11"
    assert mask("Laugavegur 12, 101 Reykjavík", "address") == "L********* **, *** R********"
    assert placeholder("email") == "[EMAIL]" and placeholder("fodselsnummer") == "[FODSELSNUMMER]"


@LOCAL
@given(st.text(alphabet=string.ascii_letters + string.digits + " -./+()", min_size=1,
               max_size=60), st.sampled_from([k for k in KINDS if k not in ("email", "name",
                                                                              "address")]))
def test_mask_shows_at_most_a_quarter(value: str, kind: str) -> None:
    masked = mask(value, kind)
    original = value.strip()
    assert len(masked) == len(original)
    shown = sum(ch.isalnum() for ch in masked)
    total = sum(ch.isalnum() for ch in original)
    assert shown <= min(4, total // 4)
    assert all(m == o or m == "*" for m, o in zip(masked, original, strict=True))
    if total >= 4:
        assert masked != original


@LOCAL
@given(st.text(alphabet=string.ascii_lowercase + string.digits, min_size=3, max_size=30),
       st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=20),
       st.sampled_from(["is", "com", "co.uk", "no"]))
def test_mask_email_hides_local_part_and_domain(local: str, domain: str, tld: str) -> None:
    masked = mask(f"{local}@{domain}.{tld}", "email")
    assert local not in masked
    assert domain not in masked.rsplit(".", 1)[0]
    assert masked.startswith(local[:2] if len(local) >= 8 else local[:1] if len(local) >= 4
                             else "***")


@LOCAL
@given(st.lists(st.text(alphabet="ÁÐÉÍÓÚÝÞÆÖabcdefghijklmnopqrstuvwxyzáðéíóúýþæö0123456789",
                        min_size=1, max_size=12), min_size=1, max_size=4))
def test_mask_name_shows_initials_and_no_digits(words: list[str]) -> None:
    value = " ".join(words)
    masked = mask(value, "name")
    assert not any(ch.isdigit() for ch in masked)
    for word, shown in zip(value.split(" "), masked.split(" "), strict=True):
        assert sum(ch != "*" for ch in shown) <= 1
        assert len(shown) == len(word)


def test_finding_is_json_safe() -> None:
    finding = Finding("r-1", "/turns/3/text", "email", 4, 20, "jo***@***.is", "blocked")
    assert finding.to_dict()["field"] == "/turns/3/text"
