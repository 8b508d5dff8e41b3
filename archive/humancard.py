"""The human sections of a dataset card, kept in ``datacards/ID/card.md``.

Partners, maintainers and contributors write these; releases never overwrite them.
Sections are level-2 Markdown headings; their names and order are in
``schemas/card.schema.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CardError, Where
from .schemas import load

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    """One human section: its heading, body text and the line the heading is on."""

    title: str
    body: str
    line: int


def parse_sections(text: str) -> list[Section]:
    """Split Markdown into level-2 sections; text before the first heading is ignored."""
    sections: list[Section] = []
    title, line, body = None, 0, []
    in_fence = False
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(raw)
        if match:
            if title is not None:
                sections.append(Section(title, "\n".join(body).strip(), line))
            title, line, body = match.group(1), number, []
        elif title is not None:
            body.append(raw)
    if title is not None:
        sections.append(Section(title, "\n".join(body).strip(), line))
    return sections


def section_titles(language: str = "en") -> list[str]:
    """The human section headings in order, in English or a translation from the schema."""
    schema = load("card")
    return [s["titles"].get(language, s["title"]) for s in schema["sections"]]


def read_sections(path: Path, dataset: str, language: str = "en") -> dict[str, str]:
    """Read a card file into ``{English section title: body}``, in schema order."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CardError(f"cannot read the card: {exc.strerror}", Where(dataset=dataset,
                                                                       file=path)) from None
    english = section_titles("en")
    local = section_titles(language)
    by_title = {s.title: s.body for s in parse_sections(text)}
    return {en: by_title.get(loc, "") for en, loc in zip(english, local, strict=True)}
