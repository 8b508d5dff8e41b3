"""The built site in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import langcodes
import pytest

from archive.entries import Registry
from archive.errors import ArchiveError
from archive.schemas import load
from tests.helpers import essays, write_jsonl
from tests.site.conftest import Site, audio_duration, page_snippets

pytestmark = pytest.mark.browser

BY_LANGUAGE = {"is": {"site-essays", "site-conversations"}, "en": {"site-essays", "site-scenes"},
               "da": {"site-hostile"}}
BY_MODALITY = {"image": {"site-scenes"}, "audio": {"site-conversations"},
               "text": {"site-essays", "site-hostile", "site-scenes"}}


def visible_rows(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(
        "[data-catalogue-table] tbody tr",
        "rows => rows.filter(r => !r.hidden && r.offsetParent !== null).map(r => r.dataset.id)"))


def test_catalogue_lists_every_dataset(site: Site, page: Any, artifacts: Path) -> None:
    page.goto(site.page_url("generated/catalogue.html"))
    assert visible_rows(page) == set(site.report.datasets)
    assert page.locator("[data-catalogue-count]").inner_text() == "4 datasets."
    headers = page.locator("[data-catalogue-table] thead th").all_inner_texts()
    assert [h.strip() for h in headers] == ["Dataset", "Languages", "Modalities", "Records",
                                            "Size", "Licence", "Latest version", "Date"]
    row = page.locator('tr[data-id="site-essays"] td').all_inner_texts()
    assert row[1:] == ["English (en), Icelandic (is)", "Text", "12", "2.6 kB", "CC-BY-4.0",
                       "v1.1.0", row[-1]] and re.fullmatch(r"\d{4}-\d\d-\d\d", row[-1])
    page.screenshot(path=str(artifacts / "catalogue.png"), full_page=True)
    assert page.errors == []


@pytest.mark.parametrize("language", sorted(BY_LANGUAGE))
def test_filtering_by_language_shows_exactly_its_datasets(site: Site, page: Any,
                                                          language: str) -> None:
    page.goto(site.page_url("generated/catalogue.html"))
    page.select_option('select[name="language"]', language)
    assert visible_rows(page) == BY_LANGUAGE[language]
    shown = len(BY_LANGUAGE[language])
    assert page.locator("[data-catalogue-count]").inner_text() == f"{shown} of 4 datasets shown."
    assert f"language={language}" in page.url
    page.goto(site.page_url(f"generated/catalogue.html?language={language}"))
    assert visible_rows(page) == BY_LANGUAGE[language]
    page.goto(site.page_url(f"generated/languages/{language}.html"))
    assert visible_rows(page) == BY_LANGUAGE[language]


def test_filtering_by_modality_licence_and_name_and_clearing(site: Site, page: Any) -> None:
    page.goto(site.page_url("generated/catalogue.html"))
    for modality, expected in BY_MODALITY.items():
        page.select_option('select[name="modality"]', modality)
        assert visible_rows(page) == expected
    page.select_option('select[name="modality"]', "text")
    page.select_option('select[name="license"]', "CC0-1.0")
    assert visible_rows(page) == {"site-scenes"}
    page.click("[data-catalogue-filters] button[type=reset]")
    page.wait_for_function("document.querySelector('[data-catalogue-count]').textContent"
                           " === '4 datasets.'")
    page.fill('input[name="q"]', "fish")
    assert visible_rows(page) == {"site-conversations"}
    assert page.errors == []


def test_sorting_by_records_and_by_version(site: Site, page: Any) -> None:
    page.goto(site.page_url("generated/catalogue.html"))
    order = 'rows => rows.map(r => r.dataset.id)'
    page.click("th[data-key=records] button")
    ids = page.eval_on_selector_all("[data-catalogue-table] tbody tr", order)
    assert ids == ["site-conversations", "site-hostile", "site-scenes", "site-essays"]
    assert page.get_attribute("th[data-key=records]", "aria-sort") == "ascending"
    page.click("th[data-key=records] button")
    ids = page.eval_on_selector_all("[data-catalogue-table] tbody tr", order)
    assert ids[0] == "site-essays" and ids[-1] == "site-hostile"
    page.click("th[data-key=version] button")
    page.click("th[data-key=version] button")
    ids = page.eval_on_selector_all("[data-catalogue-table] tbody tr", order)
    assert ids[0] == "site-essays"


def test_the_site_search_finds_a_dataset_by_words_in_its_card(site: Site, page: Any) -> None:
    page.goto(site.page_url("index.html"))
    page.click("input[data-md-component=search-query]")
    page.keyboard.type("fjords")
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=15_000)
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "as => as.map(a => a.href)")
    assert {h.split("?")[0].split("#")[0] for h in hrefs} == {
        site.page_url("generated/datasets/site-scenes.html")}


@pytest.mark.parametrize("dataset,kind", [("site-essays", "text"), ("site-scenes", "image"),
                                          ("site-conversations", "audio")])
def test_dataset_page_shows_charts_preview_and_snippets(site: Site, page: Any, dataset: str,
                                                       kind: str, artifacts: Path) -> None:
    page.goto(site.page_url(f"generated/datasets/{dataset}.html"))
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 3
    assert page.locator("#chart-languages-title").text_content() == "Records per language"
    assert page.locator("figure.chart rect.chart-bar").count() >= 3
    box = charts.first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 20
    records = page.locator(".ds-record")
    assert records.count() == 3
    if kind == "text":
        assert "harbour" in records.first.locator(".ds-text").inner_text().lower()
    if kind == "image":
        thumbs = page.locator("img.ds-thumb")
        assert thumbs.count() == 3
        thumbs.first.scroll_into_view_if_needed()
        page.wait_for_function("[...document.querySelectorAll('img.ds-thumb')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
        assert thumbs.first.get_attribute("alt") == "A red fishing boat moored at a wooden pier."
    if kind == "audio":
        assert page.locator("audio.ds-audio source[type='audio/flac']").count() == 3
        duration = audio_duration(page)
        assert 0.9 < duration < 1.1
        assert "Spyrill" in page.locator(".ds-turns").first.inner_text()
    keys = page.eval_on_selector_all("[data-snippet]", "s => s.map(e => e.dataset.snippet)")
    assert keys == ["parquet", "streaming", "webdataset", "files"]
    assert page.locator(".ds-card h3", has_text="Intended uses").count() == 1
    assert page.locator("table code", has_text="data/train-00000.parquet").count() == 1
    assert page.locator("#release-history + .ds-history tbody tr, .ds-history tbody tr").count()
    if dataset == "site-essays":
        history = page.locator(".ds-history tbody tr").all_inner_texts()
        assert history[0].startswith("v1.1.0") and "10 → 12 records (+2)" in history[0]
        assert "First release: 10 records" in history[1]
        page.screenshot(path=str(artifacts / "dataset-page.png"), full_page=True)
    assert page.errors == []


@pytest.mark.parametrize("dataset", ["site-essays", "site-scenes", "site-conversations"])
def test_snippets_copied_from_the_page_load_the_dataset(site: Site, page: Any, dataset: str,
                                                        tmp_path: Path) -> None:
    page.goto(site.page_url(f"generated/datasets/{dataset}.html"))
    code = page_snippets(page)
    records = {"site-essays": 12, "site-scenes": 6, "site-conversations": 4}[dataset]
    first = {"site-essays": "essay-0000", "site-scenes": "scene-000",
             "site-conversations": "conv-000"}[dataset]
    script = "\n".join(f"print('--- {key}')\nexec({code[key]!r}, {{}})"
                       for key in ("parquet", "streaming", "webdataset"))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    parquet, streaming, tars = re.split(r"--- \w+\n", result.stdout)[1:]
    assert f"num_rows: {records}" in parquet
    assert streaming.strip() == first and tars.strip() == first
    files = subprocess.run(["bash", "-c", code["files"]], capture_output=True, text=True,
                           cwd=tmp_path, timeout=60, check=False)
    assert files.returncode == 0 and "data/train-00000.parquet: OK" in files.stdout


def test_a_card_with_script_payloads_renders_inert(site: Site, page: Any) -> None:
    page.goto(site.page_url("generated/datasets/site-hostile.html"))
    title = page.locator("h1.ds-title")
    assert title.inner_text() == 'Hostile <script>window.__pwned = "title"</script> card'
    card = page.locator(".ds-card")
    assert card.locator("script, iframe, img, svg, form, style, object").count() == 0
    handlers = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
        e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))""")
    assert handlers == []
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    for text in ("me", "this too", "here", "overlay"):
        page.locator(".ds-card").get_by_text(text, exact=True).first.click()
    page.locator(".ds-card").hover()
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []
    page.goto(site.page_url("generated/catalogue.html"))
    assert page.evaluate("window.__pwned") is None
    assert page.errors == []


