"""The screening policy's options, read one by one, and the text fields screening reads.

The bounds and messages are written out here, not taken from the policy module, so
that a change to either shows as a failing test.
"""

from __future__ import annotations

from typing import Any

import pytest

from archive.errors import EntryError
from archive.records import Record
from archive.screening.fields import MAIN_TEXT, main_text, text_fields, with_values
from archive.screening.policy import Policy

NUMBERS = [
    # (section, key, Policy attribute, lowest, highest, whole number)
    ("language", "max_undeclared_share", "max_undeclared_share", 0, 1, False),
    ("language", "min_chars", "language_min_chars", 1, 10_000, True),
    ("language", "sample_chars", "language_sample_chars", 50, 1_000_000, True),
    ("duplicates", "near_threshold", "near_threshold", 0.5, 1, False),
    ("duplicates", "shingle_words", "shingle_words", 1, 8, True),
    ("duplicates", "near_min_words", "near_min_words", 1, 1000, True),
    ("media", "video_decode_frames", "video_decode_frames", 1, 10**9, True),
    (None, "max_findings", "max_findings", 0, 10**7, True),
]
IDS = [key for _, key, *_ in NUMBERS]
HINT = "fix the value in the entry's screening section"


def section(where: str | None, key: str, value: Any) -> dict[str, Any]:
    return {key: value} if where is None else {where: {key: value}}


def pointer(where: str | None, key: str) -> str:
    return f"/screening/{key}" if where is None else f"/screening/{where}/{key}"


@pytest.mark.parametrize(("where", "key", "attribute", "low", "high", "whole"), NUMBERS, ids=IDS)
@pytest.mark.parametrize("bad", ["below", "above", "text", "bool", "none", "list", "nan"])
def test_a_bad_number_is_refused_with_its_bounds(where: str | None, key: str, attribute: str,
                                                 low: float, high: float, whole: bool,
                                                 bad: str) -> None:
    value = {"below": low - 1, "above": high + 1, "text": "5", "bool": True, "none": None,
             "list": [1], "nan": float("nan")}[bad]
    with pytest.raises(EntryError) as caught:
        Policy.from_dict(section(where, key, value))
    error = caught.value
    assert error.message == f"{value!r} is not a number from {low} to {high}"
    assert error.where.pointer == pointer(where, key)
    assert error.hint == HINT
    assert str(error) == f"at {pointer(where, key)}: {error.message} ({HINT})"


def test_the_messages_spell_the_bounds_as_written() -> None:
    with pytest.raises(EntryError, match=r"^at /screening/language/sample_chars: 49 is not a "
                       r"number from 50 to 1000000 \(fix the value"):
        Policy.from_dict({"language": {"sample_chars": 49}})
    with pytest.raises(EntryError, match=r": 0\.4 is not a number from 0\.5 to 1 "):
        Policy.from_dict({"duplicates": {"near_threshold": 0.4}})
    with pytest.raises(EntryError, match=r": False is not a number from 0 to 10000000 "):
        Policy.from_dict({"max_findings": False})


@pytest.mark.parametrize(("where", "key", "attribute", "low", "high", "whole"), NUMBERS, ids=IDS)
def test_the_bounds_are_inclusive(where: str | None, key: str, attribute: str, low: float,
                                  high: float, whole: bool) -> None:
    for value in (low, high):
        assert getattr(Policy.from_dict(section(where, key, value)), attribute) == value


@pytest.mark.parametrize(("where", "key", "attribute", "low", "high", "whole"), NUMBERS, ids=IDS)
def test_whole_number_options_drop_the_fraction(where: str | None, key: str, attribute: str,
                                                low: float, high: float, whole: bool) -> None:
    value = getattr(Policy.from_dict(section(where, key, low + 0.25)), attribute)
    if whole:
        assert type(value) is int and value == low
    else:
        assert value == low + 0.25


def test_fractional_options_keep_the_number_as_written() -> None:
    policy = Policy.from_dict({"language": {"max_undeclared_share": 1},
                               "duplicates": {"near_threshold": 1}})
    assert type(policy.max_undeclared_share) is int
    assert type(policy.near_threshold) is int
    assert policy.to_dict()["near_threshold"] == 1


@pytest.mark.parametrize(("where", "key", "attribute", "low", "high", "whole"), NUMBERS, ids=IDS)
def test_an_absent_option_keeps_its_default(where: str | None, key: str, attribute: str,
                                            low: float, high: float, whole: bool) -> None:
    data = {} if where is None else {where: {}}
    assert getattr(Policy.from_dict(data), attribute) == getattr(Policy(), attribute)


