"""Nothing lost, nobody in: crashes, full disks, flaky networks, two maintainers at once."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archive.entries import Registry
from archive.errors import HubError, VerifyError
from archive.hub.hf import HfHub
from archive.hub.local import LocalHub
from archive.locks import file_lock
from archive.pipeline import build_dir, release_one
from archive.publish import publish
from tests import crashharness
from tests.helpers import essays, form, submit
from tests.hubserver import HubServer

REPO = "archive/test-essays"


def cli(root: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "archive.cli", "--root", str(root), *args],
                          capture_output=True, text=True, check=False, cwd=root, **kwargs)


def test_killed_local_releases_leave_whole_releases(tmp_path: Path) -> None:
    trials = crashharness.local_trials(tmp_path, int(os.environ.get("CRASH_TRIALS", "6")))
    assert trials.killed >= 1, trials.line()
    print(trials.line())


def test_killed_hf_releases_leave_no_tag_on_a_partial_commit(root: Path, hf_hub: HubServer,
                                                             tmp_path: Path) -> None:
    crashharness.prepare(root)
    hub_spec = "hf://partner-org"
    first = crashharness.run(root, hub_spec, "1.0.0")
    assert first.returncode == 0, first.stderr
    crashharness.grow(root, 330)
    hub = HfHub("partner-org")
    repo = "partner-org/test-essays"
    import random

    rng = random.Random(1)
    for trial in range(int(os.environ.get("CRASH_TRIALS", "4"))):
        crashharness.run_and_kill(root, hub_spec, "1.1.0", rng.uniform(0.5, 4.0))
        crashharness.check_remote(hub, repo, {"v1.0.0", "v1.1.0"}, tmp_path / f"t{trial}")
    again = crashharness.run(root, hub_spec, "1.1.0")
    assert again.returncode == 0, again.stderr
    assert set(hf_hub.tags(repo)) == {"v1.0.0", "v1.1.0"}
    releases = [c for c in hf_hub.commits(repo) if c.message.startswith("Release")]
    assert [c.message for c in releases] == ["Release v1.1.0", "Release v1.0.0"]
    crashharness.check_remote(hub, repo, {"v1.0.0", "v1.1.0"}, tmp_path / "final")


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))


def test_disk_full_is_a_clear_error_and_publishes_nothing(root: Path) -> None:
    submit(root, form(), essays(400))
    result = cli(root, "release", "test-essays", preexec_fn=_limit_file_size)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: dataset test-essays, ")
    assert "cannot write the build: File too large" in line and "free some disk space" in line
    assert not (root / "hub" / "archive" / "test-essays" / "refs.json").exists()
    assert not list((root / "build").rglob("*.partial"))
    assert cli(root, "release", "test-essays").returncode == 0


def test_a_second_maintainer_is_told_to_wait(root: Path) -> None:
    submit(root, form(), essays(5))
    lock = root / "hub" / "archive" / "test-essays" / ".lock"
    with file_lock(lock, dataset=REPO, what="publishing to"):
        result = cli(root, "release", "test-essays")
    assert result.returncode == 1
    assert f"another run is publishing to this dataset (process {os.getpid()})" in result.stderr
    assert "wait for it to finish" in result.stderr
    entry = Registry(root).get("test-essays")
    with file_lock(build_dir(root, entry).with_name("1.0.0.lock"), dataset="test-essays",
                   what="building"):
        result = cli(root, "build", "test-essays")
    assert result.returncode == 1 and "another run is building this dataset" in result.stderr
    assert cli(root, "release", "test-essays").returncode == 0


def test_two_maintainers_at_once_never_corrupt_the_hub(root: Path) -> None:
    submit(root, form(), essays(200))
    runs = [subprocess.Popen([sys.executable, "-m", "archive.cli", "--root", str(root),
                              "release", "test-essays"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=root) for _ in range(3)]
    results = [(p.wait(), *p.communicate()) for p in runs]
    assert any(code == 0 for code, _, _ in results)
    for code, _, err in results:
        assert code == 0 or "another run is" in err, err
    hub = LocalHub(root / "hub", org="archive")
    assert list(hub.tags(REPO)) == ["v1.0.0"]
    assert [c["message"] for c in hub.history(REPO)] == ["Release v1.0.0"]
    crashharness.check_local(hub, REPO, {"v1.0.0"})
    crashharness.no_leftovers(root / "hub")


def test_a_build_that_does_not_verify_is_not_published(root: Path) -> None:
    entry = submit(root, form(), essays(5))
    hub = LocalHub(root / "hub", org="archive")
    release_one(Registry(root), hub, "test-essays", dry_run=True)
    folder = build_dir(root, entry)
    shard = folder / "data" / "train-00000.parquet"
    data = bytearray(shard.read_bytes())
    data[100] ^= 0x04
    shard.write_bytes(bytes(data))
    with pytest.raises(VerifyError, match="sha256 is"):
        publish(hub, REPO, folder, "1.0.0")
    assert hub.tags(REPO) == {}


def test_lfs_upload_rejected_after_receipt_then_resumed(root: Path, hf_hub: HubServer) -> None:
    submit(root, form(), essays(10))
    hf_hub.faults.add("PUT", r"/lfs/objects/", status=500, times=100, retry_after=0)
    with pytest.raises(HubError, match="failed"):
        release_one(Registry(root), HfHub("partner-org", sleep=lambda s: None, attempts=1),
                    "test-essays")
    assert hf_hub.tags("partner-org/test-essays") == {}
    assert any(r.method == "PUT" and r.received > 0 for r in hf_hub.requests)
    hf_hub.faults.clear()
    release_one(Registry(root), HfHub("partner-org"), "test-essays")
    assert list(hf_hub.tags("partner-org/test-essays")) == ["v1.0.0"]


def test_timeouts_and_dropped_connections_are_retried(root: Path, hf_hub: HubServer) -> None:
    submit(root, form(), essays(10))
    hf_hub.faults.drop("GET", r"/refs", times=2)
    hf_hub.faults.drop("POST", r"/preupload/", times=1)
    release_one(Registry(root), HfHub("partner-org", sleep=lambda s: None), "test-essays")
    assert list(hf_hub.tags("partner-org/test-essays")) == ["v1.0.0"]
    assert sum(r.status is None for r in hf_hub.requests) == 3


def _spawned_workers() -> set[int]:
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if b"multiprocessing.spawn" in (proc / "cmdline").read_bytes():
                    pids.add(int(proc.name))
            except OSError:
                continue
    return pids


def test_workers_do_not_outlive_a_killed_release(root: Path) -> None:
    import time

    submit(root, form(), essays(3000))
    before = _spawned_workers()
    process = subprocess.Popen([sys.executable, "-m", "archive.cli", "--root", str(root),
                                "release", "test-essays", "--workers", "2"], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (_spawned_workers() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    ours = _spawned_workers() - before
    assert ours, "the release started no worker"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while _spawned_workers() & ours and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _spawned_workers() & ours


def test_a_stalled_hub_times_out_and_the_call_is_retried(root: Path,
                                                        hf_hub: HubServer) -> None:
    import time

    submit(root, form(), essays(5))
    hf_hub.faults.stall("GET", r"/refs", seconds=120, times=1)
    hub = HfHub("partner-org", sleep=lambda s: None, timeout=1)
    started = time.monotonic()
    try:
        release_one(Registry(root), hub, "test-essays")
    finally:
        HfHub("partner-org")  # the default timeout again, for the tests that follow
    assert time.monotonic() - started < 60, "a stalled connection was waited out"
    assert list(hf_hub.tags("partner-org/test-essays")) == ["v1.0.0"]
