#!/usr/bin/env bash
# Regenerate the lock files from pyproject.toml (run after changing a dependency).
#
#   bash scripts/lock.sh            # resolve the newest versions allowed by pyproject.toml
#   bash scripts/lock.sh --upgrade-package dash   # (extra args go to `uv pip compile`)
#
# requirements/app.lock   the app's runtime (+ gunicorn): scripts/serve.sh and the Docker image
# requirements/test.lock  runtime + test tools (pytest, dash[testing], selenium, ruff, mypy):
#                         scripts/test.sh and CI, in a separate environment (.venv-test)
#
# Both are universal (any OS, Python >= 3.11) and carry sha256 hashes, so pip installs them with
# --require-hashes. uv is only needed here, not to install: it runs from a throw-away venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if command -v uv >/dev/null; then UV=(uv); else
    tools="${XDG_CACHE_HOME:-$HOME/.cache}/intersections/lock-tools"
    [[ -x "$tools/bin/uv" ]] || { python3 -m venv "$tools" && "$tools/bin/pip" install -q uv; }
    UV=("$tools/bin/uv")
fi
common=(--universal --python-version 3.11 --generate-hashes --quiet "$@")
"${UV[@]}" pip compile pyproject.toml --extra serve "${common[@]}" \
    --custom-compile-command "bash scripts/lock.sh" -o requirements/app.lock
"${UV[@]}" pip compile pyproject.toml --extra dev --extra serve "${common[@]}" \
    --custom-compile-command "bash scripts/lock.sh" -o requirements/test.lock
echo "wrote requirements/app.lock and requirements/test.lock"
