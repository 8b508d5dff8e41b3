"""Lint what contributors edit: ``datacards/ID/card.md`` (and translations) and ``entry.yaml``.

Each problem is one line: file, line, what is wrong and how to fix it. The checks are
those a pull request needs: required sections present and long enough, no unknown or
generated sections, no raw HTML that could run in a browser, well-formed links, valid
Hub metadata (SPDX licence, BCP 47 languages, task categories) and no personal
information.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import langcodes

from .entries import VERSION, published_text
from .errors import ArchiveError
from .form import read_document
from .hubmeta import TASK_CATEGORIES, hub_languages
from .humancard import parse_sections
from .licenses import OPEN_LICENSES, is_open
from .schemas import SCHEMA_DIR, form_errors, load

GENERATED_TITLES = {"Dataset structure", "How to load it", "Screening", "Provenance",
                    "Files and checksums", "Contact", "Release history"}
SAFE_TAGS = {"br", "sup", "sub", "kbd", "details", "summary", "abbr"}
_TAG = re.compile(r"<\s*([A-Za-z][\w:-]*)([^>]*)>")
_HANDLER = re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE)
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*([^)\s]*)(\s+\"[^\"]*\")?\s*\)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*([^)\s]*)")
_CARD_FILE = re.compile(r"^card(\.([a-z]{2,3}))?\.md$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, and how to fix it."""

    file: Path
    line: int
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message} (fix: {self.fix})"


PiiFinder = Callable[[str], Iterable[tuple[str, str]]]
"""Given text, yield ``(kind, masked excerpt)`` for each piece of personal information."""


def check_card(path: Path, find_pii: PiiFinder | None = None) -> list[Problem]:
    """Check one card file (``card.md`` or ``card.LANG.md``)."""
    match = _CARD_FILE.match(path.name)
    language = match.group(2) if match and match.group(2) else "en"
    schema = load("card")["sections"]
    titles = {s["titles"].get(language, s["title"]): s for s in schema}
    problems: list[Problem] = []

    def add(line: int, message: str, fix: str) -> None:
        problems.append(Problem(path, line, message, fix))

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(path, 1, f"cannot read the card: {exc}", "save it as UTF-8 text")]
    if language != "en" and language not in {lang for s in schema for lang in s["titles"]}:
        add(1, f"no section headings are defined for language {language!r}",
            f"add its headings to {SCHEMA_DIR / 'card.schema.json'}")
        return problems
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines, 1) if line.startswith("## ")), None)
    for number, line in enumerate(lines[: (first or len(lines) + 1) - 1], 1):
        if line.strip():
            add(number, "text before the first section is not published",
                "move it into the first section, under '## ' + a section heading")
            break
    seen: set[str] = set()
    for section in parse_sections(text):
        if section.title in GENERATED_TITLES:
            add(section.line, f"section '{section.title}' is generated from each release",
                "remove it; the archive writes it")
            continue
        if section.title not in titles:
            add(section.line, f"unknown section '{section.title}'",
                "use one of: " + ", ".join(titles))
            continue
        if section.title in seen:
            add(section.line, f"section '{section.title}' appears twice", "merge the two")
        seen.add(section.title)
        rule = titles[section.title]
        prose = len(" ".join(section.body.split()))
        if rule["required"] and prose < rule["min_chars"]:
            add(section.line, f"section '{section.title}' has {prose} characters of text; "
                f"at least {rule['min_chars']} expected", rule["description"])
    for title, rule in titles.items():
        if rule["required"] and title not in seen:
            add(len(lines) or 1, f"required section '{title}' is missing",
                f"add '## {title}': {rule['description']}")
    problems += _check_markup(path, lines)
    if find_pii is not None:
        for number, line in enumerate(lines, 1):
            for kind, excerpt in find_pii(line):
                add(number, f"personal information ({kind}): {excerpt}",
                    "remove it; cards must not name or identify people")
    return sorted(problems, key=lambda p: p.line)


def _check_markup(path: Path, lines: list[str]) -> list[Problem]:
    problems = []
    in_fence = False
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        if "<!--" in line and "generated:" in line:
            problems.append(Problem(path, number, "generated-section marker in a human card",
                                    "remove the marker; generated sections are not edited"))
        for tag, attrs in _TAG.findall(line):
            if tag.lower() not in SAFE_TAGS or _HANDLER.search(attrs):
                problems.append(Problem(path, number, f"raw HTML <{tag}> is not allowed",
                                        "write Markdown instead of HTML"))
        for _, url, _ in _LINK.findall(line):
            message = _bad_url(url)
            if message:
                problems.append(Problem(path, number, f"link {url!r}: {message}",
                                        "use a full https:// address or a #section anchor"))
        for _, url in _IMAGE.findall(line):
            problems.append(Problem(path, number, f"image {url!r} in a card",
                                    "link to it instead: the site shows no third-party "
                                    "images, which could track readers"))
    return problems


def _bad_url(url: str) -> str | None:
    if not url:
        return "empty link target"
    if url.startswith("#"):
        return None if re.fullmatch(r"#[\w-]+", url) else "malformed anchor"
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        return f"scheme {parts.scheme or '(none)'!r} is not allowed"
    if not parts.netloc or "." not in parts.netloc:
        return "no host name"
    return None


