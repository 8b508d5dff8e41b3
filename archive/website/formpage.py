"""The submission form page and the form's field reference, generated from the schema.

The page is the form of ``schemas/form.schema.json``: one control per field, chosen from
the field's schema (a select for an enum, checkboxes for an array of enums, a text area
per split for the split file lists...). ``site/assets/submit.js`` checks the answers in
the browser against the same schema, embedded in the page, with a small validator of
its own (the keywords below), plus the three checks ``archive intake`` adds: the
licence is on the open allow-list, every language tag is a known BCP 47 tag, and the
pathway is open. Nothing is sent: the page hands the partner a JSON file.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import langcodes
from langcodes.data_dicts import ALL_SCRIPTS

from ..errors import SiteError
from ..licenses import OPEN_LICENSES
from .fmt import esc
from .pages import front_matter

SUPPORTED = {"type", "enum", "const", "required", "properties", "additionalProperties",
             "propertyNames", "minProperties", "maxProperties", "pattern", "minLength",
             "maxLength", "minItems", "maxItems", "uniqueItems", "items", "minimum",
             "maximum", "not"}
"""Validation keywords ``submit.js`` implements; anything else fails the build."""
ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default", "examples"}
RULES = {"/license": "open-licence", "/languages": "language-tags", "/pathway": "open-pathway"}
"""Checks ``archive intake`` makes beyond the schema, by field."""
LONG_TEXT = 500


@dataclass(frozen=True)
class Field:
    """One field of the form: where it is, its schema, whether it is required."""

    pointer: str
    name: str
    schema: dict[str, Any]
    required: bool

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or self.name)

    @property
    def kind(self) -> str:
        s = self.schema
        if s.get("type") == "object" and "properties" in s:
            return "group"
        if s.get("type") == "object" and "propertyNames" in s:
            return "lines-by-name"
        if "enum" in s:
            return "choice"
        if s.get("type") == "array":
            return "choices" if "enum" in s.get("items", {}) else "list"
        if s.get("type") == "integer":
            return "integer"
        if s.get("type") == "string" and s.get("maxLength", 0) > LONG_TEXT:
            return "long-text"
        return "text"


def check_supported(schema: Any, pointer: str = "") -> None:
    """Raise :class:`SiteError` if the schema uses a keyword the page cannot check."""
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            check_supported(item, f"{pointer}/{i}")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key not in SUPPORTED | ANNOTATIONS:
            raise SiteError(f"the form schema uses {key!r} at {pointer or '/'}, which the "
                            "submission page does not check",
                            hint="teach site/assets/submit.js the keyword and add it to "
                                 "archive/website/formpage.py SUPPORTED")
        if key == "properties":
            for name, sub in value.items():
                check_supported(sub, f"{pointer}/properties/{name}")
        elif key in ("items", "additionalProperties", "propertyNames", "not"):
            check_supported(value, f"{pointer}/{key}")


def fields(schema: dict[str, Any], pointer: str = "") -> Iterator[Field]:
    """Every field of an object schema, depth first, in the schema's order."""
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        field = Field(f"{pointer}/{name}", name, sub, name in required)
        yield field
        if field.kind == "group":
            yield from fields(sub, field.pointer)


def constraints(schema: dict[str, Any]) -> list[str]:
    """The schema's limits in words."""
    out = []
    if "minLength" in schema and "maxLength" in schema:
        out.append(f"{schema['minLength']} to {schema['maxLength']:,} characters")
    elif "minLength" in schema and schema["minLength"] > 1:
        out.append(f"at least {schema['minLength']} characters")
    if "minimum" in schema:
        out.append(f"at least {schema['minimum']:,}")
    if schema.get("minItems", 0) > 1:
        out.append(f"at least {schema['minItems']}")
    enum = schema.get("enum") or schema.get("items", {}).get("enum")
    if enum:
        out.append("one of " + ", ".join(str(e) for e in enum) if "enum" in schema
                   else "any of " + ", ".join(str(e) for e in enum))
    names = schema.get("propertyNames", {}).get("enum")
    if names:
        out.append("splits: " + ", ".join(names))
    return out


