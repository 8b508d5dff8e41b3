"""Round trips through the loopback Hub with the real `huggingface_hub` and `datasets` clients."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, RepoFile
from huggingface_hub.errors import (
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from tests.hubserver import TEST_TOKEN, HubServer, hf_hub, upload_mode

assert hf_hub  # the fixture, imported so that pytest finds it in this module

REPO = "archive-org/essays"
README = """---
license: cc-by-4.0
pretty_name: Essays
configs:
- config_name: default
  data_files:
  - split: train
    path: "data/train-*.parquet"
---
# Essays

A test dataset.
"""
ROWS = {"id": [1, 2, 3], "text": ["Halló heimur", "Hello world", "Bonjour le monde"]}


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(ROWS), buffer)
    return buffer.getvalue()


def publish(api: HfApi, repo: str = REPO, tag: str | None = "v1.0.0") -> str:
    """Create `repo` with a card, a JSON file and a Parquet shard; tag it. Returns the commit."""
    api.create_repo(repo, repo_type="dataset")
    info = api.create_commit(
        repo,
        repo_type="dataset",
        commit_message="Release 1.0.0",
        operations=[
            CommitOperationAdd("README.md", README.encode()),
            CommitOperationAdd("checksums.json", json.dumps({"a": 1}).encode()),
            CommitOperationAdd("data/train-00000-of-00001.parquet", parquet_bytes()),
        ],
    )
    if tag:
        api.create_tag(repo, repo_type="dataset", tag=tag, revision=info.oid)
    return info.oid


def test_publish_round_trip(hf_hub: HubServer) -> None:
    api = HfApi()
    assert api.endpoint == hf_hub.url
    assert api.whoami()["name"] == "test-user"
    oid = publish(api)

    commits = hf_hub.commits(REPO)
    assert [c.message for c in commits] == ["Release 1.0.0", "initial commit"]
    assert commits[0].id == oid and commits[0].parent == commits[1].id
    shard_path = "data/train-00000-of-00001.parquet"
    assert commits[0].changed == {"README.md", "checksums.json", shard_path}
    assert hf_hub.tags(REPO) == {"v1.0.0": oid}
    assert hf_hub.read(REPO, "data/train-00000-of-00001.parquet", "v1.0.0") == parquet_bytes()
    assert set(hf_hub.lfs_files(REPO)) == {"data/train-00000-of-00001.parquet"}
    assert hf_hub.lfs_bytes_uploaded() == len(parquet_bytes())

    refs = api.list_repo_refs(REPO, repo_type="dataset")
    assert [(b.name, b.target_commit) for b in refs.branches] == [("main", oid)]
    assert [(t.name, t.ref, t.target_commit) for t in refs.tags] == [
        ("v1.0.0", "refs/tags/v1.0.0", oid)
    ]

    tree = {
        f.path: f
        for f in api.list_repo_tree(
            REPO, repo_type="dataset", revision="v1.0.0", recursive=True, expand=True
        )
    }
    assert set(tree) == {
        ".gitattributes", "README.md", "checksums.json", "data",
        "data/train-00000-of-00001.parquet",
    }  # fmt: skip
    shard = tree["data/train-00000-of-00001.parquet"]
    assert isinstance(shard, RepoFile) and shard.lfs is not None
    assert shard.lfs.sha256 == hashlib.sha256(parquet_bytes()).hexdigest()
    assert shard.lfs.size == shard.size == len(parquet_bytes())
    assert shard.last_commit is not None and shard.last_commit.oid == oid
    readme = tree["README.md"]
    assert isinstance(readme, RepoFile) and readme.lfs is None
    assert readme.blob_id == hashlib.sha1(b"blob %d\0" % len(README) + README.encode()).hexdigest()

    info = api.dataset_info(REPO, revision="v1.0.0", files_metadata=True)
    assert info.sha == oid
    assert {s.rfilename for s in info.siblings or []} == set(tree) - {"data"}
    paths = api.get_paths_info(REPO, ["README.md", "data", "nope"], repo_type="dataset")
    assert [p.path for p in paths] == ["README.md", "data"]


def test_unchanged_lfs_file_is_not_uploaded_again(hf_hub: HubServer) -> None:
    api = HfApi()
    publish(api, tag=None)
    hf_hub.requests.clear()
    shard = parquet_bytes()

    # Same content at the same path: the preupload oid tells the client to skip it entirely.
    api.create_commit(REPO, repo_type="dataset", commit_message="again",
                      operations=[CommitOperationAdd("data/train-00000-of-00001.parquet", shard)])
    assert hf_hub.lfs_bytes_uploaded() == 0
    assert not any("/commit/" in r.path for r in hf_hub.requests)
    assert len(hf_hub.commits(REPO)) == 2

    # Same content at a new path: the LFS batch answers without actions, so no PUT either.
    api.create_commit(REPO, repo_type="dataset", commit_message="copy",
                      operations=[CommitOperationAdd("data/copy.parquet", shard)])
    assert hf_hub.lfs_bytes_uploaded() == 0
    assert not any(r.method == "PUT" for r in hf_hub.requests)
    assert any(r.path.endswith("/info/lfs/objects/batch") for r in hf_hub.requests)
    assert hf_hub.commits(REPO)[0].changed == {"data/copy.parquet"}


def test_downloads(hf_hub: HubServer, tmp_path: Path) -> None:
    api = HfApi()
    oid = publish(api)
    api.create_commit(REPO, repo_type="dataset", commit_message="Drop the JSON after the tag",
                      operations=[CommitOperationDelete("checksums.json")])
    hf_hub.requests.clear()

    path = api.hf_hub_download(REPO, "checksums.json", repo_type="dataset", revision="v1.0.0")
    assert json.loads(Path(path).read_text()) == {"a": 1}
    assert f"/snapshots/{oid}/" in path
    with pytest.raises(RemoteEntryNotFoundError):
        api.hf_hub_download(REPO, "checksums.json", repo_type="dataset")

    folder = Path(api.snapshot_download(REPO, repo_type="dataset", revision="v1.0.0",
                                        local_dir=tmp_path / "snap"))  # fmt: skip
    shard = folder / "data/train-00000-of-00001.parquet"
    assert shard.read_bytes() == parquet_bytes()
    assert (folder / "README.md").read_text() == README
    assert not hf_hub.write_requests()


def test_resolve_headers_and_ranges(hf_hub: HubServer) -> None:
    import httpx2

    publish(HfApi())
    url = f"{hf_hub.url}/datasets/{REPO}/resolve/v1.0.0"
    shard = parquet_bytes()
    head = httpx2.head(f"{url}/data/train-00000-of-00001.parquet")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["X-Linked-Size"] == head.headers["Content-Length"] == str(len(shard))
    assert head.headers["X-Linked-Etag"] == f'"{hashlib.sha256(shard).hexdigest()}"'
    assert head.headers["X-Repo-Commit"] == hf_hub.tags(REPO)["v1.0.0"]
    part = httpx2.get(f"{url}/data/train-00000-of-00001.parquet", headers={"Range": "bytes=4-9"})
    assert part.status_code == 206 and part.content == shard[4:10]
    assert part.headers["Content-Range"] == f"bytes 4-9/{len(shard)}"
    tail = httpx2.get(f"{url}/data/train-00000-of-00001.parquet", headers={"Range": "bytes=-4"})
    assert tail.content == shard[-4:] == b"PAR1"
    past = httpx2.get(f"{url}/README.md", headers={"Range": f"bytes={len(README)}-"})
    assert past.status_code == 416

    missing = httpx2.head(f"{url}/nope.txt")
    assert missing.status_code == 404 and missing.content == b""
    assert missing.headers["X-Error-Code"] == "EntryNotFound"
    assert missing.headers["Content-Length"] == "0"
    assert httpx2.head(f"{hf_hub.url}/datasets/{REPO}/resolve/v9/README.md").headers[
        "X-Error-Code"] == "RevisionNotFound"  # fmt: skip
    assert httpx2.get(f"{hf_hub.url}/datasets/a/b/resolve/main/README.md").headers[
        "X-Error-Code"] == "RepoNotFound"  # fmt: skip


def test_load_dataset_at_tag(hf_hub: HubServer) -> None:
    import datasets

    api = HfApi()
    publish(api)
    # Later commits on main must not leak into the tagged release.
    api.create_commit(REPO, repo_type="dataset", commit_message="Break main",
                      operations=[CommitOperationDelete("data/")])
    hf_hub.requests.clear()
    ds = datasets.load_dataset(REPO, revision="v1.0.0", split="train")
    assert ds.to_dict() == ROWS
    assert not hf_hub.write_requests()
    streamed = datasets.load_dataset(REPO, revision="v1.0.0", split="train", streaming=True)
    assert [row["text"] for row in streamed] == ROWS["text"]


def test_tags_are_immutable(hf_hub: HubServer) -> None:
    api = HfApi()
    publish(api)
    with pytest.raises(HfHubHTTPError) as err:
        api.create_tag(REPO, repo_type="dataset", tag="v1.0.0", revision="main")
    assert err.value.response.status_code == 409
    with pytest.raises(RevisionNotFoundError):
        api.create_tag(REPO, repo_type="dataset", tag="v2", revision="no-such-branch")


def test_commit_is_atomic_and_checks_parent(hf_hub: HubServer) -> None:
    import httpx2

    api = HfApi()
    oid = publish(api, tag=None)
    unknown = "ab" * 32
    lines = [
        {"key": "header", "value": {"summary": "sneaky", "description": ""}},
        {"key": "file", "value": {"path": "x.txt", "content": "eA==", "encoding": "base64"}},
        {"key": "lfsFile", "value": {"path": "y.bin", "algo": "sha256", "oid": unknown,
                                     "size": 3}},
    ]  # fmt: skip
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    headers = {"Authorization": f"Bearer {TEST_TOKEN}", "Content-Type": "application/x-ndjson"}
    answer = httpx2.post(f"{hf_hub.url}/api/datasets/{REPO}/commit/main", content=body,
                         headers=headers)  # fmt: skip
    assert answer.status_code == 400 and unknown in answer.json()["error"]
    assert hf_hub.head(REPO) == oid and "x.txt" not in hf_hub.files(REPO)

    with pytest.raises(HfHubHTTPError) as err:
        api.create_commit(REPO, repo_type="dataset", commit_message="stale",
                          parent_commit=hf_hub.commits(REPO)[1].id,
                          operations=[CommitOperationAdd("x.txt", b"x")])  # fmt: skip
    assert err.value.response.status_code == 412
    api.create_commit(REPO, repo_type="dataset", commit_message="fresh", parent_commit=oid,
                      operations=[CommitOperationAdd("x.txt", b"x")])  # fmt: skip
    assert hf_hub.read(REPO, "x.txt") == b"x"


def test_auth_and_missing_repos(hf_hub: HubServer) -> None:
    with pytest.raises(HfHubHTTPError) as err:
        HfApi(token="hf_wrong").create_repo(REPO, repo_type="dataset")
    assert err.value.response.status_code == 401
    assert [(r.status, r.authorized) for r in hf_hub.write_requests()] == [(401, True)]
    with pytest.raises(RepositoryNotFoundError):
        HfApi().dataset_info("nobody/nothing")
    with pytest.raises(ValueError, match="never closed"):  # validate-yaml's 400, via the client
        HfApi().create_commit(REPO, repo_type="dataset", commit_message="x",
                              operations=[CommitOperationAdd("README.md", b"---\nbroken: [\n")])


def test_private_repos_and_odd_paths(hf_hub: HubServer) -> None:
    import httpx2

    HfApi().create_repo("org/secret", repo_type="dataset", private=True)
    assert HfApi().dataset_info("org/secret").private
    with pytest.raises(RepositoryNotFoundError):
        HfApi(token=False).dataset_info("org/secret")
    for path in ("/api/datasets/org/..%2F..%2Fetc/refs", "/datasets/org/%2E%2E/resolve/main/x"):
        answer = httpx2.get(hf_hub.url + path)
        assert answer.status_code == 404 and answer.headers["X-Error-Code"] == "RepoNotFound"
    with pytest.raises(HfHubHTTPError, match="Invalid path"):
        HfApi().create_commit("org/secret", repo_type="dataset", commit_message="x",
                              operations=[CommitOperationAdd("a//b.txt", b"x")])


def test_lfs_upload_is_verified(hf_hub: HubServer) -> None:
    import httpx2

    HfApi().create_repo(REPO, repo_type="dataset")
    good, bad = b"real content", b"other bytes!"
    oid = hashlib.sha256(good).hexdigest()
    batch = httpx2.post(
        f"{hf_hub.url}/datasets/{REPO}.git/info/lfs/objects/batch",
        headers={"Authorization": f"Bearer {TEST_TOKEN}"},
        json={"operation": "upload", "objects": [{"oid": oid, "size": len(good)}]},
    ).json()
    href = batch["objects"][0]["actions"]["upload"]["href"]
    assert href.startswith(hf_hub.url + "/")
    assert httpx2.put(href, content=bad).status_code == 400
    assert httpx2.put(href, content=good).status_code == 200
    assert hf_hub.store.has_blob(oid, len(good))


def test_rate_limit_is_retried_and_commit_errors_are_clean(hf_hub: HubServer) -> None:
    api = HfApi()
    publish(api, tag=None)
    hf_hub.requests.clear()
    hf_hub.faults.rate_limit("GET", r"/tree/", retry_after=1)
    assert len(api.list_repo_files(REPO, repo_type="dataset")) == 4  # retried after Retry-After
    tree_calls = [r.status for r in hf_hub.requests if "/tree/" in r.path]
    assert tree_calls == [429, 200]

    hf_hub.faults.drop("POST", r"/preupload/")
    hf_hub.faults.rate_limit("POST", r"/commit/")  # the client does not retry commits
    before = hf_hub.head(REPO)
    with pytest.raises(HfHubHTTPError) as err:
        api.create_commit(REPO, repo_type="dataset", commit_message="x",
                          operations=[CommitOperationAdd("x.txt", b"x")])
    assert err.value.response.status_code == 429
    assert hf_hub.head(REPO) == before
    preuploads = [r.status for r in hf_hub.requests if "/preupload/" in r.path]
    assert preuploads == [None, 200]  # dropped once, then retried by the client


def test_large_text_file_goes_through_lfs(hf_hub: HubServer, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,text\n" + b"1,hello world\n" * 800_000)  # 11.2 MB of plain text
    api = HfApi()
    api.create_repo(REPO, repo_type="dataset")
    api.upload_file(path_or_fileobj=big, path_in_repo="big.csv", repo_id=REPO, repo_type="dataset")
    digest = hashlib.sha256(big.read_bytes()).hexdigest()
    assert hf_hub.lfs_files(REPO) == {"big.csv": digest}
    assert hf_hub.lfs_bytes_uploaded() == big.stat().st_size
    assert hf_hub.read(REPO, "big.csv") == big.read_bytes()


def test_subprocesses_reach_the_server_through_the_environment(hf_hub: HubServer) -> None:
    code = ("from huggingface_hub import HfApi, constants; "
            "HfApi().create_repo('org/from-child', repo_type='dataset'); print(constants.ENDPOINT)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == hf_hub.url
    assert hf_hub.tags("org/from-child") == {}


def test_upload_mode_matches_the_hub() -> None:
    assert upload_mode("README.md", 100, b"---\nlicense: mit\n---\n") == "regular"
    assert upload_mode("data/x.parquet", 100, b"PAR1") == "lfs"
    assert upload_mode("notes.txt", 100, b"a\0b") == "lfs"
    assert upload_mode("big.jsonl", 10_000_000, b"{}") == "lfs"
    assert upload_mode("cut.txt", 512, "é".encode()[:1]) == "regular"


def test_list_datasets_by_author(hf_hub: HubServer) -> None:
    api = HfApi(endpoint=hf_hub.url, token=TEST_TOKEN)
    api.create_repo("org-a/one", repo_type="dataset")
    api.create_repo("org-b/two", repo_type="dataset")
    assert [d.id for d in api.list_datasets(author="org-a")] == ["org-a/one"]
