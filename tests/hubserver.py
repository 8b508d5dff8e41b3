"""A loopback stand-in for the Hugging Face Hub, for tests.

`HubServer` speaks enough of the Hub's HTTP protocol for the real `huggingface_hub` client (with
`HF_HUB_DISABLE_XET=1`, i.e. plain Git-LFS "basic" uploads) and the real `datasets` library:
create/delete repo, validate-yaml, preupload, LFS batch + PUT + verify, commit (ndjson), tags,
refs, repo info, commit list, tree, paths-info, and `resolve` with HEAD, GET and Range. The server
itself is standard library only (`http.server`), bound to 127.0.0.1 on a free port, run in a
background thread. Everything it receives is kept on disk under `root`:

    root/blobs/<sha256>                          content-addressed file contents (LFS or not)
    root/repos/<type>/<org>/<name>/refs.json     {"branches": {"main": sha}, "tags": {...}}
    root/repos/<type>/<org>/<name>/commits/<sha>.json
                                                 parent, message, changed paths and the full tree
                                                 {path: {sha256, size, lfs, oid}}; `oid` is the git
                                                 blob sha1 (of the LFS pointer for LFS files)

A new repo starts, as on the real Hub, with an "initial commit" holding a `.gitattributes`.
Behaviour copied from the Hub: preupload answers "lfs" for binary files, files of 10 MB or more and
paths matching the `.gitattributes` LFS patterns, "regular" otherwise; the LFS batch answers with
no `actions` for objects the server already has; uploaded LFS objects are checked against their
sha256 and size; a commit is atomic (an unknown LFS object refuses it with 400 and changes
nothing); a `parentCommit` that is not the branch head gets 412; an existing tag gets 409; 404s
carry `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`); HEAD answers never
carry a body; every URL handed out uses the host of `hub.url`.

Test hooks: `hub.requests` records every request (method, path, status, bytes received, whether
it was a write); `hub.faults` injects 429/5xx answers or dropped connections; `hub.commits()`,
`hub.tags()`, `hub.files()` and `hub.read()` inspect what was published.

How the clients are pointed at the server (the surprising part): `huggingface_hub` reads
`HF_ENDPOINT` once, at import, into `huggingface_hub.constants.ENDPOINT` and the derived
`HUGGINGFACE_CO_URL_TEMPLATE`; the module-level helpers (`huggingface_hub.create_repo`, ...) are
bound methods of a global `HfApi` whose `endpoint` was frozen at import too. `datasets` copies the
endpoint into `datasets.config.HF_ENDPOINT` / `HUB_DATASETS_URL` at its own import, and both read
their cache folders and offline/Xet switches at import. Setting environment variables inside a
test is therefore not enough for in-process code: `point_clients_at()` sets the variables (for
subprocesses, which import afresh) *and* monkeypatches those module attributes (for this process).
`datasets`' Parquet-export lookup (a separate datasets-server host) is switched off. The `hf_hub`
fixture does all of this; use it from a conftest with

    from tests.hubserver import hf_hub  # noqa: F401
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest

TEST_TOKEN = "hf_test_token_for_the_loopback_hub"
TEST_USER = "test-user"
LFS_SIZE_THRESHOLD = 10 * 1000 * 1000  # the Hub stores files of 10 MB or more in LFS
LFS_PATTERNS = (
    "*.7z", "*.arrow", "*.bin", "*.bz2", "*.ckpt", "*.ftz", "*.gz", "*.h5", "*.joblib",
    "*.lfs.*", "*.lz4", "*.mds", "*.mlmodel", "*.model", "*.msgpack", "*.npy", "*.npz",
    "*.onnx", "*.ot", "*.parquet", "*.pb", "*.pickle", "*.pkl", "*.pt", "*.pth", "*.rar",
    "*.safetensors", "*.tar", "*.tar.*", "*.tflite", "*.tgz", "*.wasm", "*.xz", "*.zip",
    "*.zst", "*tfevents*", "*.mp3", "*.ogg", "*.wav", "*.flac", "*.opus", "*.jpg", "*.jpeg",
    "*.png", "*.gif", "*.webp", "*.bmp", "*.tiff", "*.mp4", "*.webm",
)
GITATTRIBUTES = "".join(f"{p} filter=lfs diff=lfs merge=lfs -text\n" for p in LFS_PATTERNS)
REPO_TYPES = {"models": "model", "datasets": "dataset", "spaces": "space", None: "model"}
URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
CHUNK = 1024 * 1024


class HubError(Exception):
    """An error answer: HTTP status, message, and the Hub's `X-Error-Code` if any."""

    def __init__(self, status: int, message: str, code: str | None = None, **headers: str):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def git_blob_sha1(data: bytes) -> str:
    """The git object id of a blob, as `git hash-object` computes it."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The Git-LFS pointer file that git stores in place of an LFS file."""
    spec = "https://git-lfs.github.com/spec/v1"
    return f"version {spec}\noid sha256:{sha256}\nsize {size}\n".encode()


def upload_mode(path: str, size: int, sample: bytes) -> str:
    """The Hub's choice between "lfs" and "regular" (plain git) for a file about to be uploaded."""
    name = path.rsplit("/", 1)[-1]
    if size >= LFS_SIZE_THRESHOLD or any(fnmatch.fnmatch(name, p) for p in LFS_PATTERNS):
        return "lfs"
    if b"\0" in sample:
        return "lfs"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(sample) - 3:  # not just a multi-byte character cut by the sample
            return "lfs"
    return "regular"