def _id(pointer: str) -> str:
    return "f" + pointer.replace("/", "-")


def _hint(field: Field, extra: str = "") -> str:
    words = " ".join(x for x in [str(field.schema.get("description", "")), extra] if x)
    limits = constraints(field.schema) if field.kind not in ("choice", "choices") else []
    if limits:
        words += f" ({'; '.join(limits)})"
    return f'<p class="form-hint" id="{_id(field.pointer)}-hint">{esc(words.strip())}</p>'


def _error(pointer: str) -> str:
    return f'<p class="form-error" id="{_id(pointer)}-error" hidden></p>'


def _label(field: Field) -> str:
    required = ' <span class="form-required">(required)</span>' if field.required else ""
    return f"{esc(field.title)}{required}"


def _control(field: Field) -> str:
    fid, s = _id(field.pointer), field.schema
    described = f'aria-describedby="{fid}-hint {fid}-error"'
    required = " required" if field.required else ""
    kind = field.kind
    if kind == "choice":
        options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in s["enum"])
        return (f'<select id="{fid}" name="{esc(field.pointer)}" {described}{required}>'
                f'<option value="">Choose…</option>{options}</select>')
    if kind == "long-text":
        return (f'<textarea id="{fid}" name="{esc(field.pointer)}" rows="6" {described}'
                f"{required}></textarea>")
    if kind == "integer":
        return (f'<input id="{fid}" name="{esc(field.pointer)}" type="text" '
                f'inputmode="numeric" {described}{required}>')
    listed = ' list="open-licences"' if RULES.get(field.pointer) == "open-licence" else ""
    return (f'<input id="{fid}" name="{esc(field.pointer)}" type="text" autocomplete="off" '
            f"{described}{required}{listed}>")


def _field_html(field: Field, children: str = "") -> str:
    fid, pointer = _id(field.pointer), esc(field.pointer)
    kind = field.kind
    if kind == "group":
        return (f'<fieldset class="form-group" data-pointer="{pointer}" id="{fid}">'
                f"<legend>{_label(field)}</legend>{_hint(field)}{_error(field.pointer)}"
                f"{children}</fieldset>")
    if kind == "choices":
        boxes = "".join(
            f'<label class="form-check"><input type="checkbox" name="{pointer}" '
            f'value="{esc(v)}"> {esc(v)}</label>' for v in field.schema["items"]["enum"])
        return (f'<fieldset class="form-field" data-pointer="{pointer}" data-kind="choices" '
                f'id="{fid}" aria-describedby="{fid}-hint {fid}-error">'
                f"<legend>{_label(field)}</legend>{_hint(field)}{_error(field.pointer)}"
                f"{boxes}</fieldset>")
    if kind == "lines-by-name":
        areas = []
        for name in field.schema["propertyNames"]["enum"]:
            sub = f"{field.pointer}/{name}"
            sid = _id(sub)
            areas.append(
                f'<div class="form-field" data-pointer="{esc(sub)}" data-kind="lines">'
                f'<label for="{sid}">{esc(name)}: file names, one per line</label>'
                f'<p class="form-hint" id="{sid}-hint">Relative to your data folder, e.g. '
                f"{esc(name)}.jsonl</p>{_error(sub)}"
                f'<textarea id="{sid}" name="{esc(sub)}" rows="2" '
                f'aria-describedby="{sid}-hint {sid}-error"></textarea></div>')
        return (f'<fieldset class="form-group" data-pointer="{pointer}" id="{fid}">'
                f"<legend>{_label(field)}</legend>{_hint(field)}{_error(field.pointer)}"
                f"{''.join(areas)}</fieldset>")
    extra = "Separate several with commas." if kind == "list" else ""
    return (f'<div class="form-field" data-pointer="{pointer}" data-kind="{kind}">'
            f'<label for="{fid}">{_label(field)}</label>{_hint(field, extra)}'
            f"{_error(field.pointer)}{_control(field)}</div>")


