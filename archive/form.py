"""Partner submission forms: read safely, validate against ``schemas/form.schema.json``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import FormError, Where
from .schemas import form_errors

MAX_FORM_BYTES = 1_000_000


def read_document(path: Path, *, error: type = FormError, dataset: str | None = None) -> Any:
    """Read a YAML or JSON document safely (no custom tags, no aliases, bounded size)."""
    where = Where(dataset=dataset, file=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read the file: {exc.strerror}", where) from None
    if len(raw) > MAX_FORM_BYTES:
        raise error(f"the file is {len(raw):,} bytes; at most {MAX_FORM_BYTES:,} expected", where)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", where) from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        _refuse_aliases(text, where, error)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        where.line = exc.lineno
        raise error(f"malformed JSON: {exc.msg}", where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where.line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"malformed YAML: {problem}", where) from None


def _refuse_aliases(text: str, where: Where, error: type) -> None:
    """Refuse YAML anchors and aliases: a form never needs them, and they enable bombs."""
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
            where.line = token.start_mark.line + 1
            raise error("YAML anchors and aliases are not accepted in a form", where)


def line_of(path: Path, json_pointer: str) -> int | None:
    """Return the 1-based line of the value at ``json_pointer`` in a YAML/JSON file."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    for part in [p for p in json_pointer.split("/")[1:]]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if k.value == key]
            if not found:
                break
            node = found[0]
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


_MARKUP = re.compile(r"<\s*[A-Za-z!/?]|javascript:", re.IGNORECASE)


def _markup(value: Any, pointer: str = "") -> Iterator[str]:
    """Pointers of every string in a document that holds HTML or a script URL."""
    if isinstance(value, str) and _MARKUP.search(value):
        yield pointer
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _markup(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _markup(item, f"{pointer}/{index}")


def read_form(path: Path) -> dict[str, Any]:
    """Read a partner's form and validate it; raise :class:`FormError` on the first problem.

    Besides the schema, no field may hold HTML or a ``javascript:`` URL: forms feed the
    card and the public site.
    """
    document = read_document(path)
    if not isinstance(document, dict):
        raise FormError("the form must be a mapping of fields", Where(file=path))
    dataset = document.get("id") if isinstance(document.get("id"), str) else None
    for json_pointer, message in form_errors(document):
        where = Where(dataset=dataset, file=path, line=line_of(path, json_pointer),
                      pointer=json_pointer)
        raise FormError(message, where, hint="see schemas/form.schema.json")
    for json_pointer in _markup(document):
        where = Where(dataset=dataset, file=path, line=line_of(path, json_pointer),
                      pointer=json_pointer)
        raise FormError("HTML and script URLs are not accepted in a form", where,
                        hint="write plain text; the archive formats it")
    return document