def _check_path(path: str) -> str:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts):
        raise HubError(400, f"Invalid path in repo: {path!r}")
    return path


# --------------------------------------------------------------------------------------- storage
class _Store:
    """Repos, commits, refs and blobs on disk. Every public method holds the store's lock."""

    def __init__(self, root: Path):
        self.root = root
        self.blobs = root / "blobs"
        self.tmp = root / "tmp"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()

    # -- helpers
    def _dir(self, rtype: str, repo_id: str) -> Path:
        if not re.fullmatch(r"\w[\w.-]*/\w[\w.-]*", repo_id) or ".." in repo_id:
            raise HubError(404, f"Repository {repo_id} not found", "RepoNotFound")
        return self.root / "repos" / rtype / repo_id

    @staticmethod
    def _write_json(path: Path, obj: Any) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(obj, indent=1, sort_keys=True))
        os.replace(tmp, path)

    def refs(self, rtype: str, repo_id: str) -> dict[str, Any]:
        path = self._dir(rtype, repo_id) / "refs.json"
        if not path.is_file():
            raise HubError(404, f"Repository {repo_id} not found", "RepoNotFound")
        return json.loads(path.read_text())

    def commit_record(self, rtype: str, repo_id: str, sha: str) -> dict[str, Any]:
        return json.loads((self._dir(rtype, repo_id) / "commits" / f"{sha}.json").read_text())

    def blob_path(self, sha256: str) -> Path:
        return self.blobs / sha256

    def has_blob(self, sha256: str, size: int | None = None) -> bool:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            return False
        path = self.blob_path(sha256)
        return path.is_file() and (size is None or path.stat().st_size == size)

    def is_private(self, rtype: str, repo_id: str) -> bool:
        with contextlib.suppress(HubError):
            return bool(self.refs(rtype, repo_id)["private"])
        return False

    def put_bytes(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        if not self.has_blob(sha256):
            tmp = self.tmp / secrets.token_hex(8)
            tmp.write_bytes(data)
            os.replace(tmp, self.blob_path(sha256))
        return sha256

    def entry_for(self, data: bytes) -> dict[str, Any]:
        """A tree entry for a regular (plain git) file, storing its content."""
        return {"sha256": self.put_bytes(data), "size": len(data), "lfs": False,
                "oid": git_blob_sha1(data)}

    @staticmethod
    def lfs_entry(sha256: str, size: int) -> dict[str, Any]:
        return {"sha256": sha256, "size": size, "lfs": True,
                "oid": git_blob_sha1(lfs_pointer(sha256, size))}

    def _new_commit(self, rtype: str, repo_id: str, parent: str | None, summary: str,
                    description: str, tree: dict[str, Any], changed: set[str]) -> str:
        record = {"parent": parent, "title": summary, "message": description, "date": _now(),
                  "tree": tree, "changed": sorted(changed), "author": TEST_USER}
        sha = hashlib.sha1(json.dumps(record, sort_keys=True).encode()).hexdigest()
        record["id"] = sha
        self._write_json(self._dir(rtype, repo_id) / "commits" / f"{sha}.json", record)
        return sha

    # -- repos
    def create_repo(self, rtype: str, repo_id: str, private: bool) -> None:
        with self.lock:
            repo_dir = self._dir(rtype, repo_id)
            if (repo_dir / "refs.json").exists():
                raise HubError(409, f"You already created this {rtype} repo: {repo_id}")
            (repo_dir / "commits").mkdir(parents=True, exist_ok=True)
            tree = {".gitattributes": self.entry_for(GITATTRIBUTES.encode())}
            sha = self._new_commit(rtype, repo_id, None, "initial commit", "", tree,
                                   {".gitattributes"})
            refs = {"branches": {"main": sha}, "tags": {}, "private": private,
                    "createdAt": _now()}
            self._write_json(repo_dir / "refs.json", refs)

    def delete_repo(self, rtype: str, repo_id: str) -> None:
        with self.lock:
            self.refs(rtype, repo_id)
            shutil.rmtree(self._dir(rtype, repo_id))

    # -- revisions
    def resolve(self, rtype: str, repo_id: str, rev: str) -> str:
        """Branch, tag, `refs/heads/x`, `refs/tags/x`, full or unique abbreviated commit sha."""
        with self.lock:
            refs = self.refs(rtype, repo_id)
            name = rev.removeprefix("refs/heads/").removeprefix("refs/tags/")
            if name in refs["branches"] and not rev.startswith("refs/tags/"):
                return refs["branches"][name]
            if name in refs["tags"] and not rev.startswith("refs/heads/"):
                return refs["tags"][name]["commit"]
            if re.fullmatch(r"[0-9a-f]{7,40}", rev):
                found = sorted((self._dir(rtype, repo_id) / "commits").glob(f"{rev}*.json"))
                if len(found) == 1:
                    return found[0].stem
            raise HubError(404, f"Invalid rev id: {rev}", "RevisionNotFound")

    def tree(self, rtype: str, repo_id: str, rev: str) -> tuple[str, dict[str, Any]]:
        with self.lock:
            sha = self.resolve(rtype, repo_id, rev)
            return sha, self.commit_record(rtype, repo_id, sha)["tree"]

    def history(self, rtype: str, repo_id: str, rev: str) -> list[dict[str, Any]]:
        """Commit records reachable from `rev`, newest first."""
        with self.lock:
            sha: str | None = self.resolve(rtype, repo_id, rev)
            out = []
            while sha is not None:
                out.append(self.commit_record(rtype, repo_id, sha))
                sha = out[-1]["parent"]
            return out

    # -- writes
    def commit(self, rtype: str, repo_id: str, branch: str, header: dict[str, Any],
               ops: list[tuple[str, str, Any]]) -> str:
        """Apply `ops` ((kind, path, payload) tuples) atomically on top of `branch`."""
        with self.lock:
            refs = self.refs(rtype, repo_id)
            if branch not in refs["branches"]:
                self.resolve(rtype, repo_id, branch)  # 404 RevisionNotFound if unknown at all
                raise HubError(400, f"Can only commit to a branch, and {branch!r} is not one")
            head = refs["branches"][branch]
            parent = header.get("parentCommit")
            if parent and parent != head:
                raise HubError(412, "A commit has happened since. Please refresh and try again.")
            tree = dict(self.commit_record(rtype, repo_id, head)["tree"])
            changed: set[str] = set()
            for kind, path, payload in ops:  # validate everything before storing anything
                if kind == "lfs":
                    oid, size = payload
                    if not self.has_blob(oid, size):
                        raise HubError(400, f"LFS object {oid} for {path!r} was never uploaded "
                                            "(or has another size): upload it first")
                    tree[path] = self.lfs_entry(oid, self.blob_path(oid).stat().st_size)
                elif kind == "file":
                    tree[path] = payload  # the bytes, stored below once all ops are valid
                elif kind == "deletedFile":
                    if path not in tree:
                        raise HubError(404, f"A file with this name doesn't exist: {path}",
                                       "EntryNotFound")
                    del tree[path]
                else:  # deletedFolder
                    inside = [p for p in tree if p.startswith(path.rstrip("/") + "/")]
                    if not inside:
                        raise HubError(404, f"A folder with this name doesn't exist: {path}",
                                       "EntryNotFound")
                    for p in inside:
                        del tree[p]
                    changed.update(inside)
                    continue
                changed.add(path)
            for path, entry in tree.items():
                if isinstance(entry, bytes):
                    tree[path] = self.entry_for(entry)
            sha = self._new_commit(rtype, repo_id, head, header.get("summary", ""),
                                   header.get("description", ""), tree, changed)
            refs["branches"][branch] = sha
            self._write_json(self._dir(rtype, repo_id) / "refs.json", refs)
            return sha

    def create_tag(self, rtype: str, repo_id: str, rev: str, tag: str, message: str) -> None:
        with self.lock:
            refs = self.refs(rtype, repo_id)
            sha = self.resolve(rtype, repo_id, rev)
            if not tag or tag in refs["tags"] or tag in refs["branches"]:
                raise HubError(409, f"Tag {tag!r} already exists (or names a branch)")
            refs["tags"][tag] = {"commit": sha, "message": message, "date": _now()}
            self._write_json(self._dir(rtype, repo_id) / "refs.json", refs)

    def delete_tag(self, rtype: str, repo_id: str, tag: str) -> None:
        with self.lock:
            refs = self.refs(rtype, repo_id)
            if refs["tags"].pop(tag, None) is None:
                raise HubError(404, f"Tag {tag!r} not found", "RevisionNotFound")
            self._write_json(self._dir(rtype, repo_id) / "refs.json", refs)


# ------------------------------------------------------------------------ test hooks: log, faults
@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it. `status` is None when the connection was dropped."""

    method: str
    path: str
    query: str
    status: int | None
    received: int
    write: bool
    authorized: bool


@dataclass
class Fault:
    """Answer the next `times` requests matching `method` and `path` (regexes, `re.search`) with
    `status` (plus `Retry-After` if set), or close the connection without answering (`drop`)."""

    method: str
    path: str
    status: int = 500
    times: int = 1
    retry_after: int | None = None
    drop: bool = False
    hits: int = 0
    stall: float = 0.0


class Faults:
    """A small queue of injected failures; the first live matching fault wins."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, method: str = ".*", path: str = ".*", *, status: int = 500, times: int = 1,
            retry_after: int | None = None, drop: bool = False, stall: float = 0.0) -> Fault:
        fault = Fault(method, path, status, times, retry_after, drop, stall=stall)
        with self._lock:
            self._faults.append(fault)
        return fault

    def rate_limit(self, method: str, path: str, times: int = 1, retry_after: int = 1) -> Fault:
        """Answer 429 Too Many Requests with `Retry-After`."""
        return self.add(method, path, status=429, times=times, retry_after=retry_after)

    def drop(self, method: str, path: str, times: int = 1) -> Fault:
        """Close the connection without answering."""
        return self.add(method, path, times=times, drop=True)

    def stall(self, method: str, path: str, seconds: float, times: int = 1) -> Fault:
        """Wait ``seconds`` before answering normally (a slow or hung server)."""
        return self.add(method, path, times=times, stall=seconds)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.hits < fault.times and re.fullmatch(fault.method, method) \
                        and re.search(fault.path, path):
                    fault.hits += 1
                    return fault
        return None


