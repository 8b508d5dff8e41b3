"""Small formatting helpers shared by the page writers: escaping, numbers, names."""

from __future__ import annotations

import html
from functools import cache

import langcodes

from ..release import fmt_bytes

__all__ = ["esc", "fmt_bytes", "fmt_int", "language_label", "language_name", "modality_name",
           "one_line", "slug"]

MODALITY_NAMES = {"text": "Text", "conversation": "Conversation", "image": "Image",
                  "audio": "Audio", "video": "Video"}


def esc(value: object) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape(str(value), quote=True)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces: for titles."""
    return " ".join(str(text).split())


def fmt_int(n: int) -> str:
    """``12345`` -> ``12,345``."""
    return f"{n:,}"


@cache
def language_name(tag: str) -> str:
    """The English name of a BCP 47 tag (``is`` -> ``Icelandic``), or the tag itself."""
    try:
        name = langcodes.Language.get(tag).display_name("en")
    except (langcodes.LanguageTagError, LookupError, ValueError):
        return tag
    return name if name and not name.lower().startswith("unknown") else tag


def language_label(tag: str) -> str:
    """``Icelandic (is)``."""
    name = language_name(tag)
    return f"{name} ({tag})" if name != tag else tag


def modality_name(modality: str) -> str:
    return MODALITY_NAMES.get(modality, modality.capitalize())


def slug(text: str) -> str:
    """A file-name-safe form of a tag or modality (they are already restricted)."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)