def form_html(schema: dict[str, Any], pointer: str = "") -> str:
    """The controls of an object schema, nested fieldsets for nested objects."""
    required = set(schema.get("required", []))
    parts = []
    for name, sub in schema.get("properties", {}).items():
        field = Field(f"{pointer}/{name}", name, sub, name in required)
        children = form_html(sub, field.pointer) if field.kind == "group" else ""
        parts.append(_field_html(field, children))
    return "".join(parts)


@cache
def language_subtags() -> dict[str, str]:
    """Language, script and region subtags ``langcodes.tag_is_valid`` accepts, by kind.

    Combined as ``language[-Script][-Region]`` (the schema's pattern), a tag is valid
    when each of its subtags is in its list; the site tests check this agrees with
    ``langcodes`` on thousands of tags.
    """
    low, up = string.ascii_lowercase, string.ascii_uppercase
    two = [a + b for a in low for b in low]
    three = [a + b + c for a in low for b in low for c in low]
    private = [f"Qa{a}{b}" for a in "ab" for b in low]
    regions = [a + b for a in up for b in up] + [f"{n:03d}" for n in range(1000)]
    return {
        "languages": " ".join(t for t in two + three if langcodes.tag_is_valid(t)),
        "scripts": " ".join(s for s in sorted(set(ALL_SCRIPTS) | set(private))
                            if langcodes.tag_is_valid(f"en-{s}")),
        "regions": " ".join(r for r in regions if langcodes.tag_is_valid(f"en-{r}")),
    }


