"""Kill releases with SIGKILL at random moments, many times, on both kinds of hub.

Usage: python benchmarks/crash_trials.py [--local N] [--hf N] [--seed S]

Each local trial publishes v1.0.0, grows the data, starts the v1.1.0 release and kills
it at a random moment; the hub must then show exactly v1.0.0 or v1.0.0 + v1.1.0, whole
and verifiable, and a re-run must complete with no temporary file left. Each Hub trial
does the same against the loopback Hub server. Prints a summary line per hub.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.hub.hf import HfHub  # noqa: E402
from tests import crashharness  # noqa: E402
from tests.hubserver import TEST_TOKEN, HubServer  # noqa: E402


def hf_trials(base: Path, trials: int, seed: int) -> crashharness.Trials:
    rng = random.Random(seed)
    result = crashharness.Trials()
    with HubServer(root=base / "server", token=TEST_TOKEN) as server:
        env = {**os.environ, "HF_ENDPOINT": server.url, "HF_TOKEN": TEST_TOKEN,
               "HF_HUB_DISABLE_XET": "1", "HF_HOME": str(base / "hf-home")}
        os.environ.update({k: env[k] for k in ("HF_ENDPOINT", "HF_TOKEN",
                                               "HF_HUB_DISABLE_XET", "HF_HOME")})
        hub = HfHub("crash-org")
        for number in range(trials):
            root = base / f"hf-{number}"
            crashharness.prepare(root)
            # one repo per trial: rename the dataset's repo through a distinct org
            spec = "hf://crash-org"
            repo = "crash-org/test-essays"
            if number:
                server.store.delete_repo("dataset", repo)
            started = time.monotonic()
            first = crashharness.run(root, spec, "1.0.0", env)
            full = time.monotonic() - started
            assert first.returncode == 0, first.stderr
            crashharness.grow(root, 330)
            moment = crashharness.trial_seconds(rng, full)
            killed = crashharness.run_and_kill(root, spec, "1.1.0", moment, env)
            result.trials += 1
            result.killed += killed
            result.finished_before_kill += not killed
            state = crashharness.check_remote(hub, repo, {"v1.0.0", "v1.1.0"},
                                              base / f"check-{number}")
            result.states[state] = result.states.get(state, 0) + 1
            again = crashharness.run(root, spec, "1.1.0", env)
            assert again.returncode == 0, again.stderr
            assert set(server.tags(repo)) == {"v1.0.0", "v1.1.0"}
            releases = [c.message for c in server.commits(repo) if c.message.startswith("Rel")]
            assert releases == ["Release v1.1.0", "Release v1.0.0"], releases
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", type=int, default=50, help="Trials on a local hub.")
    parser.add_argument("--hf", type=int, default=50, help="Trials on the loopback Hub.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.local:
            print("local hub:", crashharness.local_trials(Path(tmp) / "local", args.local,
                                                           args.seed).line(), flush=True)
        if args.hf:
            print("loopback Hub:", hf_trials(Path(tmp) / "hf", args.hf, args.seed).line(),
                  flush=True)


if __name__ == "__main__":
    main()