# ------------------------------------------------------------------------------------ HTTP layer
_T = r"/api/(?P<t>models|datasets|spaces)/(?P<repo>[^/]+/[^/]+)"
_PFX = r"/(?:(?P<t>datasets|spaces)/)?(?P<repo>[^/]+/[^/]+)"
_REV = r"(?P<rev>[^/]+)"


@dataclass(frozen=True)
class _Route:
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    name: str
    write: bool = False


def _route(methods: str, pattern: str, name: str, write: bool = False) -> _Route:
    return _Route(tuple(methods.split()), re.compile(pattern), name, write)


ROUTES = (
    _route("GET", r"/api/whoami-v2", "whoami"),
    _route("POST", r"/api/validate-yaml", "validate_yaml"),
    _route("POST", r"/api/repos/create", "create_repo", write=True),
    _route("DELETE", r"/api/repos/delete", "delete_repo", write=True),
    _route("GET", r"/api/(?P<t>models|datasets|spaces)", "list_repos"),
    _route("GET", _T, "repo_info"),
    _route("GET", _T + r"/revision/" + _REV, "repo_info"),
    _route("GET", _T + r"/refs", "refs"),
    _route("GET", _T + r"/commits/" + _REV, "list_commits"),
    _route("GET", _T + r"/tree/" + _REV + r"(?:/(?P<path>.*))?", "tree"),
    _route("POST", _T + r"/paths-info/" + _REV, "paths_info"),
    _route("POST", _T + r"/preupload/" + _REV, "preupload", write=True),
    _route("POST", _T + r"/commit/" + _REV, "commit", write=True),
    _route("POST", _T + r"/tag/" + _REV, "create_tag", write=True),
    _route("DELETE", _T + r"/tag/" + _REV, "delete_tag", write=True),
    _route("POST", _PFX + r"\.git/info/lfs/objects/batch", "lfs_batch", write=True),
    # Handed out by the LFS batch answer, like a pre-signed storage URL: no token needed.
    _route("PUT", r"/lfs/objects/(?P<oid>[0-9a-f]{64})", "lfs_upload", write=True),
    _route("POST", r"/lfs/verify/(?P<oid>[0-9a-f]{64})", "lfs_verify", write=True),
    _route("GET HEAD", _PFX + r"/resolve/" + _REV + r"/(?P<path>.+)", "resolve"),
)


