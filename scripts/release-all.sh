#!/usr/bin/env bash
# Release every approved dataset whose version is not on the hub yet, then rebuild the site.
# Usage: scripts/release-all.sh [HUB]    (HUB: a directory, default ./hub, or hf://ORG)
# Meant for maintainers and for scheduled jobs; it only calls the archive CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
hub="${1:-${ARCHIVE_HUB:-hub}}"
archive release --all --hub "$hub"
if archive site --help >/dev/null 2>&1; then
    archive site build --hub "$hub"
fi
