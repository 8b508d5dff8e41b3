#!/usr/bin/env bash
# Install the archive and release the bundled example datasets to ./hub, then build the site.
# Usage: scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e .
scripts/release-all.sh hub
