"""The screening stage end to end: policies, the verdict, the report, duplicates, languages."""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest

from archive.errors import EntryError, ScreeningError
from archive.records import Origin, Record
from archive.screening import Policy, Screener, ScreeningReport
from archive.screening.findings import mask, placeholder

from .samples import FILLER_EN, FILLER_IS, MAKERS, make_kennitala, text_record

SEEDED_KINDS = ["kennitala", "ssn", "card", "iban", "email", "phone", "ip", "fodselsnummer",
                "personnummer", "hetu"]


def seeded_records(count: int = 40, seed: int = 3) -> tuple[list[Record], list[str]]:
    """Text records with personal values in the text, in metadata, and in a title."""
    rng = random.Random(seed)
    records, values = [], []
    for i in range(count):
        kind = SEEDED_KINDS[i % len(SEEDED_KINDS)]
        value = MAKERS[kind](rng)
        contact = MAKERS["email"](rng)
        values += [value, contact]
        text = f"{rng.choice(FILLER_IS)} Upplýsingar: {value}. {rng.choice(FILLER_EN)} " * 2
        records.append(text_record(f"essay-{i}", text, title=f"Ritgerð {i}",
                                   metadata={"contact": {"email": contact}, "year": 2020 + i}))
    return records, values


def screen_all(screener: Screener, records: list[Record]) -> list[Record]:
    return [out for record in records if (out := screener.screen(record)) is not None]


def as_text(records: list[Record]) -> str:
    return json.dumps([r.fields for r in records], ensure_ascii=False)


def test_redact_replaces_every_seeded_value(tmp_path: Path) -> None:
    records, values = seeded_records()
    policy = Policy.from_dict({"pii": {"default": "redact"}})
    screener = Screener(dataset_id="essays", record_type="text", declared_languages=["is", "en"],
                        policy=policy)
    out = screen_all(screener, records)
    report = screener.finish()
    published = as_text(out)
    assert len(out) == len(records)
    assert not [v for v in values if v in published]
    for kind in SEEDED_KINDS:
        assert placeholder(kind) in published
    summary = report.summary()
    assert summary["counts"]["records_redacted"] == len(records)
    assert summary["findings"]["by_field"]["/metadata/contact/email"] == len(records)
    assert not summary["blocked"]
    report_text = json.dumps(summary) + report.write(tmp_path / "f.jsonl").read_text("utf-8")
    assert not [v for v in values if v in report_text]


def test_default_policy_blocks_and_names_the_record(tmp_path: Path) -> None:
    value = make_kennitala(random.Random(1))
    records = [text_record("essay-0", "Þetta er saklaus texti um veðrið og sjóinn í dag."),
               text_record("essay-1", f"Kennitalan mín er {value} og ég bý í Reykjavík.")]
    screener = Screener(dataset_id="essays", record_type="text", declared_languages=["is"],
                        policy=Policy.from_dict(None), report_path=tmp_path / "screening.jsonl")
    out = screen_all(screener, records)
    assert value not in as_text(out)  # blocked values are redacted in what is handed on too
    with pytest.raises(ScreeningError) as caught:
        screener.finish()
    message = str(caught.value)
    assert "dataset essays" in message and "record essay-1" in message
    assert "at /text" in message and "data.jsonl:2" in message
    assert "kennitala" in message and value not in message
    assert mask(value, "kennitala") in message
    assert str(tmp_path / "screening.jsonl") in message
    lines = (tmp_path / "screening.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["kennitala"]
    assert value not in "".join(lines)


def test_fail_fast_raises_at_the_record() -> None:
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["en"],
                        policy=Policy.from_dict({"fail_fast": True}))
    screener.screen(text_record("r-0", "Nothing personal in this sentence at all."))
    with pytest.raises(ScreeningError, match="record r-1"):
        screener.screen(text_record("r-1", "Write to jane.doe@example.com today."))


def test_drop_policy_drops_the_record() -> None:
    records = [text_record("r-0", "A quiet essay about the sea and the weather here."),
               text_record("r-1", "Call me at +354 555 1234 after work, please.")]
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["en"],
                        policy=Policy.from_dict({"pii": {"phone": "drop"}}))
    out = screen_all(screener, records)
    report = screener.finish()
    assert [r.key for r in out] == ["r-0"]
    assert report.summary()["dropped_by"] == {"phone": 1}
    assert report.findings[0].action == "dropped"