SUBMISSION = {
    "#f-id": "harbour-photos", "#f-title": "Harbour photographs",
    "#f-description": "Photographs of the harbour through the seasons, with captions.",
    "#f-languages": "is, en", "#f-license": "CC-BY-4.0", "#f-size-records": "10",
    "#f-size-bytes": "5000", "#f-source-splits-train": "train.jsonl",
    "#f-organisation-name": "Harbour Museum", "#f-organisation-url": "https://example.org",
    "#f-contact-name": "Ann Keeper", "#f-contact-email": "ann.keeper@example.org",
}


def _fill(page: Any, overrides: dict[str, str] | None = None) -> None:
    for selector, value in {**SUBMISSION, **(overrides or {})}.items():
        page.fill(selector, value)
    page.check('#f-modalities input[value="text"]')
    page.select_option("#f-record_type", "text")
    page.select_option("#f-pathway", "open")
    page.select_option("#f-source-format", "jsonl")


def test_the_filled_form_is_accepted_by_archive_intake(site: Site, page: Any,
                                                       tmp_path: Path) -> None:
    page.goto(site.page_url("generated/submit.html"))
    _fill(page)
    with page.expect_download() as download:
        page.click("#form-save")
    assert download.value.suggested_filename == "harbour-photos.form.json"
    form = tmp_path / download.value.suggested_filename
    download.value.save_as(form)
    assert page.locator("#form-result").is_visible()
    assert page.locator("#form-summary").is_hidden()
    document = json.loads(form.read_text())
    assert list(document) == ["id", "title", "description", "modalities", "record_type",
                              "languages", "license", "pathway", "size", "source",
                              "organisation", "contact"]
    assert document["languages"] == ["is", "en"] and document["size"]["records"] == 10
    root = tmp_path / "archive"
    (root / "datacards").mkdir(parents=True)
    write_jsonl(tmp_path / "data" / "train.jsonl", essays(10))
    result = subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), "intake",
                             str(form), "--data", str(tmp_path / "data")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "harbour-photos: recorded as submitted" in result.stdout
    entry = (root / "datacards" / "harbour-photos" / "entry.yaml").read_text()
    assert "ann.keeper" not in entry
    assert page.errors == []


