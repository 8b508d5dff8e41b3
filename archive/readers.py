"""Read a partner's files as a stream of :class:`~archive.records.Record`.

Formats: JSON Lines, CSV, Parquet, a WebDataset tar, or a folder of media files
with a ``metadata.jsonl`` / ``metadata.csv`` (the Hub's ImageFolder convention,
``file_name`` naming each file). Records are read one at a time; nothing holds a
whole file in memory. Every problem raises an error naming file and line.
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
import stat
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow.parquet as pq

from .errors import RecordError, SourceError, Where
from .records import MEDIA_FIELDS, Media, Origin, Record, safe_key
from .streamed import FileSlice, MediaBytes, streams

MAX_LINE_BYTES = 256 * 1024 * 1024
MAX_MEDIA_BYTES = 4 * 1024**3
READ_BUFFER = 1024**2
"""JSON Lines files are read this much at a time (Python's 8 KiB took a system call, and
a wait for the interpreter's lock after it, every two or three lines of essays)."""
MAX_MEMBERS = 8
"""Members of one WebDataset sample: a .json, a .txt and one media file are expected."""


class _Reader:
    """Reads one split file of one dataset."""

    def __init__(self, dataset: str, record_type: str, root: Path, split: str, name: str):
        self.dataset, self.record_type, self.root = dataset, record_type, root.resolve()
        self.split, self.name = split, name
        self.stem = PurePosixPath(name).stem
        self.path = self.root / name
        self.media_field = MEDIA_FIELDS.get(record_type)
        if record_type == "conversation":
            self.media_field = "audio"
        self._folders: dict[Path, Path] = {}

    def where(self, line: int | None = None, record: str | None = None,
              pointer: str | None = None) -> Where:
        return Where(dataset=self.dataset, file=self.path, line=line, record=record,
                     pointer=pointer)

    def record(self, fields: dict[str, Any], origin: Origin, fallback_key: str,
               base: Path) -> Record:
        """Make a record from parsed fields, loading its media file if it has one."""
        key = safe_key(str(fields["id"])) if isinstance(fields.get("id"), str) else fallback_key
        media = {}
        name = fields.get(self.media_field) if self.media_field else None
        if isinstance(name, str) and name:
            media[self.media_field] = self.load_media(base, name, origin, key)
        return Record(key=key, split=self.split, fields=fields, origin=origin, media=media)

    def load_media(self, base: Path, name: str, origin: Origin, key: str) -> Media:
        """Read a media file named relative to ``base``, refusing paths outside the data."""
        line = origin.line
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts:
            raise RecordError(f"media path {name!r} leaves the data folder",
                              self.where(line, key, f"/{self.media_field}"))
        path = self._folder(base / pure.parent) / pure.name
        try:
            found = path.lstat()
            if stat.S_ISLNK(found.st_mode):
                path = path.resolve()
                found = path.stat()
        except OSError:
            found = None
        if not path.is_relative_to(self.root):
            raise RecordError(f"media path {name!r} leaves the data folder",
                              self.where(line, key, f"/{self.media_field}"))
        if found is None or not stat.S_ISREG(found.st_mode):
            raise SourceError(f"media file {name!r} does not exist",
                              self.where(line, key, f"/{self.media_field}"))
        size = found.st_size
        if size > MAX_MEDIA_BYTES:
            raise RecordError(f"media file {name!r} is larger than {MAX_MEDIA_BYTES:,} bytes",
                              self.where(line, key, f"/{self.media_field}"))
        ext = pure.suffix.lstrip(".").lower()
        if streams(ext, size):
            return Media(data=FileSlice.of(path, 0, size), ext=ext, name=pure.name)
        return Media(data=path.read_bytes(), ext=ext, name=pure.name)

    def _folder(self, folder: Path) -> Path:
        """A media file's folder with its links resolved, once per folder (resolving each
        file's whole path took half the time of reading a 40 KB picture)."""
        resolved = self._folders.get(folder)
        if resolved is None:
            resolved = self._folders[folder] = folder.resolve()
        return resolved

    def fallback_key(self, number: int) -> str:
        return safe_key(f"{self.split}-{self.stem}-{number:08d}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_SURROGATE_ESCAPE = re.compile(r"\\u[dD]")
"""Where a lone surrogate may be (a regex finds it 4 times faster than ``in``)."""
_STRICT = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
"""Made once: ``json.loads`` with these options builds a decoder per call (half its cost)."""


def parse_json_line(raw: bytes) -> Any:
    """Parse one JSON Lines line strictly: UTF-8, no NaN/Infinity, no duplicate keys, no
    lone surrogate escapes (``\\ud800`` is valid JSON but no Unicode text)."""
    return parse_json_text(raw.decode("utf-8"))


def parse_json_text(text: str) -> Any:
    """:func:`parse_json_line` for a line decoded already."""
    value = _STRICT.decode(text)
    if _SURROGATE_ESCAPE.search(text) and (pointer := _lone_surrogate(value, "")):
        raise LoneSurrogate(pointer)
    return value


class LoneSurrogate(ValueError):
    """A string holds half a surrogate pair (at the JSON pointer given)."""

    def __init__(self, pointer: str) -> None:
        super().__init__(f"the string at {pointer} holds a lone surrogate escape "
                         "(\\uD800-\\uDFFF alone is not Unicode text)")
        self.pointer = pointer


def _lone_surrogate(value: Any, pointer: str) -> str | None:
    """The JSON pointer of the first key or string holding a lone surrogate, or None."""
    if isinstance(value, str):
        return None if value.isascii() or _is_text(value) else pointer
    items = (value.items() if isinstance(value, dict)
             else enumerate(value) if isinstance(value, list) else ())
    for key, item in items:
        shown = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
        here = f"{pointer}/{shown.replace('~', '~0').replace('/', '~1')}"
        if isinstance(key, str) and not _is_text(key):
            return here
        if (found := _lone_surrogate(item, here)) is not None:
            return found
    return None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _lines(reader: _Reader) -> Iterator[Line]:
    """The non-blank lines of a JSON Lines file, unparsed, each with its number. While
    one is out, only it holds its bytes (and lets them go when parsed): no loop variable
    here keeps a 200 MB line alive through its record's screening and writing."""
    number = 0
    with open(reader.path, "rb", buffering=READ_BUFFER) as f:
        while raw := f.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise RecordError(f"line longer than {MAX_LINE_BYTES:,} bytes",
                                  reader.where(number))
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if raw and not raw.isspace():  # not blank (no stripped copy made to see)
                line = Line(reader, number, raw)
                del raw
                yield line


@contextlib.contextmanager
def _parse_errors(reader: _Reader, number: int) -> Iterator[None]:
    """Errors parsing a JSON Lines line as :class:`RecordError` naming the line."""
    try:
        yield
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 (byte {exc.start})", reader.where(number)) from None
    except RecursionError:
        raise RecordError("JSON nested too deeply", reader.where(number)) from None
    except LoneSurrogate as exc:
        raise RecordError(str(exc), reader.where(number, pointer=exc.pointer),
                          hint="write the character itself, or a whole pair") from None
    except ValueError as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise RecordError(f"malformed JSON: {msg}", reader.where(number),
                          hint="each line must be one JSON object") from None


def _json_lines(reader: _Reader) -> Iterator[tuple[int, dict[str, Any]]]:
    for line in _lines(reader):
        yield line.number, line.fields()


@dataclass
class Line:
    """A JSON Lines line read but not yet parsed: the process that prepares it (a worker)
    parses it, so the process reading the file does not (:func:`read_split`)."""

    reader: _Reader
    number: int
    raw: bytes
    size: int = field(init=False)
    """Bytes of the line, also once it is parsed."""

    def __post_init__(self) -> None:
        self.size = len(self.raw)

    @property
    def origin(self) -> Origin:
        return Origin(self.reader.name, line=self.number)

    def fields(self) -> dict[str, Any]:
        """The JSON object on this line; a :class:`RecordError` names the line if it is
        bad. A line is parsed once and lets go of its bytes then, so that a long line is
        not held beside its record while that is screened and written."""
        raw, self.raw = self.raw, b""
        if self.size and not raw:
            raise RuntimeError(f"line {self.number} of {self.reader.name} parsed twice")
        with _parse_errors(self.reader, self.number):
            text = raw.decode("utf-8")
            del raw  # a long line is held twice at most: as text, then as its values
            value = parse_json_text(text)
        if not isinstance(value, dict):
            raise RecordError(f"expected a JSON object, found {type(value).__name__}",
                              self.reader.where(self.number))
        return value

    def record(self) -> Record:
        """The record on this line (:meth:`fields`, and its media file if it names one)."""
        return _line_record(self.reader, self.number, self.fields())


def _csv_rows(reader: _Reader) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a CSV file with a header, each with the line it starts on."""
    csv.field_size_limit(MAX_LINE_BYTES)
    start = 1
    try:
        with open(reader.path, encoding="utf-8-sig", newline="") as f:
            rows = csv.DictReader(f, strict=True)
            header = rows.fieldnames or []
            if len(set(header)) != len(header):
                repeated = sorted({h for h in header if header.count(h) > 1})
                raise RecordError(f"the header repeats the column(s) {', '.join(repeated)}",
                                  reader.where(1))
            start = rows.line_num + 1
            for row in rows:
                if None in row or any(v is None for v in row.values()):
                    count = (len(header) + len(row[None]) if None in row  # type: ignore[index]
                             else sum(v is not None for v in row.values()))
                    raise RecordError(f"row has {count} fields, the header has {len(header)}",
                                      reader.where(start))
                yield start, {k: v for k, v in row.items() if v != ""}
                start = rows.line_num + 1
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 (byte {exc.start} of the block read from line "
                          f"{start} on)", reader.where(start)) from None
    except csv.Error as exc:
        raise RecordError(f"malformed CSV: {exc}", reader.where(start)) from None


def _line_record(reader: _Reader, number: int, fields: dict[str, Any]) -> Record:
    return reader.record(fields, Origin(reader.name, line=number), reader.fallback_key(number),
                         reader.path.parent)


def read_jsonl(reader: _Reader) -> Iterator[Record]:
    for number, fields in _json_lines(reader):
        yield _line_record(reader, number, fields)


def read_csv(reader: _Reader) -> Iterator[Record]:
    base = reader.path.parent
    for number, fields in _csv_rows(reader):
        if isinstance(fields.get("metadata"), str):
            try:
                fields["metadata"] = parse_json_line(fields["metadata"].encode("utf-8"))
            except ValueError:
                raise RecordError("the metadata column must hold a JSON object",
                                  reader.where(number, pointer="/metadata")) from None
        yield reader.record(fields, Origin(reader.name, line=number),
                            reader.fallback_key(number), base)


def read_parquet(reader: _Reader) -> Iterator[Record]:
    try:
        parquet = pq.ParquetFile(reader.path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise SourceError(f"not a readable Parquet file: {exc}", reader.where()) from None
    row = 0
    for batch in _parquet_batches(reader, parquet):
        for fields in batch.to_pylist():
            row += 1
            fields = {k: v for k, v in fields.items() if v is not None}
            media_value = fields.get(reader.media_field) if reader.media_field else None
            origin = Origin(reader.name, line=row)
            if isinstance(media_value, dict) and media_value.get("bytes") is not None:
                if len(media_value["bytes"]) > MAX_MEDIA_BYTES:
                    raise RecordError(f"media larger than {MAX_MEDIA_BYTES:,} bytes",
                                      reader.where(row, pointer=f"/{reader.media_field}"))
                name = media_value.get("path") or f"{row}.bin"
                fields[reader.media_field] = name
                key = (safe_key(fields["id"]) if isinstance(fields.get("id"), str)
                       else reader.fallback_key(row))
                media = {reader.media_field: Media(media_value["bytes"],
                                                   PurePosixPath(name).suffix.lstrip(".").lower(),
                                                   PurePosixPath(name).name)}
                yield Record(key, reader.split, fields, origin, media)
            else:
                yield reader.record(fields, origin, reader.fallback_key(row), reader.path.parent)


def _parquet_batches(reader: _Reader, parquet: pq.ParquetFile) -> Iterator[Any]:
    """Record batches of a Parquet file; a damaged page names its row group."""
    for group in range(parquet.metadata.num_row_groups):
        try:
            batches = list(parquet.iter_batches(batch_size=256, row_groups=[group]))
        except (OSError, ValueError) as exc:
            raise SourceError(f"damaged Parquet data in row group {group}: {exc}",
                              reader.where()) from None
        yield from batches


def read_folder(reader: _Reader) -> Iterator[Record]:
    """A metadata file (``metadata.jsonl`` or ``.csv``) whose ``file_name`` names each file."""
    base = reader.path.parent
    rows = _csv_rows(reader) if reader.path.suffix == ".csv" else _json_lines(reader)
    for number, fields in rows:
        name = fields.pop("file_name", None)
        if not isinstance(name, str) or not reader.media_field:
            raise RecordError("each metadata row needs a file_name", reader.where(number,
                                                                                pointer="/file_name"))
        fields[reader.media_field] = name
        yield reader.record(fields, Origin(reader.name, line=number),
                            reader.fallback_key(number), base)


def read_webdataset(reader: _Reader) -> Iterator[Record]:
    """A tar whose members ``KEY.json`` (fields) and ``KEY.EXT`` (media, text) make samples."""
    try:
        tar = tarfile.open(reader.path, mode="r|*")  # noqa: SIM115 - closed by `with` below
    except (tarfile.TarError, OSError) as exc:
        raise SourceError(f"not a readable tar file: {exc}", reader.where()) from None
    current: str | None = None
    parts: dict[str, tuple[str, MediaBytes]] = {}
    seen: set[str] = set()
    number = 0
    plain = getattr(tar.fileobj, "comptype", None) == "tar"  # offsets are the file's
    with tar:
        try:
            for member in tar:
                name = member.name
                pure = PurePosixPath(name)
                if pure.is_absolute() or ".." in pure.parts:
                    raise RecordError(f"tar member {name!r} has an unsafe path", reader.where())
                if not member.isfile():
                    if member.isdir():
                        continue
                    raise RecordError(f"tar member {name!r} is not a regular file",
                                      reader.where())
                if member.size > MAX_MEDIA_BYTES:
                    raise RecordError(f"tar member {name!r} claims {member.size:,} bytes",
                                      reader.where())
                key, _, ext = pure.name.partition(".")
                if ext in ("txt", "json") and member.size > MAX_LINE_BYTES:
                    raise RecordError(f"tar member {name!r} holds {member.size:,} bytes; a "
                                      f"text or JSON member is at most {MAX_LINE_BYTES:,}, "
                                      "as a JSON line is", reader.where())
                key = str(pure.parent / key) if str(pure.parent) != "." else key
                if key != current:
                    if current is not None:
                        number += 1
                        yield _sample(reader, current, parts, number)
                    if key in seen:
                        raise RecordError(f"sample {key!r} appears twice or its members are not "
                                          "adjacent", reader.where(record=key))
                    seen.add(key)
                    current, parts = key, {}
                if ext in parts:
                    raise RecordError(f"duplicate member {name!r}", reader.where(record=key))
                if len(parts) >= MAX_MEMBERS:
                    raise RecordError(f"sample {key!r} has more than {MAX_MEMBERS} members",
                                      reader.where(record=key))
                if plain and streams(ext.rsplit(".", 1)[-1], member.size):
                    parts[ext] = (name, FileSlice.of(reader.path, member.offset_data, member.size))
                    continue
                f = tar.extractfile(member)
                parts[ext] = (name, f.read() if f else b"")
        except tarfile.TarError as exc:
            raise SourceError(f"damaged tar file: {exc}", reader.where()) from None
    if current is not None:
        number += 1
        yield _sample(reader, current, parts, number)


def _sample(reader: _Reader, key: str, parts: dict[str, tuple[str, MediaBytes]],
            number: int) -> Record:
    origin = Origin(reader.name, member=key)
    fields: dict[str, Any] = {}
    if "json" in parts:
        try:
            fields = parse_json_line(parts.pop("json")[1])
        except (UnicodeDecodeError, ValueError) as exc:
            raise RecordError(f"malformed {key}.json: {exc}", reader.where(record=key)) from None
        if not isinstance(fields, dict):
            raise RecordError(f"{key}.json must hold a JSON object", reader.where(record=key))
    text_field = {"text": "text", "audio": "transcript"}.get(reader.record_type, "caption")
    if "txt" in parts and text_field not in fields:
        try:
            fields[text_field] = parts.pop("txt")[1].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecordError(f"{key}.txt is not UTF-8 (byte {exc.start})",
                              reader.where(record=key)) from None
    media = {}
    if reader.media_field and len(parts) == 1:
        ext, (name, data) = next(iter(parts.items()))
        fields.setdefault(reader.media_field, PurePosixPath(name).name)
        media[reader.media_field] = Media(data, ext.rsplit(".", 1)[-1].lower(),
                                          PurePosixPath(name).name)
        parts = {}
    if parts:
        unused = ", ".join(sorted(name for name, _ in parts.values()))
        raise RecordError(f"sample {key} has members that fit no field: {unused}",
                          reader.where(record=key),
                          hint="one .json, at most one .txt and one media file per sample")
    key = safe_key(fields["id"]) if isinstance(fields.get("id"), str) else safe_key(key)
    return Record(key, reader.split, fields, origin, media)


READERS = {"jsonl": read_jsonl, "csv": read_csv, "parquet": read_parquet,
           "webdataset": read_webdataset, "folder": read_folder}


def _split_readers(dataset: str, record_type: str, root: Path, split: str,
                   names: list[str]) -> Iterator[_Reader]:
    """A reader for each file of one split, in the order given, each checked to exist."""
    for name in names:
        reader = _Reader(dataset, record_type, root, split, name)
        if not reader.path.is_file():
            raise SourceError("data file does not exist", reader.where())
        if not reader.path.resolve().is_relative_to(reader.root):
            raise SourceError("data file leaves the data folder (a link to elsewhere?)",
                              reader.where())
        yield reader


def read_split(dataset: str, record_type: str, fmt: str, root: Path, split: str,
               names: list[str]) -> Iterator[Record]:
    """Stream every record of one split, file after file, in the order given."""
    for reader in _split_readers(dataset, record_type, root, split, names):
        yield from READERS[fmt](reader)


def read_units(dataset: str, record_type: str, fmt: str, root: Path, split: str,
               names: list[str]) -> Iterator[Record | Line]:
    """:func:`read_split`, except that JSON Lines records carrying no media file (text)
    come as unparsed :class:`Line` objects, for workers to parse. (Where a record may
    carry media, the reading process loads it, to bound the bytes of each batch.)"""
    for reader in _split_readers(dataset, record_type, root, split, names):
        if fmt == "jsonl" and reader.media_field is None:
            yield from _lines(reader)
        else:
            yield from READERS[fmt](reader)


def read_dataset(dataset: str, record_type: str, fmt: str, root: Path,
                 splits: dict[str, list[str]]) -> Iterator[Record]:
    """Stream every record of a dataset, split by split (train, validation, test)."""
    for split in ("train", "validation", "test"):
        if split in splits:
            yield from read_split(dataset, record_type, fmt, root, split, splits[split])


