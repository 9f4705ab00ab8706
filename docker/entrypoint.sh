#!/bin/sh
# Entry point of the Intersections image: refuse unsafe settings, make the workspace on first
# start, then run the command (gunicorn by default; any `intersections ...` command works).
set -eu

# The value .env.example ships with (tests/test_compose.py keeps the two in step).
PLACEHOLDER="change-me-to-a-long-random-password"
HOWTO="put a long random password in .env, e.g. from: python3 -c 'import secrets;print(secrets.token_urlsafe(24))'"

if [ "${NEO4J_PASSWORD:-}" = "$PLACEHOLDER" ]; then
    echo "refusing to start: NEO4J_PASSWORD is still the placeholder from .env.example — $HOWTO" >&2
    exit 64
fi
if [ "${INTERSECTIONS_BACKEND:-embedded}" = "neo4j" ] && [ -z "${NEO4J_PASSWORD:-}" ]; then
    echo "refusing to start: INTERSECTIONS_BACKEND=neo4j but NEO4J_PASSWORD is empty — $HOWTO" >&2
    exit 64
fi

ws="${INTERSECTIONS_WORKSPACE:-}"
if [ -n "$ws" ] && [ ! -f "$ws/intersections.toml" ]; then
    if [ ! -w "$ws" ]; then
        echo "cannot create the workspace in $ws: not writable by uid $(id -u)." >&2
        echo "  Create the host folder yourself (mkdir workspace) and set INTERSECTIONS_UID and" >&2
        echo "  INTERSECTIONS_GID in .env to its owner (id -u / id -g)." >&2
        exit 73
    fi
    intersections init "$ws" --backend "${INTERSECTIONS_BACKEND:-embedded}" \
        --uri "${NEO4J_URI:-bolt://neo4j:7687}" --username "${NEO4J_USERNAME:-neo4j}" >&2
fi

exec "$@"