@pytest.mark.parametrize("overrides,field,message", [
    ({"#f-license": "CC-BY-NC-4.0"}, "#f-license-error",
     "“CC-BY-NC-4.0” is not an open licence the archive accepts"),
    ({"#f-languages": "is, english"}, "#f-languages-error",
     "“english” does not have the expected form."),
    ({"#f-languages": "xx"}, "#f-languages-error",
     "“xx” is not a known BCP 47 language tag"),
    ({"#f-id": "Harbour Photos", "#f-contact-email": "nobody"}, "#f-id-error",
     "“Harbour Photos” does not have the expected form."),
])
def test_the_form_refuses_bad_answers_with_a_visible_message(
        site: Site, page: Any, overrides: dict[str, str], field: str, message: str) -> None:
    page.goto(site.page_url("generated/submit.html"))
    _fill(page, overrides)
    page.click("#form-save")
    error = page.locator(field)
    assert error.is_visible() and message in error.inner_text()
    summary = page.locator("#form-summary")
    assert summary.is_visible() and message in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "form-summary"
    assert page.locator("#form-result").is_hidden()
    control = page.locator(field.removesuffix("-error"))
    assert control.get_attribute("aria-invalid") == "true"
    assert page.errors == []


def _variants() -> list[dict[str, Any]]:
    """A valid form and many one-field breakages of it."""
    base = {"id": "harbour-photos", "title": "Harbour photographs",
            "description": "Photographs of the harbour through the seasons, with captions.",
            "modalities": ["image", "text"], "record_type": "image", "languages": ["is"],
            "license": "CC-BY-4.0", "pathway": "open", "size": {"records": 10, "bytes": 5000},
            "source": {"format": "jsonl", "splits": {"train": ["train.jsonl"]}},
            "organisation": {"name": "Harbour Museum", "url": "https://example.org"},
            "contact": {"name": "Ann Keeper", "email": "ann@example.org"}}
    changes: list[tuple[str, Any]] = [
        ("id", "ab"), ("id", "a" * 65), ("id", "-abc"), ("id", 12), ("title", "ab"),
        ("title", "𝒜𝒝𝒞"), ("description", "short"), ("modalities", []),
        ("modalities", ["text", "text"]), ("modalities", ["smell"]), ("record_type", "poem"),
        ("languages", []), ("languages", ["IS"]), ("languages", ["is", "is"]),
        ("languages", ["pt-BR", "sr-Latn-RS", "zh-Hant"]), ("languages", ["xx"]),
        ("languages", ["en-Abcd"]), ("languages", ["en-QQ"]), ("license", "Proprietary"),
        ("license", "CC BY"), ("license", "MIT"), ("pathway", "private"), ("pathway", "closed"),
        ("size", {"records": 0, "bytes": 1}), ("size", {"records": 1}),
        ("size", {"records": 1.5, "bytes": 1}), ("size", {"records": 1, "bytes": 1, "x": 1}),
        ("source", {"format": "zip", "splits": {"train": ["a"]}}),
        ("source", {"format": "jsonl", "splits": {}}),
        ("source", {"format": "jsonl", "splits": {"dev": ["a"]}}),
        ("source", {"format": "jsonl", "splits": {"train": []}}),
        ("source", {"format": "jsonl", "splits": {"train": ["../etc/passwd"]}}),
        ("source", {"format": "jsonl", "splits": {"train": ["/abs"]}}),
        ("source", {"format": "jsonl", "splits": {"train": ["a/../../b"]}}),
        ("organisation", {"name": "X"}), ("organisation", {"name": "Museum", "url": "ftp://x"}),
        ("contact", {"name": "Ann"}), ("contact", {"name": "Ann", "email": "ann@example"}),
        ("citation", "Keeper, A. (2024)."), ("task_categories", ["Image To Text"]),
        ("task_categories", ["image-to-text"]), ("version", "1.0"), ("version", "2.1.0"),
        ("extra", "field"), ("contact", {"name": "Ann", "email": "a@b.is", "phone": "+354"}),
    ]
    out = [base]
    for key, value in changes:
        out.append({**base, key: value})
    for key in base:
        out.append({k: v for k, v in base.items() if k != key})
    return out