def test_the_defaults() -> None:
    policy = Policy.from_dict({"language": {}, "duplicates": {}, "media": {}})
    assert policy == Policy()
    assert (policy.max_undeclared_share, policy.language_min_chars,
            policy.language_sample_chars) == (0.1, 20, 200)
    assert (policy.near_threshold, policy.shingle_words, policy.near_min_words) == (0.9, 5, 20)
    assert (policy.video_decode_frames, policy.max_findings, policy.fail_fast) == (10, 10_000,
                                                                                   False)


@pytest.mark.parametrize(("where", "known"), [
    ("language", "extra_candidates, max_undeclared_share, min_chars, sample_chars"),
    ("duplicates", "exact, near, near_min_words, near_threshold, shingle_words"),
    ("media", "video_decode_frames"),
])
def test_an_unknown_key_lists_the_known_ones(where: str, known: str) -> None:
    with pytest.raises(EntryError) as caught:
        Policy.from_dict({where: {"colour": 1}})
    assert caught.value.message == "unknown key 'colour'"
    assert caught.value.where.pointer == f"/screening/{where}/colour"
    assert caught.value.hint == f"known keys: {known}"


@pytest.mark.parametrize("value", [1, "true", None])
def test_fail_fast_must_be_true_or_false(value: Any) -> None:
    with pytest.raises(EntryError) as caught:
        Policy.from_dict({"fail_fast": value})
    assert str(caught.value) == "at /screening/fail_fast: must be true or false " \
                                "(write true or false)"


@pytest.mark.parametrize(("data", "first"), [
    ({"duplicates": {"near_threshold": 0}, "language": {"min_chars": 0}},
     "/screening/language/min_chars"),
    ({"language": {"sample_chars": 0, "max_undeclared_share": 2}},
     "/screening/language/max_undeclared_share"),
    ({"duplicates": {"near_threshold": 0, "exact": "keep"}}, "/screening/duplicates/exact"),
    ({"duplicates": {"near_min_words": 0, "shingle_words": 0}},
     "/screening/duplicates/shingle_words"),
    ({"max_findings": -1, "media": {"video_decode_frames": 0}},
     "/screening/media/video_decode_frames"),
    ({"fail_fast": 1, "max_findings": -1}, "/screening/max_findings"),
    ({"media": {"video_decode_frames": 0}, "duplicates": {"colour": 1}},
     "/screening/duplicates/colour"),
])
def test_the_first_problem_is_named(data: dict[str, Any], first: str) -> None:
    with pytest.raises(EntryError) as caught:
        Policy.from_dict(data)
    assert caught.value.where.pointer == first


# Where screening finds text: archive.screening.fields.


def record(**fields: Any) -> Record:
    return Record(key="r1", split="train", fields=fields, origin=None)  # type: ignore[arg-type]


def test_main_text_fields_by_record_type() -> None:
    assert MAIN_TEXT == {"text": ("text",), "conversation": ("turns",), "image": ("caption",),
                         "audio": ("transcript",), "video": ("caption", "subtitles")}
    video = record(caption="A harbour.", subtitles="1\n00:00:01,000 --> 00:00:02,000\nHello.\n")
    assert main_text(video, "video") == "A harbour.\n\n\nHello.\n"  # timing lines emptied
    assert main_text(record(text="Essay.", caption="No."), "unknown") == "Essay."


def test_pointers_escape_tilde_and_slash() -> None:
    rec = record(id="r1", **{"a/b": "one", "c~d": ["two"]},
                 metadata={"e/f~g": {"h": "three"}, "n": 4})
    found = {f.pointer: (f.value, f.key, f.in_metadata) for f in text_fields(rec)}
    assert found == {"/a~1b": ("one", "a/b", False), "/c~0d/0": ("two", "c~d", False),
                     "/metadata/e~1f~0g/h": ("three", "h", True),
                     "/metadata/n": ("4", "n", True)}
    changed = with_values(rec, {"/a~1b": "1", "/c~0d/0": "2", "/metadata/e~1f~0g/h": "3"})
    assert changed.fields == {"id": "r1", "a/b": "1", "c~d": ["2"],
                              "metadata": {"e/f~g": {"h": "3"}, "n": 4}}
