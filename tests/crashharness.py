"""Kill a release with SIGKILL at random moments and check the hub after each kill.

Used by ``tests/test_crash.py`` (a few trials on every run) and by
``benchmarks/crash_trials.py`` (as many trials as asked, with a summary).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from archive.entries import Registry
from archive.hub.base import Hub
from archive.hub.local import LocalHub
from archive.verify import verify_folder
from tests.helpers import essays, form, submit, write_jsonl

DATASET = "test-essays"


@dataclass
class Trials:
    """What happened over a series of killed runs."""

    trials: int = 0
    killed: int = 0
    finished_before_kill: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        seen = ", ".join(f"{k}: {v}" for k, v in sorted(self.states.items()))
        return (f"{self.trials} trials, {self.killed} killed mid-run, "
                f"{self.finished_before_kill} finished first; hub after kill: {seen}")


def prepare(root: Path, records: int = 300) -> None:
    """A dataset whose v1.0.0 is published; its data then grows, for a v1.1.0."""
    (root / "datacards").mkdir(parents=True, exist_ok=True)
    submit(root, form(), essays(records))


def grow(root: Path, records: int) -> None:
    write_jsonl(root / "partner" / DATASET / "data" / "train.jsonl", essays(records))


def command(root: Path, hub: str, version: str) -> list[str]:
    return [sys.executable, "-m", "archive.cli", "--root", str(root), "release", DATASET,
            "--hub", hub, "--version", version]


def run(root: Path, hub: str, version: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(root, hub, version), capture_output=True, text=True,
                          env=env, check=False, cwd=root)


def run_and_kill(root: Path, hub: str, version: str, after: float,
                 env: dict[str, str] | None = None) -> bool:
    """Start a release and SIGKILL it after ``after`` seconds; True if it was still running."""
    process = subprocess.Popen(command(root, hub, version), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, cwd=root)
    deadline = time.monotonic() + after
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    if process.poll() is not None:
        return False
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    return True


def check_local(hub: LocalHub, repo_id: str, allowed: set[str]) -> str:
    """The hub shows a whole release for every ref; return which versions are tagged."""
    tags = hub.tags(repo_id)
    assert set(tags) <= allowed, tags
    assert "v1.0.0" in tags
    for tag in tags:
        release = verify_folder(hub.tree(repo_id, tag))
        assert f"v{release.version}" == tag
    head = hub.head(repo_id)
    assert head is not None and verify_folder(hub.tree(repo_id, "main"))
    return "+".join(sorted(tags))


def check_remote(hub: Hub, repo_id: str, allowed: set[str], scratch: Path) -> str:
    """Every tag on a remote hub points at a complete, verifiable release."""
    tags = hub.tags(repo_id)
    assert set(tags) <= allowed, tags
    for tag in tags:
        folder = hub.download(repo_id, tag, scratch / f"{tag}-{time.monotonic_ns()}")
        release = verify_folder(folder)
        assert f"v{release.version}" == tag
    return "+".join(sorted(tags)) or "none"


def no_leftovers(hub_root: Path) -> None:
    """No temporary files remain in a local hub."""
    leftovers = [p for p in hub_root.rglob("*") if p.name.endswith(".partial")]
    assert not leftovers, leftovers


def trial_seconds(rng: random.Random, full: float) -> float:
    """A moment to kill at, spread over the whole run, start-up included."""
    return rng.uniform(0.05, full * 1.05)


def local_trials(base: Path, trials: int, seed: int = 0) -> Trials:
    """Kill ``archive release`` on a local hub ``trials`` times; check after each."""
    rng = random.Random(seed)
    result = Trials()
    for number in range(trials):
        root = base / f"local-{number}"
        prepare(root)
        hub_dir = str(root / "hub")
        first = run(root, hub_dir, "1.0.0")
        assert first.returncode == 0, first.stderr
        grow(root, 330)
        if number == 0:
            started = time.monotonic()
            done = run(root, hub_dir, "1.1.0")
            assert done.returncode == 0, done.stderr
            full = time.monotonic() - started
            hub = LocalHub(root / "hub", org="archive")
            hub_tags = set(hub.tags(f"archive/{DATASET}"))
            assert hub_tags == {"v1.0.0", "v1.1.0"}
            base.joinpath("full.txt").write_text(str(full))
            result.trials += 1
            result.finished_before_kill += 1
            continue
        full = float(base.joinpath("full.txt").read_text())
        killed = run_and_kill(root, hub_dir, "1.1.0", trial_seconds(rng, full))
        result.trials += 1
        result.killed += killed
        result.finished_before_kill += not killed
        hub = LocalHub(root / "hub", org="archive")
        state = check_local(hub, f"archive/{DATASET}", {"v1.0.0", "v1.1.0"})
        result.states[state] = result.states.get(state, 0) + 1
        again = run(root, hub_dir, "1.1.0")
        assert again.returncode == 0, again.stderr
        check_local(hub, f"archive/{DATASET}", {"v1.0.0", "v1.1.0"})
        assert set(hub.tags(f"archive/{DATASET}")) == {"v1.0.0", "v1.1.0"}
        no_leftovers(root / "hub")
        assert Registry(root).get(DATASET).version == "1.1.0"
    return result