def _intake_accepts(document: dict[str, Any], tmp_path: Path) -> bool:
    """What ``archive intake`` says, for real: write the form and its files, and record it."""
    root = tmp_path / f"r{abs(hash(json.dumps(document, sort_keys=True)))}"
    (root / "datacards").mkdir(parents=True)
    data = root / "data"
    data.mkdir()
    splits = document.get("source", {}).get("splits", {})
    for files in splits.values() if isinstance(splits, dict) else []:
        for name in files if isinstance(files, list) else []:
            path = (data / name).resolve()
            if isinstance(name, str) and path.is_relative_to(data):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("{}\n")
    form = root / "form.json"
    form.write_text(json.dumps(document))
    try:
        Registry(root).intake(form, data)
    except ArchiveError:
        return False
    return True


def test_browser_checks_agree_with_archive_intake(site: Site, page: Any, tmp_path: Path) -> None:
    page.goto(site.page_url("generated/submit.html"))
    documents = _variants()
    verdicts = page.evaluate("""docs => {
        const config = JSON.parse(document.getElementById('submission-config').textContent);
        return docs.map(d => window.ArchiveForm.check(config, d).length === 0);
    }""", documents)
    expected = [_intake_accepts(d, tmp_path) for d in documents]
    disagree = [(d, v) for d, v, e in zip(documents, verdicts, expected, strict=True) if v != e]
    assert disagree == []
    assert sum(expected) >= 8 and len(expected) - sum(expected) >= 30


