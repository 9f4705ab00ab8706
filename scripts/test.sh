#!/usr/bin/env bash
# The whole test suite, from a fresh machine: the README's test command, and what .ci/run calls.
#
#   bash scripts/test.sh [extra pytest args]
#
# It installs what the tests need and is missing (Python deps; Debian's chromium and
# chromium-driver for the browser tests; a real Neo4j 5.26 via Maven when Java and Maven are
# present and NEO4J_URI is not already set), runs ruff and pytest, and stops what it started.
# Under CI=true no test may skip for a missing service: installs that fail are fatal there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '\n==> %s\n' "$*"; }
in_ci() { [[ "${CI:-}" =~ ^(true|1|yes)$ ]]; }
PY="${PYTHON:-python3}"

say "Python dependencies"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[dev]" 2>&1 \
    | grep -v -E "Running pip as the 'root' user|^$" || true
"$PY" -c "import graph, loaders, ontology, explorer" \
    || { echo "the package did not install"; exit 1; }

say "Browser for the explorer tests (Debian chromium + chromium-driver)"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            chromium chromium-driver >/dev/null) || { in_ci && exit 1; true; }
    else
        echo "!! chromium/chromedriver missing and cannot install them here: browser tests will skip"
        in_ci && exit 1
    fi
fi
command -v chromium >/dev/null && chromium --version || true

if [[ -f scripts/fetch-axe.sh ]]; then
    say "axe-core for the accessibility check"
    bash scripts/fetch-axe.sh \
        || { echo "!! axe-core unavailable: the accessibility test will skip"; in_ci && exit 1; true; }
fi

STARTED_NEO4J=""
cleanup() { if [[ -n "$STARTED_NEO4J" ]]; then scripts/neo4j/neo4j-server.sh stop || true; fi; }
trap cleanup EXIT
if [[ -z "${NEO4J_URI:-}" ]]; then
    say "Neo4j 5.26 for the integration tests"
    if command -v java >/dev/null && command -v mvn >/dev/null; then
        if scripts/neo4j/neo4j-server.sh start; then
            STARTED_NEO4J=1
            # shellcheck disable=SC1090
            source "$(scripts/neo4j/neo4j-server.sh env)"
            export NEO4J_URI NEO4J_USERNAME NEO4J_PASSWORD
        else
            echo "!! Neo4j did not start: Neo4j tests will skip"; in_ci && exit 1
        fi
    else
        echo "!! Java/Maven not found: Neo4j tests will skip (set NEO4J_URI to use your own server)"
        in_ci && exit 1
    fi
else
    say "Neo4j: using NEO4J_URI=${NEO4J_URI}"
fi

say "ruff"
"$PY" -m ruff check .

say "pytest"
"$PY" -m pytest -q -p no:cacheprovider "$@"
