"""Republish the cards of datasets whose ``datacards/ID/card*.md`` changed since BASE.

Usage: python scripts/publish_changed_cards.py --base REV [--hub HUB]

File names come from ``git diff -z`` and are matched against a strict pattern; nothing
from them is passed to a shell. Each card is republished with the library call behind
``archive publish ID --card-only``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.entries import Registry  # noqa: E402
from archive.errors import ArchiveError  # noqa: E402
from archive.hub import open_hub  # noqa: E402
from archive.pipeline import republish_card  # noqa: E402

CARD = re.compile(r"^datacards/([a-z0-9][a-z0-9-]{1,62}[a-z0-9])/card(\.[a-z]{2,3})?\.md$")


def changed_datasets(base: str) -> list[str]:
    """Dataset ids whose card files changed between ``base`` and HEAD."""
    if not re.fullmatch(r"[0-9a-f]{7,40}|HEAD(~\d+)?", base):
        raise SystemExit(f"error: --base must be a commit id, not {base!r}")
    if set(base) == {"0"}:  # a new branch: GitHub sends no previous commit
        base = "HEAD~1"
    out = subprocess.run(["git", "diff", "-z", "--name-only", base, "HEAD", "--",
                          "datacards"], cwd=ROOT, capture_output=True, check=True).stdout
    names = [n.decode("utf-8", "replace") for n in out.split(b"\0") if n]
    return sorted({m.group(1) for n in names if (m := CARD.match(n))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="The commit before the merge.")
    parser.add_argument("--hub", default="", help="Hub to publish to (default ./hub).")
    args = parser.parse_args()
    registry, hub = Registry(ROOT), open_hub(args.hub or "hub")
    failed = 0
    for dataset in changed_datasets(args.base):
        try:
            plan = republish_card(registry, hub, dataset)
            print("\n".join(plan.lines()) if not plan.already_published
                  else f"{dataset}: card unchanged on the hub")
        except ArchiveError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