def test_browser_language_check_agrees_with_langcodes(site: Site, page: Any) -> None:
    page.goto(site.page_url("generated/submit.html"))
    pattern = re.compile(load("form")["properties"]["languages"]["items"]["pattern"])
    rng = random.Random(6)
    low = string.ascii_lowercase
    scripts = ["Latn", "Cyrl", "Hant", "Arab", "Qaaa", "Qabx", "Zyyy", "Abcd", "Xxxx"]
    regions = ["IS", "BR", "US", "419", "001", "QQ", "XK", "AA", "999", "000", "ZZ"]
    tags = [a + b for a in low for b in low]
    tags += ["".join(rng.choice(low) for _ in range(3)) for _ in range(1500)]
    tags += [f"{rng.choice(tags)}-{rng.choice(scripts)}" for _ in range(400)]
    tags += [f"{rng.choice(tags)}-{rng.choice(regions)}" for _ in range(400)]
    tags += [f"{rng.choice(tags[:676])}-{rng.choice(scripts)}-{rng.choice(regions)}"
             for _ in range(400)]
    tags = [t for t in dict.fromkeys(tags) if pattern.search(t)]
    verdicts = page.evaluate("""tags => {
        const config = JSON.parse(document.getElementById('submission-config').textContent);
        return tags.map(t => !window.ArchiveForm.check(config, {languages: [t]})
                             .some(e => e.pointer === '/languages/0'));
    }""", tags)
    disagree = [t for t, v in zip(tags, verdicts, strict=True) if v != langcodes.tag_is_valid(t)]
    assert disagree == []
    assert 300 < sum(verdicts) < len(tags) - 300


def test_reading_works_without_javascript(site: Site, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.page_url("generated/catalogue.html"))
        assert page.locator("[data-catalogue-table] tbody tr").count() == 4
        assert all(page.locator("[data-catalogue-table] tbody tr").nth(i).is_visible()
                   for i in range(4))
        assert page.locator("[data-catalogue-filters]").is_hidden()
        page.goto(site.page_url("generated/datasets/site-scenes.html"))
        assert page.locator("figure.chart svg").first.is_visible()
        assert page.locator("img.ds-thumb").count() == 3
        assert page.locator(".ds-card").is_visible()
        page.goto(site.page_url("generated/submit.html"))
        assert page.locator("noscript").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("path", ["index.html", "generated/catalogue.html",
                                  "generated/datasets/site-scenes.html",
                                  "generated/datasets/site-conversations.html",
                                  "generated/submit.html", "generated/form-fields.html"])
def test_pages_are_accessible_and_fit_a_phone(site: Site, browser: Any, path: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(site.page_url(path))
        assert page.evaluate("document.documentElement.lang") == "en"
        report = page.evaluate("""() => {
            const article = document.querySelector('article');
            const levels = [...article.querySelectorAll('h1,h2,h3,h4,h5,h6')]
                .map(h => Number(h.tagName[1]));
            const skips = levels.filter((l, i) => i && l > levels[i - 1] + 1);
            const noAlt = [...document.images].filter(i => !i.hasAttribute('alt')).length;
            const unlabelled = [...article.querySelectorAll('input, select, textarea')]
                .filter(c => c.type !== 'hidden' && !c.labels.length
                             && !c.getAttribute('aria-label'))
                .map(c => c.name || c.id);
            return {first: levels[0], skips, noAlt, unlabelled,
                    overflow: document.documentElement.scrollWidth - window.innerWidth};
        }""")
        assert report == {"first": 1, "skips": [], "noAlt": 0, "unlabelled": [], "overflow": 0}
    finally:
        context.close()
