"""The site built from the other kind of hub: the Hugging Face Hub (the loopback stand-in)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

from archive.entries import Registry
from archive.hub.hf import HfHub
from archive.pipeline import release_one
from archive.website import build_site
from tests.helpers import essays, form, submit
from tests.hubserver import HubServer, hf_hub
from tests.site.conftest import checkout
from tests.site.links import broken_links
from tests.site.sample_releases import image_dataset

assert hf_hub  # the fixture, imported so that pytest finds it in this module


def _snippet(page: str, key: str) -> str:
    match = re.search(rf'data-snippet="{key}">.*?<code[^>]*>(.*?)</code>', page, re.DOTALL)
    assert match, key
    return html.unescape(match.group(1))


def test_site_from_the_hugging_face_hub(hf_hub: HubServer, tmp_path: Path) -> None:
    root = checkout(tmp_path / "archive")
    submit(root, form("site-essays", title="Harbour essays"), essays(10))
    image_dataset(root)
    hub = HfHub("archive-org", sleep=lambda s: None)
    for dataset in ("site-essays", "site-scenes"):
        release_one(Registry(root), hub, dataset)
    report = build_site(root, hub, root / "public")
    assert report.datasets == ["site-essays", "site-scenes"]
    assert broken_links(root / "public")[1] == []
    page = (root / "public" / "generated" / "datasets" / "site-scenes.html").read_text()
    assert f'href="{hf_hub.url}/datasets/archive-org/site-scenes"' in page
    assert len(list((root / "public" / "generated" / "datasets" / "site-scenes")
                    .glob("preview-*.jpg"))) == 3
    streaming = _snippet(page, "streaming")
    assert 'load_dataset("archive-org/site-scenes", revision="v1.0.0", split="train", ' \
           "streaming=True)" in streaming
    assert f'# export HF_ENDPOINT="{hf_hub.url}"' in streaming
    script = (f"exec({_snippet(page, 'parquet')!r}, {{}})\n"
              f"exec({streaming!r}, {{}})\n"
              f"exec({_snippet(page, 'files')!r}, {{}})\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=tmp_path, timeout=240, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert "num_rows: 6" in result.stdout and "scene-000" in lines
    folder = Path(lines[-1])
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True,
                           text=True, check=False)
    assert check.returncode == 0 and "data/train-00000.parquet: OK" in check.stdout