def check_entry(path: Path, find_pii: PiiFinder | None = None) -> list[Problem]:
    """Check an ``entry.yaml``: the public form, licence, languages, tasks, state, and no
    personal information in the text that is published."""
    try:
        document = read_document(path)
    except ArchiveError as exc:
        return [Problem(path, exc.where.line or 1, exc.message, "fix the YAML syntax")]
    problems: list[Problem] = []

    def add(message: str, fix: str, key: str = "form") -> None:
        problems.append(Problem(path, _line_of_key(path, key), message, fix))

    if not isinstance(document, dict) or not isinstance(document.get("form"), dict):
        return [Problem(path, 1, "an entry needs a 'form' mapping", "see datacards/README.md")]
    if document.get("id") != path.parent.name:
        add(f"id {document.get('id')!r} does not match the folder {path.parent.name!r}",
            "make them equal", "id")
    form = dict(document["form"])
    form.setdefault("contact", {"name": "kept private", "email": "private@example.org"})
    for pointer, message in form_errors(form):
        add(f"form{pointer}: {message}", "see schemas/form.schema.json",
            pointer.strip("/").split("/")[0] or "form")
    if isinstance(form.get("license"), str) and not is_open(form["license"]):
        add(f"licence {form['license']!r} is not an open SPDX licence on the allow-list",
            "use one of: " + ", ".join(OPEN_LICENSES), "license")
    for tag in form.get("languages") or []:
        if isinstance(tag, str) and not langcodes.tag_is_valid(tag):
            add(f"{tag!r} is not a valid BCP 47 language tag", "use e.g. is, en, pt-BR",
                "languages")
    for task in form.get("task_categories") or []:
        if task not in TASK_CATEGORIES:
            add(f"unknown task category {task!r}", "use one of the Hub's task categories, "
                "e.g. text-generation, image-to-text", "task_categories")
    if document.get("state") not in ("submitted", "approved"):
        add(f"state {document.get('state')!r} is unknown", "use submitted or approved", "state")
    if document.get("state") == "approved" and not isinstance(document.get("approval"), dict):
        add("approved without an approval record", "run: archive approve ID --by NAME",
            "approval")
    if not VERSION.match(str(document.get("version", ""))):
        add(f"version {document.get('version')!r} is not X.Y.Z", "use e.g. 1.0.0", "version")
    for pointer, text in published_text(form) if find_pii else []:
        for kind, excerpt in find_pii(text):
            add(f"form{pointer}: personal information ({kind}): {excerpt}",
                "remove it; the contact person is kept apart, never published",
                pointer.strip("/").split("/")[0])
    return problems


def check_published_card(path: Path) -> list[Problem]:
    """Check a published card (``README.md``): its YAML follows the Hub's conventions, as
    far as they can be checked offline, and its size category matches its split sizes."""
    from huggingface_hub import DatasetCard

    from .card import size_category

    try:
        data = DatasetCard.load(path).data.to_dict()
    except Exception as exc:  # huggingface_hub raises several types for bad YAML
        return [Problem(path, 1, f"unreadable card metadata: {exc}", "fix the YAML header")]
    problems: list[Problem] = []

    def add(key: str, message: str, fix: str) -> None:
        problems.append(Problem(path, _line_of_key(path, key), message, fix))

    if data.get("license") not in set(OPEN_LICENSES.values()):
        add("license", f"licence {data.get('license')!r} is not an open licence the Hub knows",
            "use one of: " + ", ".join(sorted(OPEN_LICENSES.values())))
    for code in data.get("language") or []:
        if code not in hub_languages():
            add("language", f"language {code!r} is not a code the Hub knows",
                "use an ISO 639-1 or 639-3 code, e.g. is, en")
    for task in data.get("task_categories") or []:
        if task not in TASK_CATEGORIES:
            add("task_categories", f"unknown task category {task!r}", "use a Hub task category")
    splits = (data.get("dataset_info") or {}).get("splits") or []
    records = sum(s.get("num_examples", 0) for s in splits)
    if data.get("size_categories") != [size_category(records)]:
        add("size_categories", f"size category {data.get('size_categories')} does not match "
            f"{records:,} records", f"use [{size_category(records)}]")
    if not data.get("configs") or not data.get("pretty_name"):
        add("configs", "no configs or pretty_name", "regenerate the card with the archive")
    return problems


def _line_of_key(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(rf"\s*{re.escape(key)}\s*:", line):
                return number
    except OSError:
        pass
    return 1


def check_paths(paths: Iterable[Path], find_pii: PiiFinder | None = None) -> list[Problem]:
    """Check every card and entry file among ``paths`` (folders are searched)."""
    problems: list[Problem] = []
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if _CARD_FILE.match(p.name)
                            or p.name == "entry.yaml")
        else:
            files.append(path)
    for file in files:
        if file.name == "entry.yaml":
            problems += check_entry(file, find_pii)
        elif file.name == "README.md":
            problems += check_published_card(file)
        elif _CARD_FILE.match(file.name):
            problems += check_card(file, find_pii)
    return problems
