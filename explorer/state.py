"""Which backend the running explorer reads, opened on first use (never at import time).

The app factory stores the choice (backend kind, evidence folder) in the Flask config of its
server; :func:`get_backend` opens it on the first request that needs data and keeps it on that
Flask app, so several explorer apps in one process (tests) each read their own evidence base.
Failures are remembered for a short while and re-raised as :class:`BackendUnavailable` with a
message the page shows, instead of a blank screen.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import flask

from explorer.wording import plural
from graph.backend import GraphBackend

CONFIG_KIND = "INTERSECTIONS_BACKEND"
CONFIG_EVIDENCE = "INTERSECTIONS_EVIDENCE"
_EXT = "intersections_backend"
RETRY_AFTER_S = 10.0

_lock = threading.Lock()


class BackendUnavailable(RuntimeError):
    """The evidence base could not be opened; ``str()`` is safe to show to the user."""


LOADING_TEXT = ("Loading the evidence base… This page refreshes by itself when it is ready "
                "(a large base takes a moment the first time; later starts read it from the "
                "cache).")


class BackendLoading(BackendUnavailable):
    """The base is still opening in the background (pages show this and refresh when ready)."""

    def __init__(self) -> None:
        super().__init__(LOADING_TEXT)


def configure(server: flask.Flask, kind: str = "embedded", evidence: str | None = None) -> None:
    server.config[CONFIG_KIND] = kind
    server.config[CONFIG_EVIDENCE] = evidence
    server.extensions.pop(_EXT, None)


def _describe(exc: BaseException, kind: str) -> str:
    from loaders.errors import ValidationFailed

    if isinstance(exc, ValidationFailed):
        problems = getattr(exc, "problems", None) or []
        first = "; ".join(str(p) for p in list(problems)[:3])
        count = plural(len(problems), "problem") if problems else "problems"
        return (f"The evidence base has {count} and was not loaded. "
                f"Run `intersections validate` for the full list. {first}")
    if kind == "neo4j":
        return (f"The Neo4j database could not be reached ({type(exc).__name__}: {exc}). "
                "Check NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD, or start the explorer "
                "with --backend embedded.")
    return f"The evidence base could not be opened ({type(exc).__name__}: {exc})."


def start_loading(server: flask.Flask,
                  on_error: Callable[[str], None] | None = None) -> threading.Thread:
    """Open the backend in a background thread, so the server binds its port at once.

    Until it is open, :func:`open_configured` raises :class:`BackendLoading` in request
    threads (pages show "Loading the evidence base…" and ``assets/base_loading.js`` reloads
    the page when :func:`is_loading` turns false); a failure is remembered as today.
    """
    slot: dict[str, Any] = server.extensions.setdefault(_EXT, {})

    def run() -> None:
        try:
            backend = open_configured(server, wait=True)
            warm = getattr(backend, "warm_defaults", None)
            if warm is not None:  # the gap map's opening matrices, once per base version
                # a failure here is not fatal: the page computes it again and shows why
                with contextlib.suppress(Exception):
                    warm()
        except BackendUnavailable as exc:
            if on_error is not None:
                on_error(str(exc))
        finally:
            slot.pop("loader", None)

    thread = threading.Thread(target=run, name="intersections-open-base", daemon=True)
    slot["loader"] = thread
    thread.start()
    return thread


def is_loading(server: flask.Flask) -> bool:
    slot: dict[str, Any] = server.extensions.get(_EXT) or {}
    loader = slot.get("loader")
    return loader is not None and loader.is_alive() and slot.get("backend") is None


def open_configured(server: flask.Flask, *, wait: bool = False) -> GraphBackend:
    """Open (or return the already opened) backend of this Flask app.

    While a background load (:func:`start_loading`) runs, callers get :class:`BackendLoading`
    at once instead of queueing behind it, unless ``wait`` is true.
    """
    slot: dict[str, Any] = server.extensions.setdefault(_EXT, {})
    backend = slot.get("backend")
    if backend is not None:
        return backend
    loader = slot.get("loader")
    if not wait and loader is not None and loader.is_alive() \
            and loader is not threading.current_thread():
        raise BackendLoading()
    with _lock:
        if slot.get("backend") is not None:
            return slot["backend"]
        failed_at = slot.get("failed_at")
        if failed_at and time.monotonic() - failed_at < RETRY_AFTER_S:
            raise BackendUnavailable(slot["error"])
        kind = server.config.get(CONFIG_KIND, "embedded")
        evidence = server.config.get(CONFIG_EVIDENCE)
        try:
            from graph.api import open_backend

            # a base not cached yet is checked in a child process: the explorer keeps only the
            # graph, not the heap that parsing fragments (NetworkxBackend.load)
            backend = open_backend(kind, evidence=evidence, fail_fast=True, check_in_child=True)
        except Exception as exc:  # noqa: BLE001 - any failure becomes a message in the page
            slot["failed_at"] = time.monotonic()
            slot["error"] = _describe(exc, kind)
            raise BackendUnavailable(slot["error"]) from exc
        slot["backend"] = backend
        slot.pop("failed_at", None)
        return backend


def get_backend() -> GraphBackend:
    """The backend of the explorer handling the current request."""
    return open_configured(flask.current_app._get_current_object())  # type: ignore[attr-defined]
