"""Dataset entries under ``datacards/``: intake, approval and the state of each dataset.

An entry is ``datacards/ID/entry.yaml`` (the public part of the partner's form, the
state, the approval and the version to release) beside ``card.md`` (the card's human
sections). The partner's contact person is private: it is kept apart, under
``.archive/private/`` (never committed, never published).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import langcodes
import yaml

from .diskio import write_atomic
from .errors import EntryError, FormError, RefusedError, Where
from .form import read_document, read_form
from .licenses import is_open

PRIVATE_FIELDS = ("contact",)
VERSION = re.compile(r"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$")


def version_key(tag: str) -> tuple[int, ...]:
    """Sort key of ``v1.10.0``-style tags; anything else sorts first."""
    try:
        return tuple(int(p) for p in tag.removeprefix("v").split("."))
    except ValueError:
        return (-1,)


def check_version(version: str, dataset: str | None = None) -> str:
    """Return ``version`` if it is ``X.Y.Z`` (plain numbers); raise :class:`EntryError`."""
    if not isinstance(version, str) or not VERSION.match(version):
        raise EntryError(f"version {version!r} is not X.Y.Z", Where(dataset=dataset),
                         hint="use three plain numbers, e.g. 1.2.0")
    return version
STATES = ("submitted", "approved")


@dataclass
class Entry:
    """One dataset in the archive, as recorded under ``datacards/ID/``."""

    id: str
    form: dict[str, Any]
    directory: Path
    data: Path
    state: str = "submitted"
    version: str = "1.0.0"
    approval: dict[str, str] | None = None
    screening: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.form["title"]

    @property
    def record_type(self) -> str:
        return self.form["record_type"]

    @property
    def languages(self) -> list[str]:
        return list(self.form["languages"])

    @property
    def license(self) -> str:
        return self.form["license"]

    @property
    def pathway(self) -> str:
        return self.form["pathway"]

    @property
    def splits(self) -> dict[str, list[str]]:
        return dict(self.form["source"]["splits"])

    @property
    def source_format(self) -> str:
        return self.form["source"]["format"]

    @property
    def card_path(self) -> Path:
        return self.directory / "card.md"

    def require_releasable(self) -> None:
        """Raise :class:`RefusedError` unless this entry may be published."""
        where = Where(dataset=self.id, file=self.directory / "entry.yaml")
        if self.pathway != "open":
            raise RefusedError("private-pathway data is never published", where)
        if self.state != "approved" or not self.approval:
            raise RefusedError(f"the dataset is {self.state}, not approved", where,
                               hint=f"run: archive approve {self.id} --by NAME")
        if not is_open(self.license):
            raise RefusedError(f"licence {self.license} is not on the open-licence allow-list",
                               where)

    def to_yaml(self) -> str:
        data_rel = os.path.relpath(self.data, self.directory)
        document: dict[str, Any] = {
            "id": self.id, "state": self.state, "version": self.version,
            "approval": self.approval, "data": data_rel, "form": self.form,
        }
        if self.screening:
            document["screening"] = self.screening
        document.update(self.extra)
        header = "# Dataset entry, written by `archive intake` and `archive approve`.\n"
        return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=88)


class Registry:
    """The dataset entries of one archive checkout (``ROOT/datacards``)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.cards = self.root / "datacards"
        self.private = self.root / ".archive" / "private"

    def path(self, dataset_id: str) -> Path:
        return self.cards / dataset_id / "entry.yaml"

    def ids(self) -> list[str]:
        """Every dataset id with an entry, sorted."""
        return sorted(p.parent.name for p in self.cards.glob("*/entry.yaml"))

    def get(self, dataset_id: str) -> Entry:
        """Load one entry; raise :class:`EntryError` if it is missing or malformed."""
        path = self.path(dataset_id)
        if not path.is_file():
            known = ", ".join(self.ids()) or "none"
            raise EntryError("no such dataset entry", Where(dataset=dataset_id, file=path),
                             hint=f"known datasets: {known}")
        document = read_document(path, error=EntryError, dataset=dataset_id)
        try:
            entry = Entry(
                id=document.pop("id"), form=document.pop("form"), directory=path.parent,
                data=(path.parent / document.pop("data")).resolve(),
                state=document.pop("state"), version=str(document.pop("version")),
                approval=document.pop("approval", None),
                screening=document.pop("screening", None), extra=document,
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise EntryError(f"malformed entry: missing {exc}", Where(dataset=dataset_id,
                                                                       file=path)) from None
        check_version(entry.version, dataset_id)
        if entry.id != dataset_id:
            raise EntryError(f"entry id {entry.id!r} does not match its folder",
                             Where(dataset=dataset_id, file=path))
        return entry

    def all(self) -> list[Entry]:
        return [self.get(i) for i in self.ids()]

    def save(self, entry: Entry) -> None:
        """Write an entry atomically."""
        entry.directory.mkdir(parents=True, exist_ok=True)
        write_atomic(entry.directory / "entry.yaml", entry.to_yaml())

    def intake(self, form_path: Path, data: Path, *, replace: bool = False) -> Entry:
        """Record a partner's submission as a new entry in the state ``submitted``."""
        from .screening import pii_in_text  # numpy, PyAV, recognisers: only for intake

        form = read_form(form_path)
        dataset_id = form["id"]
        where = Where(dataset=dataset_id, file=form_path)
        if form["pathway"] != "open":
            raise RefusedError("private-pathway datasets are not handled by the public archive;"
                               " nothing was recorded", Where(dataset=dataset_id,
                                                              file=form_path,
                                                              pointer="/pathway"))
        if not is_open(form["license"]):
            raise FormError(f"licence {form['license']!r} is not an open SPDX licence on the "
                            "archive's allow-list", Where(dataset=dataset_id, file=form_path,
                                                          pointer="/license"),
                            hint="see archive/licenses.py")
        for i, tag in enumerate(form["languages"]):
            if not langcodes.tag_is_valid(tag):
                raise FormError(f"{tag!r} is not a valid BCP 47 language tag",
                                Where(dataset=dataset_id, file=form_path,
                                      pointer=f"/languages/{i}"))
        for pointer, text in published_text(form):
            for kind, excerpt in pii_in_text(text):
                raise FormError(f"personal information ({kind}) {excerpt} in a field that is "
                                "published", Where(dataset=dataset_id, file=form_path,
                                                   pointer=pointer),
                                hint="the contact person goes under /contact, which is kept "
                                     "private; remove it from this field")
        data = data.resolve()
        for split, files in form["source"]["splits"].items():
            for i, name in enumerate(files):
                if not (data / name).is_file():
                    raise FormError(f"data file {data / name} does not exist", Where(
                        dataset=dataset_id, file=form_path,
                        pointer=f"/source/splits/{split}/{i}"))
        if self.path(dataset_id).exists() and not replace:
            raise EntryError("an entry with this id exists already", where,
                             hint="pass --replace to record the form again")
        public = {k: v for k, v in form.items() if k not in PRIVATE_FIELDS and k != "version"}
        entry = Entry(id=dataset_id, form=public, directory=self.cards / dataset_id, data=data,
                      version=form.get("version", "1.0.0"))
        self.save(entry)
        self._save_private(dataset_id, {k: form[k] for k in PRIVATE_FIELDS if k in form})
        return entry

    def approve(self, dataset_id: str, by: str, *, at: datetime | None = None) -> Entry:
        """Record an approval (who, when); private-pathway entries cannot be approved."""
        entry = self.get(dataset_id)
        if entry.pathway != "open":
            raise RefusedError("private-pathway data cannot be approved for publication",
                               Where(dataset=dataset_id, file=self.path(dataset_id)))
        when = (at or datetime.now(UTC)).replace(microsecond=0).isoformat()
        entry.state, entry.approval = "approved", {"by": by, "at": when}
        self.save(entry)
        return entry

    def _save_private(self, dataset_id: str, private: dict[str, Any]) -> None:
        self.private.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.private / f"{dataset_id}.yaml"
        write_atomic(path, yaml.safe_dump(private, allow_unicode=True), mode=0o600)


def published_text(form: dict[str, Any]) -> list[tuple[str, str]]:
    """``(pointer, text)`` of the form's free-text fields that reach the card and the site."""
    out = [(f"/{key}", form[key]) for key in ("title", "description", "citation")
           if isinstance(form.get(key), str)]
    name = (form.get("organisation") or {}).get("name")
    if isinstance(name, str):
        out.append(("/organisation/name", name))
    return out
