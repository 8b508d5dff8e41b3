"""The site of the bundled examples (``datacards/`` + ``examples/``), in a real browser."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.entries import Registry
from tests.site.conftest import REPO, Site, audio_duration, page_snippets
from tests.site.links import broken_links

pytestmark = pytest.mark.browser

EXAMPLES = Registry(REPO).ids()


def test_every_example_is_listed_and_links_hold(examples_site: Site, page: Any,
                                                artifacts: Path) -> None:
    assert examples_site.report.datasets == EXAMPLES
    assert broken_links(examples_site.out)[1] == []
    page.goto(examples_site.page_url("generated/catalogue.html"))
    ids = page.eval_on_selector_all("[data-catalogue-table] tbody tr",
                                    "rows => rows.filter(r => !r.hidden).map(r => r.dataset.id)")
    assert ids == EXAMPLES
    page.screenshot(path=str(artifacts / "examples-catalogue.png"), full_page=True)
    assert page.errors == []


@pytest.mark.parametrize("dataset", EXAMPLES)
def test_example_page_charts_preview_and_snippets(examples_site: Site, page: Any,
                                                  dataset: str, artifacts: Path,
                                                  tmp_path: Path) -> None:
    page.goto(examples_site.page_url(f"generated/datasets/{dataset}.html"))
    assert page.locator("figure.chart svg[role=img]").count() == 3
    assert page.locator(".ds-record").count() == 3
    record_type = Registry(examples_site.root).get(dataset).record_type
    if record_type == "image":
        page.locator("img.ds-thumb").first.scroll_into_view_if_needed()
        page.wait_for_function("[...document.querySelectorAll('img.ds-thumb')]"
                               ".every(i => i.complete && i.naturalWidth > 0)")
    elif record_type in ("audio", "conversation"):
        duration = audio_duration(page)
        assert duration > 0.5
    else:
        assert page.locator(".ds-text").first.inner_text().strip()
    page.screenshot(path=str(artifacts / f"examples-{dataset}.png"), full_page=True)
    code = page_snippets(page)
    script = "\n".join(f"print('--- {key}')\nexec({code[key]!r}, {{}})"
                       for key in ("parquet", "streaming", "webdataset"))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    records = sum(s.records for s in _release(examples_site, dataset).splits.values())
    parquet, streaming, tars = re.split(r"--- \w+\n", result.stdout)[1:]
    assert sum(int(n) for n in re.findall(r"num_rows: (\d+)", parquet)) == records
    assert streaming.strip() == tars.strip() != ""
    assert page.errors == []


def _release(site: Site, dataset: str) -> Any:
    from archive.website.published import load_dataset_info

    info = load_dataset_info(site.hub, site.hub.repo_id(dataset))
    assert info is not None
    return info.release