def _json_for_html(document: Any) -> str:
    text = json.dumps(document, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def submit_page(schema: dict[str, Any]) -> str:
    """The Markdown source of the submission page."""
    check_supported(schema)
    config = {"schema": schema, "rules": RULES, "licences": sorted(OPEN_LICENSES),
              "subtags": language_subtags()}
    licences = "".join(f'<option value="{esc(x)}"></option>' for x in sorted(OPEN_LICENSES))
    form = (
        '<form class="submission" id="submission-form" method="dialog" novalidate hidden '
        'aria-describedby="submission-intro">'
        '<div class="form-summary" id="form-summary" role="alert" tabindex="-1" hidden></div>'
        f"{form_html(schema)}"
        f'<datalist id="open-licences">{licences}</datalist>'
        '<p class="form-actions"><button type="submit" class="md-button md-button--primary" '
        'id="form-save">Check and save the form</button></p>'
        '<div class="form-result" id="form-result" role="status" hidden></div>'
        "</form>")
    return "\n\n".join([
        front_matter("Submit a dataset", "Fill in the archive's submission form in your "
                     "browser and save it as a file to send with your data."),
        "# Submit a dataset",
        '<div id="submission-intro"><p>Offer a dataset to the archive: fill in this form, '
        "then save it. Your browser checks every answer against the archive's "
        '<a href="form.schema.json">form schema</a> and gives you the filled form as a JSON '
        "file. <strong>Nothing is sent anywhere by this page</strong>: send the file to the "
        "archive's maintainers together with your data files.</p>"
        "<p>The contact person is kept by the maintainers only and is never published. "
        'Every field is explained in <a href="form-fields.html">the form fields</a>.</p></div>',
        "<noscript><p><strong>This form needs JavaScript to check your answers and save the "
        'file.</strong> Without it, fill in <a href="form-template.yaml">the form template</a> '
        'in a text editor, following <a href="form-fields.html">the form fields</a>, and send '
        "it to the maintainers.</p></noscript>",
        form,
        f'<script type="application/json" id="submission-config">{_json_for_html(config)}'
        "</script>",
    ]) + "\n"


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if "enum" in schema:
        return "one of the values"
    if kind == "array":
        item = schema.get("items", {})
        return "list of values" if "enum" in item else "list of text"
    if kind == "object":
        return "group" if "properties" in schema else "files per split"
    return {"integer": "whole number", "string": "text"}.get(str(kind), str(kind or "any"))


def fields_page(schema: dict[str, Any]) -> str:
    """A readable table of every form field: what to write, required or not, its limits."""
    rows = []
    for field in fields(schema):
        path = field.pointer.lstrip("/").replace("/", ".")
        limits = constraints(field.schema)
        if "pattern" in field.schema:
            limits.append(f"pattern <code>{esc(field.schema['pattern'])}</code>")
        if field.pointer in RULES:
            limits.append({"open-licence": "an open licence from the list below",
                           "language-tags": "known BCP 47 language tags",
                           "open-pathway": "must be open to be published"}[RULES[field.pointer]])
        rows.append(
            f'<tr><td><code>{esc(path)}</code></td><td>{"yes" if field.required else "no"}</td>'
            f"<td><strong>{esc(field.title)}</strong> ({esc(_type(field.schema))}). "
            f"{esc(field.schema.get('description', ''))}</td>"
            f"<td>{'; '.join(x if x.startswith(('pattern <code>',)) else esc(x) for x in limits)}"
            "</td></tr>")
    licences = "".join(f'<tr><td><code>{esc(spdx)}</code></td><td><a href="https://spdx.org/'
                       f'licenses/{esc(spdx)}.html">SPDX page</a></td></tr>'
                       for spdx in sorted(OPEN_LICENSES))
    return "\n\n".join([
        front_matter("Form fields", "Every field of the dataset submission form."),
        "# Form fields",
        "<p>The submission form is a YAML or JSON file following "
        '<a href="form.schema.json">the form schema</a> (JSON Schema 2020-12). Fill it in '
        'with <a href="submit.html">the submission page</a>, or by hand from '
        '<a href="form-template.yaml">the template</a>. Nested fields are written with dots '
        "here (<code>size.records</code>) and as nested mappings in the file.</p>",
        '<div class="table-wrap form-fields"><table><thead><tr>'
        '<th scope="col">Field</th><th scope="col">Required</th><th scope="col">What to write'
        '</th><th scope="col">Limits</th></tr></thead><tbody>' + "".join(rows)
        + "</tbody></table></div>",
        "## Open licences",
        "<p>The archive publishes under these SPDX licences only:</p>"
        '<div class="table-wrap"><table><thead><tr><th scope="col">SPDX id</th>'
        f'<th scope="col">Text</th></tr></thead><tbody>{licences}</tbody></table></div>',
    ]) + "\n"


def template_yaml(schema: dict[str, Any]) -> str:
    """A commented YAML skeleton of the form, for partners without JavaScript."""
    lines = ["# Dataset submission form: fill in every field marked (required), remove the #",
             "# before an optional field to give it, and send this file with your data to the",
             "# archive's maintainers. Field reference: form-fields.html. Schema:",
             "# form.schema.json.", ""]

    def walk(schema: dict[str, Any], indent: str) -> None:
        required = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            note = "required" if name in required else "optional"
            about = " ".join(str(sub.get("description", sub.get("title", ""))).split())
            limits = "; ".join(constraints(sub))
            lines.append(f"{indent}# {sub.get('title', name)} ({note}). {about}"
                         + (f" [{limits}]" if limits else ""))
            off = "" if name in required else "# "
            if sub.get("type") == "object" and "properties" in sub:
                lines.append(f"{indent}{off}{name}:")
                walk(sub, indent + "  ")
            elif sub.get("type") == "object":
                lines.append(f"{indent}{off}{name}:\n{indent}  {off}train: [train.jsonl]")
            elif sub.get("type") == "array":
                lines.append(f"{indent}{off}{name}: []")
            else:
                lines.append(f'{indent}{off}{name}: ""' if sub.get("type") != "integer"
                             else f"{indent}{off}{name}: 0")

    walk(schema, "")
    return "\n".join(lines) + "\n"
