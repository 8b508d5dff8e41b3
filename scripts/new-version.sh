#!/usr/bin/env bash
# Release a new version of one dataset after its partner sent new data.
# Usage: scripts/new-version.sh DATASET_ID X.Y.Z [HUB]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -lt 2 ]; then
    echo "usage: scripts/new-version.sh DATASET_ID X.Y.Z [HUB]" >&2
    exit 2
fi
dataset="$1"
version="$2"
hub="${3:-${ARCHIVE_HUB:-hub}}"
archive validate -- "$dataset"
archive release "$dataset" --version "$version" --hub "$hub"
