"""The site build without a browser: pages, links, determinism, sanitising, privacy."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.entries import Registry
from archive.hub.local import LocalHub
from archive.schemas import load
from archive.website import SiteError, build_site, generate
from archive.website.charts import histogram
from archive.website.commands import site as site_group
from archive.website.formpage import check_supported, fields, language_subtags
from archive.website.sanitize import markdown_to_html, render_card
from tests.site.conftest import Site, checkout
from tests.site.links import broken_links

DATASETS = ["site-conversations", "site-essays", "site-hostile", "site-scenes"]


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_published_dataset_gets_a_page(site: Site) -> None:
    assert site.report.datasets == DATASETS
    assert site.report.skipped == []
    for dataset in DATASETS:
        assert (site.out / "generated" / "datasets" / f"{dataset}.html").is_file()
    for page in ("catalogue", "submit", "form-fields", "languages/index", "languages/is",
                 "languages/da", "modalities/index", "modalities/image"):
        assert (site.out / "generated" / f"{page}.html").is_file(), page
    for page in ("index", "contribute", "fix-a-card", "download"):
        assert (site.out / f"{page}.html").is_file(), page


def test_no_broken_internal_links(site: Site) -> None:
    checked, broken = broken_links(site.out)
    assert broken == []
    assert checked > 500


def test_generated_pages_are_deterministic(site: Site, tmp_path: Path) -> None:
    generated = site.root / "site" / "generated"
    before = snapshot(generated)
    generate(site.root, site.hub)
    assert snapshot(generated) == before
    generate(site.root, site.hub, cache=tmp_path / "cold-cache")
    assert snapshot(generated) == before


def test_nothing_private_or_unpublished_reaches_the_site(site: Site) -> None:
    text = "\n".join(p.read_text(errors="replace") for p in site.out.rglob("*")
                     if p.is_file() and p.suffix in (".html", ".json", ".txt", ".md", ".xml"))
    assert "jane.contact" not in text and "Jane Contact" not in text
    assert ".archive/private" not in text
    assert str(site.root / "partner") not in text


def test_a_dataset_leaves_the_site_when_its_entry_is_not_open(site: Site,
                                                               tmp_path: Path) -> None:
    root = checkout(tmp_path / "archive")
    shutil.copytree(site.root / "datacards", root / "datacards", dirs_exist_ok=True)
    entry = root / "datacards" / "site-scenes" / "entry.yaml"
    entry.write_text(entry.read_text().replace("pathway: open", "pathway: private"))
    shutil.rmtree(root / "datacards" / "site-hostile")
    report = generate(root, site.hub)
    assert report.datasets == ["site-conversations", "site-essays"]
    assert {(s.repo_id, s.reason) for s in report.skipped} == {
        ("archive/site-scenes", "the entry is not on the open pathway"),
        ("archive/site-hostile", "no dataset entry under datacards/")}
    catalogue = (root / "site" / "generated" / "catalogue.md").read_text()
    assert "site-scenes" not in catalogue and "site-hostile" not in catalogue
    assert not (root / "site" / "generated" / "datasets" / "site-scenes.md").exists()


def test_hostile_card_and_title_are_inert_in_the_html(site: Site) -> None:
    page = (site.out / "generated" / "datasets" / "site-hostile.html").read_text()
    assert "window.__pwned" not in page.replace("window.__pwned = &quot;title&quot;", "")
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page.split("<body", 1)[1].replace(
        "onclick=&quot;", ""))
    assert "javascript:" not in page.lower()
    assert "<iframe" not in page and "<form action" not in page
    escaped = "Hostile &lt;script&gt;window.__pwned = &quot;title&quot;&lt;/script&gt; card"
    assert f"<title>{escaped} - Dataset archive</title>" in page
    assert f'<h1 class="ds-title">{escaped}</h1>' in page
    catalogue = (site.out / "generated" / "catalogue.html").read_text()
    assert "<script>window" not in catalogue and escaped in catalogue
    index = (site.out / "search" / "search_index.json").read_text()
    assert "<script>window" not in index


PAYLOADS = ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">',
            "[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x]( javascript:alert(1))",
            '<a href="jav&#x61;script:alert(1)">x</a>', "<svg/onload=alert(1)>",
            '<div style="background:url(javascript:alert(1))">x</div>',
            "<iframe srcdoc='<script>alert(1)</script>'></iframe>", "<math><mi>x</mi></math>",
            '<a href="data:text/html,<script>alert(1)</script>">x</a>', "<object data=x>",
            '<details open ontoggle="alert(1)">', "<style>*{display:none}</style>",
            '<form action="https://evil.example"><button>x</button></form>',
            "<base href='https://evil.example/'>", "<meta http-equiv=refresh content=0>",
            "`<script>`", "```html\n<script>alert(1)</script>\n```", "<!-- <script> -->",
            "[x](../secret)", "![x](https://tracker.example/pixel.gif)", "<<script>>",
            "<scr<script>ipt>alert(1)</script>"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PAYLOADS) | st.text(max_size=20), min_size=1, max_size=6))
def test_sanitised_markdown_never_carries_script(parts: list[str]) -> None:
    html = markdown_to_html("\n\n".join(parts) + "\n\n" + " ".join(parts))
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered and "<svg" not in lowered
    assert "<img" not in lowered and "<style" not in lowered and "<form" not in lowered
    assert "<base" not in lowered and "<meta" not in lowered and "<object" not in lowered
    assert not re.search(r"<[a-z0-9]+[^>]*\s(on[a-z]+|style|srcdoc)\s*=", lowered)
    ids = set(re.findall(r'<h[1-6] id="([^"]+)"', html))
    for href in re.findall(r'<[a-z]+[^>]*\s(?:href|src)="([^"]*)"', html):
        assert href.startswith(("https://", "http://", "mailto:")) or (
            href.startswith("#card-") and href[1:] in ids), href
    assert all(i.startswith("card-") for i in ids)


def test_card_headings_move_down_and_generated_sections_can_be_dropped() -> None:
    card = ("---\nlicense: mit\n---\n\n# Title\n\nSummary, see [uses](#uses) and "
            "[gone](#gone).\n\n<!-- generated:files -->\n## Files\n\n| a |\n|---|\n| b |\n"
            "<!-- /generated:files -->\n\n## Uses\n\n### Detail\n\nText.\n")
    html = render_card(card, drop=("files",))
    assert "<h1" not in html and "Title" not in html and "Files" not in html
    assert '<h3 id="card-uses">Uses</h3>' in html and '<h4 id="card-detail">Detail</h4>' in html
    assert 'href="#card-uses"' in html and "#gone" not in html and "card-gone" not in html
    assert "license: mit" not in html


def test_histogram_bins_are_round_and_count_everything() -> None:
    hist = histogram([1.0, 1.5, 2.0, 2.5], "seconds")
    assert hist.edges[0] <= 1.0 and hist.edges[-1] > 2.5 and hist.total == 4
    steps = {round(b - a, 6) for a, b in zip(hist.edges, hist.edges[1:], strict=False)}
    assert steps == {0.2}
    hist = histogram([310, 999, 2500], "characters")
    assert hist.total == 3 and hist.edges[0] == 250 and hist.edges[-1] > 2500


def test_form_field_reference_lists_every_field(site: Site) -> None:
    page = (site.out / "generated" / "form-fields.html").read_text()
    for field in fields(load("form")):
        assert f"<code>{field.pointer.lstrip('/').replace('/', '.')}</code>" in page
    assert "CC-BY-4.0" in page and "CDLA-Permissive-2.0" in page
    schema = json.loads((site.out / "generated" / "form.schema.json").read_text())
    assert schema == load("form")


def test_an_unsupported_schema_keyword_fails_the_build() -> None:
    schema = {"type": "object", "properties": {"email": {"type": "string", "format": "email"}}}
    with pytest.raises(SiteError, match="'format' at /properties/email"):
        check_supported(schema)
    check_supported(load("form"))


def test_language_subtag_lists_match_langcodes() -> None:
    subtags = language_subtags()
    languages, scripts = set(subtags["languages"].split()), set(subtags["scripts"].split())
    assert {"is", "en", "da", "pt", "nan", "und"} <= languages and "xx" not in languages
    assert {"Latn", "Cyrl", "Qaaa"} <= scripts and "Abcd" not in scripts
    assert {"BR", "IS", "419", "001"} <= set(subtags["regions"].split())


def test_missing_configuration_is_a_site_error(tmp_path: Path) -> None:
    (tmp_path / "datacards").mkdir()
    with pytest.raises(SiteError, match=r"no mkdocs\.yml"):
        build_site(tmp_path, LocalHub(tmp_path / "hub", org="archive"), tmp_path / "out")


def test_site_build_command(site: Site, tmp_path: Path) -> None:
    class Obj:
        root, registry, debug = site.root, Registry(site.root), False

    out = tmp_path / "public"
    result = CliRunner().invoke(site_group, ["build", "--hub", str(site.hub.root), "--out",
                                             str(out)], obj=Obj())
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("4 dataset(s) listed; 16 page(s)")
    assert f"site built in {out}" in result.output
    assert (out / "generated" / "catalogue.html").is_file()
    for name, command in site_group.commands.items():
        assert command.help and "Example" in command.help, name
    assert site_group.help and "Example" in site_group.help


def test_site_serve_command_serves_the_site(site: Site, tmp_path: Path) -> None:
    root = checkout(tmp_path / "archive")
    shutil.copytree(site.root / "datacards", root / "datacards", dirs_exist_ok=True)
    script = ("import sys\nfrom archive.entries import Registry\n"
              "from archive.website.commands import site\n"
              "class Obj:\n    root = __import__('pathlib').Path(sys.argv[1])\n"
              "    registry = Registry(root)\n    debug = False\n"
              "site.main(['serve', '--hub', sys.argv[2], '--port', sys.argv[3]], obj=Obj())\n")
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", script, str(root), str(site.hub.root),
                                str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/generated/catalogue.html", process)
        assert "site-essays" in body
    finally:
        process.terminate()
        process.wait(timeout=20)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[str], timeout: float = 60) -> str:
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read() if process.stdout else "exited")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s")


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_own_colours_meet_wcag_contrast_on_white() -> None:
    from archive.website.charts import BAR_FILL
    from tests.site.conftest import REPO

    css = (REPO / "site" / "assets" / "archive.css").read_text()
    colours = dict(re.findall(r"--archive-(error|muted):\s*(#[0-9a-fA-F]{6})", css))
    assert contrast(colours["error"], "#ffffff") >= 4.5
    assert contrast(colours["muted"], "#ffffff") >= 4.5
    assert contrast(BAR_FILL, "#ffffff") >= 3.0


def test_an_unreadable_release_is_left_out_and_an_empty_hub_builds(site: Site,
                                                                   tmp_path: Path) -> None:
    from archive.hub.base import Change

    root = checkout(tmp_path / "archive")
    empty = build_site(root, LocalHub(tmp_path / "empty-hub", org="archive"), root / "public")
    assert empty.datasets == [] and (root / "public" / "generated" / "catalogue.html").is_file()
    registry = Registry(root)
    entry = Registry(site.root).get("site-essays")
    entry.id, entry.directory = "site-broken", registry.cards / "site-broken"
    entry.form = {**entry.form, "id": "site-broken"}
    registry.save(entry)
    hub = LocalHub(tmp_path / "hub", org="archive")
    (tmp_path / "release.json").write_text("{not json")
    commit = hub.commit("archive/site-broken", Change({"release.json": tmp_path / "release.json"},
                                                     []), "Release v1.0.0", parent=None)
    hub.tag("archive/site-broken", "v1.0.0", commit)
    source = site.hub.tree("archive/site-essays", "v1.1.0")
    garbled = tmp_path / "garbled"
    shutil.copytree(source, garbled)
    release = json.loads((garbled / "release.json").read_text())
    release.update(dataset="site-garbled", repo_id="archive/site-garbled")
    (garbled / "release.json").chmod(0o644)
    (garbled / "release.json").write_text(json.dumps(release))
    (garbled / "data" / "train-00000.parquet").chmod(0o644)
    (garbled / "data" / "train-00000.parquet").write_bytes(b"not parquet")
    upload = {p.relative_to(garbled).as_posix(): p for p in garbled.rglob("*") if p.is_file()}
    commit = hub.commit("archive/site-garbled", Change(upload, []), "Release", parent=None)
    hub.tag("archive/site-garbled", "v1.1.0", commit)
    entry.id, entry.directory = "site-garbled", registry.cards / "site-garbled"
    entry.form = {**entry.form, "id": "site-garbled"}
    registry.save(entry)
    report = generate(root, hub, cache=tmp_path / "cache")
    assert report.datasets == ["site-garbled"]
    [skipped] = report.skipped
    assert skipped.repo_id == "archive/site-broken"
    assert "release.json at v1.0.0 is not JSON" in skipped.reason
    [warning] = report.warnings
    assert warning.startswith("site-garbled: no statistics or preview: cannot read the Parquet")
    page = (root / "site" / "generated" / "datasets" / "site-garbled.md").read_text()
    assert "No preview is available" in page


def test_the_no_javascript_template_filled_by_hand_is_accepted(site: Site,
                                                               tmp_path: Path) -> None:
    import yaml

    text = (site.out / "generated" / "form-template.yaml").read_text()
    document = yaml.safe_load(text)
    assert "contact" in document and "citation" not in document  # optional ones commented
    document.update(id="hand-filled", title="Hand filled", record_type="text",
                    description="A form filled in a text editor from the site's template.",
                    modalities=["text"], languages=["is"], license="CC0-1.0", pathway="open",
                    size={"records": 3, "bytes": 300},
                    source={"format": "jsonl", "splits": {"train": ["train.jsonl"]}},
                    organisation={"name": "Library"},
                    contact={"name": "Ann Keeper", "email": "ann@example.org"})
    form = tmp_path / "form.yaml"
    form.write_text(yaml.safe_dump(document))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text("{}\n")
    (tmp_path / "datacards").mkdir()
    assert Registry(tmp_path).intake(form, tmp_path / "data").id == "hand-filled"
