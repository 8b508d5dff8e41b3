"""Publish to the Hugging Face Hub through the real client, against the loopback Hub."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from huggingface_hub import CommitOperationAdd, HfApi, snapshot_download

from archive.entries import Registry
from archive.errors import HubError, RefusedError
from archive.hub.hf import HfHub
from archive.pipeline import release_one, republish_card
from archive.verify import verify_folder
from tests.helpers import CARD, essays, form, submit, write_jsonl
from tests.hubserver import TEST_TOKEN, HubServer

REPO = "partner-org/test-essays"


def hf(sleep: bool = False) -> HfHub:
    return HfHub("partner-org", sleep=(lambda s: None) if not sleep else __import__("time").sleep)


@pytest.fixture
def published(root: Path, hf_hub: HubServer) -> HubServer:
    submit(root, form(), essays(10))
    outcome = release_one(Registry(root), hf(), "test-essays")
    assert outcome.plan is not None and not outcome.plan.already_published
    return hf_hub


def test_round_trip_through_the_hub(published: HubServer, tmp_path: Path) -> None:
    assert set(published.tags(REPO)) == {"v1.0.0"}
    ds = datasets.load_dataset(REPO, revision="v1.0.0")
    assert [r["id"] for r in ds["train"]] == [r["id"] for r in essays(10)]
    assert [r["text"] for r in ds["train"]] == [r["text"] for r in essays(10)]
    local = snapshot_download(REPO, repo_type="dataset", revision="v1.0.0",
                              local_dir=tmp_path / "snap")
    assert verify_folder(Path(local)).records == 10
    messages = [c.message for c in published.commits(REPO)]
    assert messages[0] == "Release v1.0.0"
    assert published.tags(REPO)["v1.0.0"] == published.head(REPO)
    assert "data/train-00000.parquet" in published.lfs_files(REPO)


def test_second_run_sends_nothing(root: Path, published: HubServer) -> None:
    writes, commits = len(published.write_requests()), len(published.commits(REPO))
    outcome = release_one(Registry(root), hf(), "test-essays")
    assert outcome.skipped == "already published; nothing to do"
    assert len(published.write_requests()) == writes
    assert len(published.commits(REPO)) == commits


def test_new_version_uploads_only_changed_files(root: Path, published: HubServer) -> None:
    before = published.lfs_bytes_uploaded()
    write_jsonl(root / "partner" / "test-essays" / "data" / "train.jsonl", essays(11))
    outcome = release_one(Registry(root), hf(), "test-essays", version="1.1.0")
    assert outcome.plan is not None
    sent = {p for p, _ in outcome.plan.add + outcome.plan.change}
    assert "data/train-00000.parquet" in sent
    new_files = published.files(REPO, "main")
    differ = {p for p in new_files if p != ".gitattributes" and (
        p not in published.files(REPO, "v1.0.0")
        or published.read(REPO, p, "main") != published.read(REPO, p, "v1.0.0"))}
    assert sent == differ
    assert outcome.plan.unchanged == len(new_files) - 1 - len(differ)
    newest = published.commits(REPO)[0]
    assert newest.message == "Release v1.1.0" and newest.changed == frozenset(sent)
    uploaded = published.lfs_bytes_uploaded() - before
    assert 0 < uploaded <= sum(n for _, n in outcome.plan.add + outcome.plan.change)
    assert set(published.tags(REPO)) == {"v1.0.0", "v1.1.0"}
    old = datasets.load_dataset(REPO, revision="v1.0.0")["train"]
    assert old.num_rows == 10


def test_dry_run_sends_no_write_request(root: Path, hf_hub: HubServer) -> None:
    submit(root, form(), essays(5))
    outcome = release_one(Registry(root), hf(), "test-essays", dry_run=True)
    assert outcome.plan is not None and outcome.plan.add
    assert hf_hub.write_requests() == []


def test_interrupted_upload_resumes_with_one_commit_and_one_tag(root: Path,
                                                                hf_hub: HubServer) -> None:
    submit(root, form(), essays(10))
    hf_hub.faults.drop("POST", r"/commit/", times=10)
    with pytest.raises(HubError, match="committing failed"):
        release_one(Registry(root), hf(), "test-essays")
    assert hf_hub.tags(REPO) == {}
    assert [c.message for c in hf_hub.commits(REPO)] == ["initial commit"]
    uploaded = hf_hub.lfs_bytes_uploaded()
    assert uploaded > 0
    hf_hub.faults.clear()
    release_one(Registry(root), hf(), "test-essays")
    assert hf_hub.lfs_bytes_uploaded() == uploaded
    assert [c.message for c in hf_hub.commits(REPO)] == ["Release v1.0.0", "initial commit"]
    assert list(hf_hub.tags(REPO)) == ["v1.0.0"]


def test_a_429_storm_is_survived(root: Path, hf_hub: HubServer) -> None:
    submit(root, form(), essays(5))
    hf_hub.faults.rate_limit("POST", r"/commit/", times=3, retry_after=0)
    hf_hub.faults.rate_limit("GET", r"/refs", times=2, retry_after=0)
    hf_hub.faults.add("POST", r"/preupload/", status=503, times=2)
    release_one(Registry(root), hf(), "test-essays")
    statuses = [r.status for r in hf_hub.requests]
    assert statuses.count(429) == 5 and statuses.count(503) == 2
    assert list(hf_hub.tags(REPO)) == ["v1.0.0"]


def test_persistent_failure_is_one_clear_error_without_the_token(root: Path,
                                                                 hf_hub: HubServer) -> None:
    submit(root, form(), essays(5))
    hf_hub.faults.add("POST", r"/commit/", status=503, times=100, retry_after=0)
    env = {**os.environ, "HF_TOKEN": TEST_TOKEN}
    result = subprocess.run(
        [sys.executable, "-m", "archive.cli", "--root", str(root), "release", "test-essays",
         "--hub", "hf://partner-org"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 1
    assert "committing failed" in result.stderr
    assert TEST_TOKEN not in result.stdout + result.stderr
    assert hf_hub.tags(REPO) == {}


def test_token_never_appears_in_debug_output(root: Path, hf_hub: HubServer) -> None:
    submit(root, form(), essays(5))
    hf_hub.faults.add("POST", r"/commit/", status=503, times=100, retry_after=0)
    result = subprocess.run(
        [sys.executable, "-m", "archive.cli", "--debug", "--root", str(root), "release",
         "test-essays", "--hub", "hf://partner-org"], capture_output=True, text=True,
        env={**os.environ, "HF_TOKEN": TEST_TOKEN}, check=False)
    assert result.returncode == 1 and "Traceback" in result.stderr
    assert TEST_TOKEN not in result.stdout + result.stderr
    for path in root.rglob("*"):
        if path.is_file():
            assert TEST_TOKEN.encode() not in path.read_bytes(), path


def test_a_repo_not_made_by_the_archive_is_left_alone(root: Path, hf_hub: HubServer) -> None:
    api = HfApi(endpoint=hf_hub.url, token=TEST_TOKEN)
    api.create_repo(REPO, repo_type="dataset")
    api.create_commit(REPO, [CommitOperationAdd("notes.txt", b"someone else's")],
                      commit_message="theirs", repo_type="dataset")
    submit(root, form(), essays(5))
    with pytest.raises(HubError, match="not made by the archive"):
        release_one(Registry(root), hf(), "test-essays")
    assert hf_hub.tags(REPO) == {}
    release_one(Registry(root), hf(), "test-essays", force=True)
    assert "notes.txt" not in hf_hub.files(REPO)


def test_private_pathway_is_refused_before_any_request(root: Path, hf_hub: HubServer) -> None:
    entry = submit(root, form(), essays(3))
    entry.form["pathway"] = "private"
    Registry(root).save(entry)
    with pytest.raises(RefusedError):
        release_one(Registry(root), hf(), "test-essays")
    assert hf_hub.requests == []


def test_card_only_update_changes_only_the_card(root: Path, published: HubServer) -> None:
    lfs_before = published.lfs_bytes_uploaded()
    card = root / "datacards" / "test-essays" / "card.md"
    card.write_text(CARD.replace("harbour life.", "harbour life and ferries."))
    plan = republish_card(Registry(root), hf(), "test-essays")
    newest = published.commits(REPO)[0]
    assert newest.message == "Update dataset card"
    assert newest.changed == frozenset({"README.md"})
    assert {p for p, _ in plan.change} == {"README.md"}
    assert published.lfs_bytes_uploaded() == lfs_before
    assert list(published.tags(REPO)) == ["v1.0.0"]
    assert b"and ferries" in published.read(REPO, "README.md")
    assert b"and ferries" not in published.read(REPO, "README.md", "v1.0.0")