class _Handler(BaseHTTPRequestHandler):
    """Routes a request to an `_on_<route>` method; those raise `HubError` for error answers."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the client expects; every answer has a length
    timeout = 60
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        pass

    # -- plumbing
    def _dispatch(self) -> None:
        hub = self.server.hub
        raw_path, _, self.query = self.path.partition("?")
        self.upload: tuple[Path, str, int] | None = None
        route, params = self._match(raw_path)
        auth = self.headers.get("Authorization", "")
        write = bool(route and route.write)
        self.record = RecordedRequest(self.command, raw_path, self.query, None, 0, write,
                                      auth.startswith("Bearer "))
        self.recorded, self.received = False, 0
        try:
            self.received = self._read_body(to_file=bool(route and route.name == "lfs_upload"))
            fault = hub.faults.take(self.command, raw_path)
            if fault and fault.stall:
                time.sleep(fault.stall)
                fault = None
            if fault and fault.drop:
                self.close_connection = True  # answer nothing: the client sees a dropped socket
            elif fault:
                extra = ({"Retry-After": str(fault.retry_after)}
                         if fault.retry_after is not None else {})
                raise HubError(fault.status, f"Injected fault {fault.status}", **extra)
            elif route is None:
                raise HubError(404, f"No such route: {self.command} {raw_path}")
            elif write and route.name != "lfs_upload" and not self._authorized():
                raise HubError(401, "Invalid credentials in Authorization header")
            elif "repo" in params and not self._authorized() \
                    and hub.store.is_private(params.get("rtype", "model"), params["repo"]):
                raise HubError(404, f"Repository {params['repo']} not found", "RepoNotFound")
            else:
                getattr(self, f"_on_{route.name}")(**params)
        except HubError as err:
            self._error(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug in this server: say so loudly, to the client too
            traceback.print_exc()
            self._error(HubError(500, f"hubserver bug: {exc!r}"))
        finally:
            if self.upload is not None:
                self.upload[0].unlink(missing_ok=True)
            self._record(None)  # no answer was sent (dropped, or the client went away)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _dispatch

    def _authorized(self) -> bool:
        """With a configured token, exactly that bearer token; without one, any bearer token."""
        auth, token = self.headers.get("Authorization", ""), self.server.hub.token
        return auth == f"Bearer {token}" if token else auth.startswith("Bearer ")

    def _record(self, status: int | None) -> None:
        """Log the request once, before answering, so a test sees it as soon as the client does."""
        if not self.recorded:
            self.recorded = True
            self.server.hub._record(replace(self.record, status=status, received=self.received))

    def _match(self, raw_path: str) -> tuple[_Route | None, dict[str, Any]]:
        for route in ROUTES:
            m = route.pattern.fullmatch(raw_path)
            if m and self.command in route.methods:
                params = {k: unquote(v) if v else v for k, v in m.groupdict().items()}
                if "t" in params:
                    params["rtype"] = REPO_TYPES[params.pop("t")]
                return route, params
        return None, {}

    def _body_chunks(self) -> Iterator[bytes]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while size := int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16):
                while size:
                    data = self.rfile.read(min(size, CHUNK))
                    if not data:
                        raise ConnectionResetError("client went away")
                    size -= len(data)
                    yield data
                self.rfile.readline(1024)
            while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return
        left = int(self.headers.get("Content-Length") or 0)
        while left:
            data = self.rfile.read(min(left, CHUNK))
            if not data:
                raise ConnectionResetError("client went away")
            left -= len(data)
            yield data

    def _read_body(self, to_file: bool) -> int:
        """Read the whole request body: into `self.body`, or for LFS uploads into a temp file
        (hashed on the way, so big files never sit in memory). Returns the byte count."""
        self.body = b""
        if not to_file:
            self.body = b"".join(self._body_chunks())
            return len(self.body)
        sha, size = hashlib.sha256(), 0
        fd, name = tempfile.mkstemp(dir=self.server.hub.store.tmp)
        self.upload = (Path(name), "", 0)
        with os.fdopen(fd, "wb") as out:
            for data in self._body_chunks():
                sha.update(data)
                size += len(data)
                out.write(data)
        self.upload = (Path(name), sha.hexdigest(), size)
        return size

    def _json_body(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError as err:
            raise HubError(400, f"Request body is not JSON: {err}") from err

    def _params(self) -> dict[str, list[str]]:
        return parse_qs(self.query)

    def _flag(self, name: str) -> bool:
        return self._params().get(name, ["false"])[-1].lower() in ("1", "true")

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None,
              length: int | None = None, content_type: str = "application/json") -> None:
        """Send status and headers, then `body` unless this is a HEAD request."""
        self._record(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), headers)

    def _error(self, err: HubError) -> None:
        headers = {"X-Error-Message": err.message, **err.headers}
        if err.code:
            headers["X-Error-Code"] = err.code
        if self.command == "HEAD":  # HEAD error answers carry no body at all
            self._send(err.status, b"", headers, length=0)
        else:
            self._json({"error": err.message}, err.status, headers)

    # -- helpers shared by routes
    @property
    def store(self) -> _Store:
        return self.server.hub.store

    @property
    def base(self) -> str:
        return self.server.hub.url

    def _entries(self, rtype: str, repo: str, rev: str, paths: list[str] | None,
                 under: str, recursive: bool, expand: bool) -> list[dict[str, Any]]:
        """Tree entries in the Hub's JSON shape: the given `paths` (missing ones skipped), or the
        children (all descendants if `recursive`) of folder `under`."""
        sha, tree = self.store.tree(rtype, repo, rev)
        folders: dict[str, list[str]] = {}
        for path, entry in tree.items():
            parts = path.split("/")
            for i in range(1, len(parts)):
                folders.setdefault("/".join(parts[:i]), []).append(f"{path}:{entry['oid']}")
        if paths is None:
            prefix = under.strip("/") + "/" if under.strip("/") else ""
            if prefix and prefix[:-1] not in folders:
                raise HubError(404, f"{under} does not exist (as a folder) at {rev}",
                               "EntryNotFound")
            paths = [p for p in [*folders, *tree] if p.startswith(prefix)
                     and (recursive or "/" not in p[len(prefix):])]
        history = self.store.history(rtype, repo, sha) if expand else []
        out = []
        for path in sorted(p for p in paths if p in tree or p in folders):
            if path in tree:
                e = tree[path]
                item = {"type": "file", "oid": e["oid"], "size": e["size"], "path": path}
                if e["lfs"]:
                    pointer = len(lfs_pointer(e["sha256"], e["size"]))
                    item["lfs"] = {"oid": e["sha256"], "size": e["size"], "pointerSize": pointer}
            else:
                tree_id = hashlib.sha1("\n".join(sorted(folders[path])).encode()).hexdigest()
                item = {"type": "directory", "oid": tree_id, "size": 0, "path": path}
            for c in history:
                if any(p == path or p.startswith(path + "/") for p in c["changed"]):
                    item["lastCommit"] = {"id": c["id"], "title": c["title"], "date": c["date"]}
                    break
            out.append(item)
        return out

    # -- routes: account and repos
    def _on_whoami(self) -> None:
        if not self._authorized():
            raise HubError(401, "Invalid credentials in Authorization header")
        self._json({"type": "user", "id": "0" * 24, "name": TEST_USER, "fullname": "Test User",
                    "email": f"{TEST_USER}@example.invalid", "emailVerified": True, "orgs": [],
                    "isPro": False, "canPay": False, "avatarUrl": "",
                    "auth": {"type": "access_token",
                             "accessToken": {"displayName": "test", "role": "write"}}})

    def _on_validate_yaml(self) -> None:
        content = str(self._json_body().get("content", ""))
        lines = content.splitlines()
        if lines and lines[0].strip() == "---" and "---" not in (x.strip() for x in lines[1:]):
            msg = "YAML front matter opened with '---' but never closed"
            self._json({"errors": [{"message": msg}], "warnings": []}, 400)
            return
        self._json({"errors": [], "warnings": []})

    def _repo_from_body(self) -> tuple[str, str, dict[str, Any]]:
        body = self._json_body()
        rtype = body.get("type") or "model"
        if rtype not in URL_PREFIX:
            raise HubError(400, f"Unsupported repo type {rtype!r}")
        name, org = body.get("name"), body.get("organization") or TEST_USER
        if not name or not re.fullmatch(r"[\w.-]+", name) or not re.fullmatch(r"[\w.-]+", org):
            raise HubError(400, f"Invalid repo name {org}/{name}")
        return rtype, f"{org}/{name}", body

    def _on_create_repo(self) -> None:
        rtype, repo, body = self._repo_from_body()
        url = f"{self.base}/{URL_PREFIX[rtype]}{repo}"
        private = bool(body.get("private")) or body.get("visibility") == "private"
        try:
            self.store.create_repo(rtype, repo, private)
        except HubError as err:
            self._json({"error": err.message, "url": url}, err.status)
            return
        self._json({"url": url, "name": repo, "id": hashlib.sha1(repo.encode()).hexdigest()[:24]})

    def _on_delete_repo(self) -> None:
        rtype, repo, _ = self._repo_from_body()
        self.store.delete_repo(rtype, repo)
        self._json({})

    def _on_list_repos(self, rtype: str) -> None:
        """Public repos of one type, optionally of one `author` (no pagination)."""
        author = self._params().get("author", [None])[0]
        base = self.store.root / "repos" / rtype
        ids = sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in base.glob("*/*/refs.json"))
        self._json([{"_id": hashlib.sha1(i.encode()).hexdigest()[:24], "id": i,
                     "author": i.split("/")[0], "private": False, "tags": []}
                    for i in ids if (author is None or i.split("/")[0] == author)
                    and not self.store.is_private(rtype, i)])

    def _on_repo_info(self, rtype: str, repo: str, rev: str = "main") -> None:
        sha, tree = self.store.tree(rtype, repo, rev)
        refs, blobs = self.store.refs(rtype, repo), self._flag("blobs")
        siblings = []
        for path, e in sorted(tree.items()):
            sib: dict[str, Any] = {"rfilename": path}
            if blobs:
                sib.update(size=e["size"], blobId=e["oid"])
                if e["lfs"]:
                    pointer = len(lfs_pointer(e["sha256"], e["size"]))
                    sib["lfs"] = {"sha256": e["sha256"], "size": e["size"], "pointerSize": pointer}
            siblings.append(sib)
        self._json({"_id": hashlib.sha1(repo.encode()).hexdigest()[:24], "id": repo,
                    "author": repo.split("/")[0], "sha": sha, "private": refs["private"],
                    "gated": False, "disabled": False, "downloads": 0, "likes": 0, "tags": [],
                    "createdAt": refs["createdAt"],
                    "lastModified": self.store.commit_record(rtype, repo, sha)["date"],
                    "usedStorage": sum(e["size"] for e in tree.values()),
                    "siblings": siblings})

    def _on_refs(self, rtype: str, repo: str) -> None:
        refs = self.store.refs(rtype, repo)
        branches = [{"name": n, "ref": f"refs/heads/{n}", "targetCommit": sha}
                    for n, sha in sorted(refs["branches"].items())]
        tags = [{"name": n, "ref": f"refs/tags/{n}", "targetCommit": t["commit"]}
                for n, t in sorted(refs["tags"].items())]
        self._json({"branches": branches, "converts": [], "tags": tags, "pullRequests": []})

    def _on_list_commits(self, rtype: str, repo: str, rev: str) -> None:
        self._json([{"id": c["id"], "title": c["title"], "message": c["message"],
                     "date": c["date"], "authors": [{"user": c["author"]}]}
                    for c in self.store.history(rtype, repo, rev)])

    def _on_tree(self, rtype: str, repo: str, rev: str, path: str | None = None) -> None:
        self._json(self._entries(rtype, repo, rev, None, path or "", self._flag("recursive"),
                                 self._flag("expand")))

    def _on_paths_info(self, rtype: str, repo: str, rev: str) -> None:
        form = parse_qs(self.body.decode())  # the client posts a form: paths=a&paths=b&expand=
        paths = [p.strip("/") for p in form.get("paths", [])]
        expand = form.get("expand", ["false"])[-1].lower() in ("1", "true")
        self._json(self._entries(rtype, repo, rev, paths, "", False, expand))

    # -- routes: uploads and commits
    def _on_preupload(self, rtype: str, repo: str, rev: str) -> None:
        if self._flag("create_pr"):
            raise HubError(400, "Pull requests are not supported by this test server")
        sha, tree = self.store.tree(rtype, repo, rev)
        files = []
        for f in self._json_body().get("files", []):
            path = _check_path(str(f.get("path", "")))
            mode = upload_mode(path, int(f.get("size", 0)), base64.b64decode(f.get("sample", "")))
            item: dict[str, Any] = {"path": path, "uploadMode": mode, "shouldIgnore": False}
            if path in tree:  # lets the client skip unchanged files, as on the Hub
                item["oid"] = tree[path]["sha256"] if tree[path]["lfs"] else tree[path]["oid"]
            files.append(item)
        self._json({"files": files, "commitOid": sha})

    def _on_lfs_batch(self, rtype: str, repo: str) -> None:
        body = self._json_body()
        self.store.refs(rtype, repo)  # 404 RepoNotFound
        if body.get("operation") != "upload":
            raise HubError(422, "This test server only supports LFS uploads")
        objects = []
        for obj in body.get("objects", []):
            oid, size = str(obj.get("oid", "")), int(obj.get("size", -1))
            if not re.fullmatch(r"[0-9a-f]{64}", oid) or size < 0:
                objects.append({"oid": oid, "size": max(size, 0),
                                "error": {"code": 422, "message": "Invalid oid or size"}})
            elif self.store.has_blob(oid, size):
                objects.append({"oid": oid, "size": size})  # no actions: nothing to upload
            else:
                self.server.hub._pending[oid] = size
                objects.append({"oid": oid, "size": size, "authenticated": True, "actions": {
                    "upload": {"href": f"{self.base}/lfs/objects/{oid}", "header": {}},
                    "verify": {"href": f"{self.base}/lfs/verify/{oid}", "header": {}}}})
        self._json({"transfer": "basic", "objects": objects, "hash_algo": "sha256"})

    def _on_lfs_upload(self, oid: str) -> None:
        assert self.upload is not None
        tmp, sha256, size = self.upload
        expected = self.server.hub._pending.get(oid)
        if expected is None:
            raise HubError(403, f"No upload of {oid} was announced through the LFS batch API")
        if sha256 != oid or size != expected:
            raise HubError(400, f"Uploaded content does not match: expected sha256 {oid} and "
                                f"{expected} bytes, got sha256 {sha256} and {size} bytes")
        with self.store.lock:
            if not self.store.has_blob(oid):
                os.replace(tmp, self.store.blob_path(oid))
        self._send(200)

    def _on_lfs_verify(self, oid: str) -> None:
        size = self._json_body().get("size")
        if not self.store.has_blob(oid, size):
            raise HubError(404, f"LFS object {oid} ({size} bytes) not found", "EntryNotFound")
        self.server.hub._pending.pop(oid, None)
        self._json({"success": True})

    def _on_commit(self, rtype: str, repo: str, rev: str) -> None:
        if self._flag("create_pr"):
            raise HubError(400, "Pull requests are not supported by this test server")
        header: dict[str, Any] = {}
        ops: list[tuple[str, str, Any]] = []
        for line in self.body.splitlines():
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                key, value = item["key"], item["value"]
                if key == "header":
                    header = value
                elif key == "file":
                    if value.get("encoding", "base64") != "base64":
                        raise HubError(400, "Only base64-encoded files are supported")
                    content = base64.b64decode(value["content"], validate=True)
                    ops.append(("file", _check_path(value["path"]), content))
                elif key == "lfsFile":
                    lfs = (value["oid"], value.get("size"))
                    ops.append(("lfs", _check_path(value["path"]), lfs))
                elif key in ("deletedFile", "deletedFolder"):
                    ops.append((key, _check_path(value["path"].rstrip("/")), None))
                else:
                    raise HubError(400, f"Unknown commit operation {key!r}")
            except (ValueError, KeyError, TypeError) as err:
                raise HubError(400, f"Malformed commit payload line: {err!r}") from err
        if not header.get("summary"):
            raise HubError(400, "A commit needs a summary (the commit message)")
        sha = self.store.commit(rtype, repo, rev, header, ops)
        self._json({"success": True, "commitOid": sha, "hookOutput": "", "pullRequestUrl": None,
                    "commitUrl": f"{self.base}/{URL_PREFIX[rtype]}{repo}/commit/{sha}"})

    def _on_create_tag(self, rtype: str, repo: str, rev: str) -> None:
        body = self._json_body()
        self.store.create_tag(rtype, repo, rev, str(body.get("tag", "")), body.get("message") or "")
        self._json({})

    def _on_delete_tag(self, rtype: str, repo: str, rev: str) -> None:
        self.store.delete_tag(rtype, repo, rev)
        self._json({})

    # -- routes: downloads
    def _on_resolve(self, rtype: str, repo: str, rev: str, path: str) -> None:
        sha, tree = self.store.tree(rtype, repo, rev)
        entry = tree.get(path)
        if entry is None:
            raise HubError(404, f"Entry not found: {path} at {rev}", "EntryNotFound",
                           **{"X-Repo-Commit": sha})
        size, blob = entry["size"], self.store.blob_path(entry["sha256"])
        etag = entry["sha256"] if entry["lfs"] else entry["oid"]
        headers = {"X-Repo-Commit": sha, "ETag": f'"{etag}"', "Accept-Ranges": "bytes",
                   "Content-Disposition": f'inline; filename="{path.rsplit("/", 1)[-1]}"'}
        if entry["lfs"]:
            headers.update({"X-Linked-Etag": f'"{etag}"', "X-Linked-Size": str(size)})
        start, end, status = 0, size - 1, 200
        if rng := self.headers.get("Range"):
            m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng.strip())
            if m is None or m.groups() == ("", ""):
                raise HubError(416, f"Unsupported Range {rng!r}",
                               **{"Content-Range": f"bytes */{size}"})
            if m[1]:
                start, end = int(m[1]), min(int(m[2]) if m[2] else size - 1, size - 1)
            else:
                start = max(size - int(m[2]), 0)
            if start >= size or start > end:
                raise HubError(416, f"Range {rng!r} not satisfiable for {size} bytes",
                               **{"Content-Range": f"bytes */{size}"})
            status, headers["Content-Range"] = 206, f"bytes {start}-{end}/{size}"
        length = max(end - start + 1, 0)
        self._send(status, b"", headers, length=length, content_type="application/octet-stream")
        if self.command == "GET":
            with blob.open("rb") as f:
                f.seek(start)
                while length > 0 and (data := f.read(min(CHUNK, length))):
                    self.wfile.write(data)
                    length -= len(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hub: HubServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (killed, timed out) is not a server bug."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# ----------------------------------------------------------------------------------- public API
@dataclass(frozen=True)
class Commit:
    """A commit as stored by the server."""

    id: str
    parent: str | None
    message: str
    description: str
    date: str
    changed: frozenset[str]


class HubServer:
    """A loopback Hub. Use as a context manager: `with HubServer(root=tmp) as hub: hub.url`.

    Writes (and reads of private repos) need `Authorization: Bearer <token>`: exactly `token` if
    one is given, any bearer token if `token` is None. Otherwise writes get 401 and private repos
    look missing (404 RepoNotFound), as on the Hub. The storage outlives the server: a new
    `HubServer` on the same `root` sees the same repos.
    """

    def __init__(self, root: str | os.PathLike[str], token: str | None = None):
        self.root = Path(root)
        self.token = token
        self.store = _Store(self.root)
        self.requests: list[RecordedRequest] = []  # appended under a lock; copy before iterating
        self.faults = Faults()
        self._log_lock = threading.Lock()
        self._pending: dict[str, int] = {}  # LFS oids announced by a batch answer, with sizes
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> HubServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.hub = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="hubserver",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, request: RecordedRequest) -> None:
        with self._log_lock:
            self.requests.append(request)

    # -- inspection helpers for tests
    def write_requests(self) -> list[RecordedRequest]:
        """Requests that would change the Hub (create, preupload, LFS, commit, tag, delete)."""
        with self._log_lock:
            return [r for r in self.requests if r.write]

    def lfs_bytes_uploaded(self) -> int:
        """Bytes received by LFS upload (PUT) requests."""
        with self._log_lock:
            return sum(r.received for r in self.requests if r.method == "PUT")

    def commits(self, repo_id: str, revision: str = "main",
                repo_type: str = "dataset") -> list[Commit]:
        """Commits reachable from `revision`, newest first."""
        return [Commit(c["id"], c["parent"], c["title"], c["message"], c["date"],
                       frozenset(c["changed"]))
                for c in self.store.history(repo_type, repo_id, revision)]

    def tags(self, repo_id: str, repo_type: str = "dataset") -> dict[str, str]:
        """Tag name -> commit id."""
        return {n: t["commit"] for n, t in self.store.refs(repo_type, repo_id)["tags"].items()}

    def head(self, repo_id: str, branch: str = "main", repo_type: str = "dataset") -> str:
        return self.store.refs(repo_type, repo_id)["branches"][branch]

    def files(self, repo_id: str, revision: str = "main",
              repo_type: str = "dataset") -> dict[str, int]:
        """Path -> size in bytes, at `revision`."""
        return {p: e["size"] for p, e in self.store.tree(repo_type, repo_id, revision)[1].items()}

    def lfs_files(self, repo_id: str, revision: str = "main",
                  repo_type: str = "dataset") -> dict[str, str]:
        """Path -> sha256, for the files stored in LFS at `revision`."""
        tree = self.store.tree(repo_type, repo_id, revision)[1]
        return {p: e["sha256"] for p, e in tree.items() if e["lfs"]}

    def read(self, repo_id: str, path: str, revision: str = "main",
             repo_type: str = "dataset") -> bytes:
        entry = self.store.tree(repo_type, repo_id, revision)[1][path]
        return self.store.blob_path(entry["sha256"]).read_bytes()


# ------------------------------------------------------------------------------ pytest fixture
def point_clients_at(monkeypatch: pytest.MonkeyPatch, url: str, home: Path,
                     token: str | None = TEST_TOKEN) -> None:
    """Point `huggingface_hub` and `datasets` (this process and subprocesses) at `url`."""
    home = Path(home)
    env = {"HF_ENDPOINT": url, "HF_HUB_DISABLE_XET": "1", "HF_HOME": str(home),
           "HF_HUB_CACHE": str(home / "hub"), "HF_DATASETS_CACHE": str(home / "datasets"),
           "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "0", "HF_DATASETS_OFFLINE": "0",
           "HF_UPDATE_DOWNLOAD_COUNTS": "0", "HF_XET_CACHE": str(home / "xet")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if token is None:
        monkeypatch.delenv("HF_TOKEN", raising=False)
    else:
        monkeypatch.setenv("HF_TOKEN", token)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)

    from huggingface_hub import constants, hf_api

    for name, value in {
        "ENDPOINT": url,
        "HUGGINGFACE_CO_URL_TEMPLATE": url + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_URL_HOSTS": constants.HF_URL_HOSTS | {"127.0.0.1"},
        "HF_HUB_DISABLE_XET": True,
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_OFFLINE": False,
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_ASSETS_CACHE": str(home / "assets"),
        "HF_XET_CACHE": str(home / "xet"),
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
    }.items():
        monkeypatch.setattr(constants, name, value)
    monkeypatch.setattr(hf_api.api, "endpoint", url)  # the global HfApi behind module functions

    try:
        from datasets import config
    except ImportError:  # pragma: no cover - datasets is a project dependency
        return
    for name, value in {
        "HF_ENDPOINT": url,
        "HUB_DATASETS_URL": url + "/datasets/{repo_id}/resolve/{revision}/{path}",
        "HF_CACHE_HOME": str(home),
        "HF_DATASETS_CACHE": home / "datasets",
        "HF_MODULES_CACHE": home / "modules",
        "DOWNLOADED_DATASETS_PATH": home / "datasets" / "downloads",
        "EXTRACTED_DATASETS_PATH": home / "datasets" / "downloads" / "extracted",
        "HF_HUB_OFFLINE": False,
        "HF_DATASETS_OFFLINE": False,
        "USE_PARQUET_EXPORT": False,  # would query datasets-server.<host>, which does not exist
        "HF_UPDATE_DOWNLOAD_COUNTS": False,
    }.items():
        monkeypatch.setattr(config, name, value)


def _forget_connections() -> None:
    """Drop pooled HTTP connections and cached HfFileSystem instances bound to a dead server."""
    from huggingface_hub import HfFileSystem
    from huggingface_hub.utils import close_session

    close_session()
    HfFileSystem.clear_instance_cache()


@pytest.fixture
def hf_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    """A running `HubServer` (token `TEST_TOKEN`), with both clients pointed at it."""
    with HubServer(root=tmp_path / "hubserver", token=TEST_TOKEN) as hub:
        point_clients_at(monkeypatch, hub.url, tmp_path / "hf_home", TEST_TOKEN)
        _forget_connections()
        try:
            yield hub
        finally:
            _forget_connections()


__all__ = ["TEST_TOKEN", "Commit", "Fault", "Faults", "HubError", "HubServer", "RecordedRequest",
           "hf_hub", "point_clients_at", "upload_mode"]

