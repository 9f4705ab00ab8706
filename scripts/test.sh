#!/usr/bin/env bash
# The whole test suite, from a fresh clone: the README's test command, and what .ci/run calls.
#
#   bash scripts/test.sh [extra pytest args]      # e.g. bash scripts/test.sh tests/test_cli.py -k search
#
# Needs: Python >= 3.11; Java 17 + Maven (a real Neo4j 5.26 for the integration tests); npm
# (axe-core for the accessibility test); Chromium + chromedriver (installed with apt-get when
# run as root on Debian/Ubuntu). It installs, in its own virtual environment .venv-test (never
# the app's .venv, never the system Python): requirements/test.lock (the app's runtime + pytest,
# dash[testing], selenium, ruff, mypy, hash-checked) and this checkout; Debian's chromium and
# chromium-driver when root; axe-core into ~/.cache; Neo4j's jars into ~/.cache. It then runs
# ruff, mypy and pytest, and stops the Neo4j it started. Locally, a missing service makes its
# tests skip with a loud reason; under CI=true nothing may skip: every missing piece is fatal.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/venv.sh
source scripts/lib/venv.sh
in_ci() { [[ "${CI:-}" =~ ^(true|1|yes)$ ]]; }
missing() { echo "!! $*"; if in_ci; then die "CI=true: $*"; fi; }

VENV="${INTERSECTIONS_TEST_VENV:-.venv-test}"
ensure_venv "$VENV" requirements/test.lock
# The venv first on PATH: `python3`, `intersections`, `ruff` in child processes are the venv's.
export PATH="$PWD/$VENV/bin:$PATH"
PY="$VENV/bin/python"
"$PY" -c "import graph, loaders, ontology, explorer" || die "the package did not install"

say "Browser for the explorer tests (Chromium + chromedriver)"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            chromium chromium-driver >/dev/null) || missing "apt-get could not install chromium"
    else
        missing "chromium/chromedriver not found and cannot be installed here (Debian: sudo apt-get install chromium chromium-driver): browser tests will skip"
    fi
fi
if command -v chromium >/dev/null; then chromium --version 2>/dev/null || true; fi

say "axe-core for the accessibility check (npm)"
bash scripts/fetch-axe.sh || missing "axe-core unavailable (needs npm): the accessibility test will skip"

STARTED_NEO4J=""
cleanup() { if [[ -n "$STARTED_NEO4J" ]]; then scripts/neo4j/neo4j-server.sh stop || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM   # so Ctrl+C or a CI timeout still stops the Neo4j we started
if [[ -z "${NEO4J_URI:-}" ]]; then
    say "Neo4j 5.26 for the integration tests (Java 17 + Maven)"
    if command -v java >/dev/null && command -v mvn >/dev/null; then
        # Reuse a server this script did not start; stop only one it starts itself.
        if scripts/neo4j/neo4j-server.sh status >/dev/null 2>&1; then
            echo "a throw-away Neo4j is already running: reusing it"
        elif scripts/neo4j/neo4j-server.sh start; then
            STARTED_NEO4J=1
        fi
        if envfile="$(scripts/neo4j/neo4j-server.sh env)" && [[ -f "$envfile" ]]; then
            # shellcheck disable=SC1090
            source "$envfile"
            export NEO4J_URI NEO4J_USERNAME NEO4J_PASSWORD
        else
            missing "Neo4j did not start (see the log above): Neo4j tests will skip"
        fi
    else
        missing "Java 17 + Maven not found: Neo4j tests will skip (or set NEO4J_URI to use your own server)"
    fi
else
    say "Neo4j: using NEO4J_URI=${NEO4J_URI}"
fi

say "ruff"
"$PY" -m ruff check .

if grep -q '^\[tool.mypy\]' pyproject.toml || [[ -f mypy.ini ]]; then
    say "mypy"
    "$PY" -m mypy
fi

say "pytest"
"$PY" -m pytest -q -p no:cacheprovider --durations=25 "$@"