def test_report_policy_keeps_the_value() -> None:
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["en"],
                        policy=Policy.from_dict({"pii": {"default": "report"}}))
    out = screener.screen(text_record("r-0", "Server 82.221.10.4 answered slowly."))
    assert out is not None and "82.221.10.4" in out.fields["text"]
    assert screener.finish().summary()["findings"]["by_action"] == {"reported": 1}


def conversation(key: str, turns: list[tuple[str, str]], **fields: object) -> Record:
    return Record(key=key, split="train", origin=Origin("talks.jsonl", line=1),
                  fields={"turns": [{"speaker": s, "text": t} for s, t in turns], **fields})


def test_conversation_speaker_names_and_turns() -> None:
    record = conversation("talk-1", [
        ("Spyrill", "Góðan dag, hvernig hefur þú það í dag?"),
        ("Jón Jónsson", "Ég hef það gott, takk. Hringdu í 699 1234 á morgun."),
        ("Spyrill", "Takk fyrir, Jón. Ég heyri í Jóni á morgun."),
        ("Speaker 2", "Þetta var gott spjall um veðrið."),
    ], metadata={"interviewer": "Anna Björk Pétursdóttir", "recorded": "2021"})
    screener = Screener(dataset_id="talks", record_type="conversation",
                        declared_languages=["is"],
                        policy=Policy.from_dict({"pii": {"default": "redact"}}))
    out = screener.screen(record)
    assert out is not None
    turns = out.fields["turns"]
    assert [t["speaker"] for t in turns] == ["Spyrill", "[NAME]", "Spyrill", "Speaker 2"]
    assert turns[1]["text"] == "Ég hef það gott, takk. Hringdu í [PHONE] á morgun."
    assert turns[2]["text"] == "Takk fyrir, [NAME]. Ég heyri í [NAME] á morgun."
    assert out.fields["metadata"] == {"interviewer": "[NAME]", "recorded": "2021"}
    fields = {f.field for f in screener.finish().findings}
    assert fields == {"/turns/1/speaker", "/turns/1/text", "/turns/2/text",
                      "/metadata/interviewer"}
    assert record.fields["turns"][1]["speaker"] == "Jón Jónsson"  # the input is not changed


def test_exact_and_near_duplicates() -> None:
    rng = random.Random(5)
    words = " ".join(FILLER_EN).split()
    base = " ".join(rng.choice(words) for _ in range(300))
    near = base.replace(" the ", " a ", 1)
    records = [text_record("r-0", base), text_record("r-1", "  " + base.upper() + "\n"),
               text_record("r-2", near), text_record("r-3", " ".join(FILLER_IS * 3))]
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["en", "is"])
    out = screen_all(screener, records)
    summary = screener.finish().summary()
    assert [r.key for r in out] == ["r-0", "r-2", "r-3"]  # exact dropped, near reported
    assert summary["duplicates"]["exact"] == 1 and summary["duplicates"]["near"] == 1
    near_finding = next(f for f in screener.report.findings if f.kind == "near_duplicate")
    assert "r-0" in near_finding.excerpt and near_finding.action == "reported"

    policy = Policy.from_dict({"duplicates": {"exact": "report", "near": "drop"}})
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["en", "is"],
                        policy=policy)
    assert [r.key for r in screen_all(screener, records)] == ["r-0", "r-1", "r-3"]

    policy = Policy.from_dict({"duplicates": {"near": "off"}})
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["en", "is"],
                        policy=policy)
    assert [r.key for r in screen_all(screener, records)] == ["r-0", "r-2", "r-3"]
    assert screener.finish().summary()["duplicates"]["near"] == 0


def language_records(icelandic_share: float, count: int = 50) -> list[Record]:
    """Distinct short essays, the first ``icelandic_share`` of them in Icelandic."""
    cut = int(count * icelandic_share)
    return [text_record(f"r-{i}", f"{(FILLER_IS if i < cut else FILLER_EN)[i % 5]} "
                                  f"{(FILLER_IS if i < cut else FILLER_EN)[(i // 5) % 5]} {i}")
            for i in range(count)]


def test_undeclared_language_holds_the_release() -> None:
    screener = Screener(dataset_id="essays", record_type="text", declared_languages=["en"])
    screen_all(screener, language_records(0.2))
    with pytest.raises(ScreeningError, match=r"20\.0% of records .*undeclared languages .*is: 10"):
        screener.finish()
    language = screener.report.summary()["language"]
    assert language["detected"] == {"en": 0.8, "is": 0.2} and language["held"]


