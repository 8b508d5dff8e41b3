"""Check every link of a built static site: pages, assets and #fragments."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src",
                   "source": "src", "audio": "src", "iframe": "src"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(str(values[key]))
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute) is not None:
            self.links.append(str(values[attribute]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def broken_links(out: Path) -> tuple[int, list[str]]:
    """(links checked, the broken ones as ``page: link (reason)``) over every HTML page."""
    out = out.resolve()
    pages = {p: _parse(p) for p in sorted(out.rglob("*.html"))}
    problems, checked = [], 0
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme.lower() == "javascript" or link.lower().startswith("javascript:"):
                problems.append(f"{path.relative_to(out)}: {link} (javascript: URL)")
                continue
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "data:", "blob:")):
                continue
            checked += 1
            base = out if parts.path.startswith("/") else path.parent
            target = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or not target.is_relative_to(out.resolve()):
                problems.append(f"{path.relative_to(out)}: {link} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{path.relative_to(out)}: {link} (no such anchor)")
    return checked, problems
