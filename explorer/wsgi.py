"""WSGI entry point for production servers: ``gunicorn explorer.wsgi:server``.

The Dash app is built on first access of ``server`` (module ``__getattr__``), from
INTERSECTIONS_BACKEND (embedded|neo4j, default embedded), INTERSECTIONS_WORKSPACE (a workspace
made by ``intersections init``) or INTERSECTIONS_EVIDENCE (folder) and
INTERSECTIONS_SPARQL_ENDPOINT (on by default; ``off`` turns the /sparql endpoint off);
the evidence base itself is opened on the first request that needs it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_lock = threading.Lock()
_app: Any = None


def backend_from_env() -> str:
    """INTERSECTIONS_BACKEND, else the workspace's intersections.toml (whose Neo4j address and
    user fill NEO4J_URI / NEO4J_USERNAME / NEO4J_DATABASE when those are unset), else embedded."""
    from loaders.workspace import is_workspace, load_config

    backend = os.environ.get("INTERSECTIONS_BACKEND")
    ws = os.environ.get("INTERSECTIONS_WORKSPACE")
    if ws and is_workspace(ws):
        cfg = load_config(ws)
        backend = backend or cfg.backend
        if backend == "neo4j":
            os.environ.setdefault("NEO4J_URI", cfg.neo4j_uri)
            os.environ.setdefault("NEO4J_USERNAME", cfg.neo4j_username)
            if cfg.neo4j_database:
                os.environ.setdefault("NEO4J_DATABASE", cfg.neo4j_database)
    return backend or "embedded"


def get_app() -> Any:
    global _app
    with _lock:
        if _app is None:
            from explorer.app import create_app
            from explorer.linked_data import endpoint_enabled_from_env

            _app = create_app(backend_from_env(),
                              os.environ.get("INTERSECTIONS_WORKSPACE")
                              or os.environ.get("INTERSECTIONS_EVIDENCE") or None,
                              debug=False,
                              sparql_endpoint=endpoint_enabled_from_env())
        return _app


def __getattr__(name: str) -> Any:
    if name == "server":
        return get_app().server
    if name == "app":
        return get_app()
    raise AttributeError(name)
