"""Precision and recall of the text detectors on a labelled set made here.

The set: 300 short documents in Icelandic and English prose, each with two
seeded values (kennitala, SSN, card, IBAN, Norwegian, Swedish and Finnish ids,
email, phone, IP) and one look-alike (order numbers, ISBNs, dates, prices,
version numbers, years), and every third one with a number whose check digit is
wrong. Names and addresses have their own small hand-labelled set.
"""

from __future__ import annotations

from collections import Counter

import pytest

from archive.screening.pii import TextDetector

from .samples import CHECKSUM_KINDS, labelled_texts

DETECTOR = TextDetector(["is", "en"])


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def test_precision_and_recall_on_labelled_set() -> None:
    found_right, seeded, wrong = Counter(), Counter(), Counter()
    total = 0
    for doc in labelled_texts(seed=7, count=300):
        spans = DETECTOR.find(doc.text)
        total += len(spans)
        for start, end, kind in doc.spans:
            seeded[kind] += 1
            found_right[kind] += any(s.kind == kind and overlaps((s.start, s.end), (start, end))
                                     for s in spans)
        for s in spans:
            if not any(overlaps((s.start, s.end), (a, b)) for a, b, _ in doc.spans):
                wrong[s.kind] += 1
    recall = {kind: found_right[kind] / seeded[kind] for kind in sorted(seeded)}
    precision = (total - sum(wrong.values())) / total
    print("\nkind            seeded  recall")
    for kind, value in recall.items():
        print(f"{kind:15s} {seeded[kind]:6d}  {value:.3f}")
    print(f"precision {precision:.3f} over {total} findings; false: {dict(wrong)}")
    assert all(recall[kind] >= 0.95 for kind in CHECKSUM_KINDS)
    assert all(value >= 0.9 for value in recall.values())
    assert precision >= 0.9


NAMES_AND_ADDRESSES = [
    ("Nafn: Guðrún Helgadóttir\nSími: 555 1234", [("name", "Guðrún Helgadóttir")]),
    ("My name is John Smith and I live in Leeds.", [("name", "John Smith")]),
    ("Ég heiti Sigríður og bý í Kópavogi.", [("name", "Sigríður")]),
    ("Dr. Watson examined the patient.", [("name", "Watson")]),
    ("Viðtal við Jón Sigurðsson um kvótakerfið.", [("name", "Jón Sigurðsson")]),
    ("Við hittum Önnu Jónsdóttur í gær.", [("name", "Önnu Jónsdóttur")]),
    ("Ég bý á Laugavegi 12, 101 Reykjavík.", [("address", "Laugavegi 12, 101 Reykjavík")]),
    ("Skrifstofan er á Hverfisgötu 4a.", [("address", "Hverfisgötu 4a")]),
    ("Send it to 221B Baker Street, London NW1 6XE.",
     [("address", "221B Baker Street, London NW1 6XE")]),
    ("She moved to 1600 Pennsylvania Avenue.", [("address", "1600 Pennsylvania Avenue")]),
    ("Adressen er Storgata 5, 0155 Oslo.", [("address", "Storgata 5, 0155 Oslo")]),
    ("Wir wohnen in der Hauptstraße 17, 10115 Berlin.",
     [("address", "Hauptstraße 17, 10115 Berlin")]),
    # look-alikes
    ("Árið 1944 var lýðveldið stofnað á Þingvöllum.", []),
    ("In 1954 the Supreme Court decided the case.", []),
    ("Reykjavík 101 er vinsælt hverfi.", []),
    ("The meeting: 14:30 in room 12.", []),
    ("Kafli 3: Aðferðir og gögn.", []),
    ("Speaker 2 talked about the weather.", []),
    ("Laugavegur er lengsta verslunargatan.", []),
    ("Spring 2020 was cold.", []),
]


@pytest.mark.parametrize(("text", "expected"), NAMES_AND_ADDRESSES)
def test_names_and_addresses(text: str, expected: list[tuple[str, str]]) -> None:
    found = [(s.kind, text[s.start:s.end]) for s in DETECTOR.find(text)
             if s.kind in ("name", "address")]
    assert found == expected
