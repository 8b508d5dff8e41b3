"""Untrusted card Markdown to safe HTML: render with python-markdown, clean with nh3.

Partners and contributors write the cards, so nothing in them may run: raw HTML in the
Markdown passes through python-markdown untouched, and nh3 (ammonia) then keeps only an
allow-list of tags and attributes. No script, style, event handler, form, frame or
image survives (images would load third-party URLs and track readers); links keep only
``http``, ``https`` and ``mailto`` URLs, so ``javascript:`` and relative links vanish.
A ``#section`` link to one of the card's own headings is kept: heading ids get the
``card-`` prefix (so a card cannot clobber the page's ids) and the link follows.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import cache

import markdown
import nh3

TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "kbd", "li", "ol", "p",
        "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"},
              "ol": {"start"}, **{f"h{n}": {"id"} for n in range(1, 7)}}
ID_PREFIX = "card-"
DROPPED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "svg",
                        "math", "noscript", "textarea", "select", "title"}
URL_SCHEMES = {"http", "https", "mailto"}

_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.DOTALL)
_GENERATED = re.compile(r"<!-- generated:([a-z-]+) -->\n.*?<!-- /generated:\1 -->\n?",
                        re.DOTALL)
_HEADING = re.compile(r"<(/?)h([1-6])([ >])")
_ANCHOR = re.compile(r"#[\w-]+")
_IDS = re.compile(r' id="([^"]+)"')
_LOCAL_HREF = re.compile(r' href="#([^"]+)"')


def _relative(url: str) -> str | None:
    """Keep a link to a heading of the card (``#uses`` -> ``#card-uses``); drop the rest."""
    if _ANCHOR.fullmatch(url):
        return url if url.startswith(f"#{ID_PREFIX}") else f"#{ID_PREFIX}{url[1:]}"
    return None


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(tags=TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
                       attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, url_relative=_relative,
                       link_rel="noopener noreferrer nofollow ugc", strip_comments=True,
                       id_prefix=ID_PREFIX)


def clean_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return _cleaner().clean(html)


def markdown_to_html(text: str) -> str:
    """Render Markdown (tables, fenced code) and sanitise the result; a ``#section`` link
    to a heading the card does not have loses its target."""
    rendered = markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists",
                                                   "toc"], output_format="html")
    html = clean_html(rendered)
    ids = set(_IDS.findall(html))
    return _LOCAL_HREF.sub(lambda m: m.group(0) if m.group(1) in ids else "", html)


def card_body(card: str, *, drop: tuple[str, ...] = ()) -> str:
    """The card's Markdown without its YAML header, its title line and generated
    sections named in ``drop`` (the page shows those its own way)."""
    text = _FRONT_MATTER.sub("", card.replace("\r\n", "\n"), count=1).lstrip()
    if text.startswith("# "):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    return _GENERATED.sub(lambda m: "" if m.group(1) in drop else m.group(0), text)


def render_card(card: str, *, drop: tuple[str, ...] = (), shift: int = 1) -> str:
    """A published card as safe HTML, its headings moved ``shift`` levels down."""
    html = markdown_to_html(card_body(card, drop=drop))

    def demote(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(6, int(match.group(2)) + shift)}{match.group(3)}"

    return _HEADING.sub(demote, html) if shift else html


def plain_text(html: str) -> str:
    """The text of HTML, tags removed, whitespace collapsed, unescaped: escape it to use it."""
    return " ".join(htmllib.unescape(nh3.clean(html, tags=set())).split())