def test_a_few_undeclared_records_pass_and_short_texts_are_undetermined() -> None:
    records = [*language_records(0.06), text_record("r-90", "Já, takk."),
               text_record("r-91", "OK")]
    screener = Screener(dataset_id="essays", record_type="text", declared_languages=["en"])
    screen_all(screener, records)
    language = screener.finish().summary()["language"]
    assert language["undetermined"] == 2 and language["undeclared"] == 3
    assert language["undeclared_share"] == 0.06 and not language["held"]


def test_norwegian_declared_as_no_covers_bokmal() -> None:
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["no"])
    screener.screen(text_record("r-0", "Jeg bor i Oslo og liker å gå tur i skogen om helgene."))
    assert screener.finish().summary()["language"]["undeclared"] == 0


def test_summary_is_json_safe_and_bounded() -> None:
    records, values = seeded_records(count=12)
    policy = Policy.from_dict({"pii": {"default": "redact"}, "max_findings": 5})
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["is", "en"],
                        policy=policy)
    screen_all(screener, records)
    report = screener.finish()
    assert isinstance(report, ScreeningReport)
    summary = json.loads(json.dumps(report.summary()))
    assert summary["findings"]["kept"] == 5 and summary["findings"]["total"] > 5
    assert len(report.findings) == 5
    assert summary["policy"]["pii"]["kennitala"] == "redact"
    assert not [v for v in values if v in json.dumps(summary)]


@pytest.mark.parametrize(("section", "pointer"), [
    ({"pii": {"email": "hide"}}, "/screening/pii/email"),
    ({"pii": {"shoe_size": "block"}}, "/screening/pii/shoe_size"),
    ({"language": {"max_undeclared_share": 2}}, "/screening/language/max_undeclared_share"),
    ({"duplicates": {"exact": "redact"}}, "/screening/duplicates/exact"),
    ({"colour": "blue"}, "/screening/colour"),
])
def test_policy_errors_name_the_key(section: dict, pointer: str) -> None:
    with pytest.raises(EntryError) as caught:
        Policy.from_dict(section)
    assert pointer in str(caught.value)


def test_policy_defaults_and_groups() -> None:
    policy = Policy.from_dict({"pii": {"national_id": "redact", "email": "report"}})
    assert policy.action("kennitala") == "redact" and policy.action("hetu") == "redact"
    assert policy.action("email") == "report" and policy.action("phone") == "block"
    assert Policy.from_dict(None) == Policy()


def test_decomposed_unicode_and_nested_metadata_are_screened() -> None:
    text = unicodedata.normalize(
        "NFD", "Nafn: Guðrún Helgadóttir býr á Laugavegi 12, 101 Reykjavík.")
    record = text_record("r-1", text, metadata={"people": [{"note": "sími +354 555 1234"}]})
    screener = Screener(dataset_id="d", record_type="text", declared_languages=["is"],
                        policy=Policy.from_dict({"pii": {"default": "redact"}}))
    out = screener.screen(record)
    assert out is not None
    assert out.fields["text"] == "Nafn: [NAME] býr á [ADDRESS]."
    assert out.fields["metadata"] == {"people": [{"note": "sími [PHONE]"}]}
    assert screener.finish().summary()["findings"]["by_field"] == {
        "/metadata/people/*/note": 1, "/text": 2}


def test_batch_screening_gives_the_same_records_and_report() -> None:
    rng = random.Random(3)
    records = [text_record(f"r-{i}", " ".join(FILLER_IS if i % 4 == 0 else FILLER_EN)
                           + f" Kennitala {make_kennitala(rng)} ({i}).") for i in range(40)]
    policy = {"pii": {"default": "redact"}}
    one = Screener(dataset_id="d", record_type="text", declared_languages=["en"],
                   policy=Policy.from_dict(policy))
    many = Screener(dataset_id="d", record_type="text", declared_languages=["en"],
                    policy=Policy.from_dict(policy))
    singly = [one.screen(r) for r in records]
    batched = many.screen_many(records[:17]) + many.screen_many(records[17:])
    assert [r and r.fields for r in singly] == [r and r.fields for r in batched]
    assert one.report.summary() == many.report.summary()
    assert many.report.summary()["language"]["detected"]["is"] == 0.25
