#!/usr/bin/env bash
# The explorer on the embedded graph, from a fresh clone: the README's first command.
#
#   bash scripts/serve.sh [serve options]     # http://127.0.0.1:8050 ; e.g. --port 8060
#
# Creates (or reuses) the virtual environment .venv with `python3 -m venv` (never installs into
# the system Python), installs the app's runtime from requirements/app.lock (hash-checked) plus
# this checkout, then runs `intersections serve`. Only Python >= 3.11 is needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/venv.sh
source scripts/lib/venv.sh
VENV="${INTERSECTIONS_VENV:-.venv}"
ensure_venv "$VENV" requirements/app.lock
say "intersections serve $*"
exec "$VENV/bin/intersections" serve "$@"
