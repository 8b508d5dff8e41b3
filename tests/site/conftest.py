"""Site test fixtures: releases made by the real pipeline into a local hub, one site build
for the whole session, a loopback HTTP server for it, and Debian's chromium (Playwright)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.entries import Registry
from archive.hub.local import LocalHub
from archive.pipeline import pending, release_one
from archive.website import SiteReport, build_site
from tests.site.sample_releases import release_all

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "site"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class Site:
    """A built site: the archive checkout, its hub, the HTML folder and where it is served."""

    root: Path
    hub: LocalHub
    out: Path
    report: SiteReport
    url: str

    def page_url(self, path: str) -> str:
        return self.url + path


def checkout(root: Path) -> Path:
    """An archive checkout in ``root``: the repo's mkdocs.yml and hand-written site pages."""
    (root / "datacards").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "site", root / "site",
                    ignore=shutil.ignore_patterns("generated"))
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 in a thread; yield its base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The test datasets released and the site built once, served on 127.0.0.1."""
    root = checkout(tmp_path_factory.mktemp("site-archive"))
    hub = release_all(root)
    report = build_site(root, hub, root / "public")
    with serve(root / "public") as url:
        yield Site(root, hub, root / "public", report, url)


@pytest.fixture(scope="session")
def examples_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The bundled examples (``datacards/`` and ``examples/``) released and built."""
    if not list((REPO / "datacards").glob("*/entry.yaml")):
        pytest.skip("the bundled examples have no dataset entries yet")
    root = checkout(tmp_path_factory.mktemp("examples-archive"))
    shutil.copytree(REPO / "datacards", root / "datacards", dirs_exist_ok=True)
    shutil.copytree(REPO / "examples", root / "examples")
    registry, hub = Registry(root), LocalHub(root / "hub", org="archive")
    for entry in pending(registry, hub):
        release_one(registry, hub, entry.id)
    report = build_site(root, hub, root / "public")
    with serve(root / "public") as url:
        yield Site(root, hub, root / "public", report, url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright (never ``playwright install``)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; ``page.errors`` collects uncaught script errors and dialogs."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(f"error: {error}"))
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog: {dialog.message}"),
                                      dialog.dismiss()))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def page_snippets(page: Any) -> dict[str, str]:
    """The load snippets of a dataset page, as a reader would copy them, by key."""
    return dict(page.eval_on_selector_all(
        "[data-snippet]",
        "s => s.map(e => [e.dataset.snippet, e.querySelector('code').innerText])"))


def audio_duration(page: Any) -> float:
    """Load the page's first preview recording; its duration in seconds."""
    return float(page.evaluate("""() => new Promise((resolve, reject) => {
        const audio = document.querySelector('audio.ds-audio');
        if (audio.readyState >= 1) return resolve(audio.duration);
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
        audio.addEventListener('error', () => reject('audio error'));
        audio.load();
    })"""))
