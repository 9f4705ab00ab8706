"""Neo4j outages (issue 14 item 5), against a real server behind a TCP proxy we can cut.

A read during an outage fails with one clear :class:`Neo4jUnavailable`; later reads fail at
once from the remembered failure (no new connection attempts) until it expires; a database
that answers again but no longer holds the evidence base says "nothing loaded — run
`intersections load --neo4j`" instead of showing empty pages. How long the first failure takes
is measured in the benchmark suite, not asserted here.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.neo4j.backend import Neo4jBackend
from graph.neo4j.errors import IncompleteEvidenceBase, Neo4jUnavailable
from graph.neo4j.loader import load_neo4j, unload_neo4j
from loaders.evidence import load_evidence_base
from tests.conftest import settings_of
from tests.test_destructive_load import _base

DATASET = "harden-outage-test"


class CuttableProxy:
    """127.0.0.1 TCP proxy to the Neo4j server; ``cut()`` turns it into a black hole that
    accepts connections and never answers (the worst kind of outage: nothing is refused)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.attempts = 0
        self.cut_off = False
        self._socks: list[socket.socket] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.attempts += 1
            self._socks.append(client)
            if self.cut_off:
                continue  # hold it open, say nothing
            upstream = socket.create_connection(self.target)
            self._socks.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while not self.cut_off and (data := a.recv(65536)):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.cut_off = True
        for s in list(self._socks):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self._socks.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def loaded(neo4j_credentials: Any, tmp_path: Path) -> Iterator[Any]:
    st = settings_of(neo4j_credentials)
    eb = load_evidence_base(_base(tmp_path / "ev", 3), shacl=False, use_cache=False)
    load_neo4j(eb, st, dataset=DATASET)
    yield st
    unload_neo4j(st, dataset=DATASET)


@pytest.fixture
def proxy(neo4j_credentials: Any) -> Iterator[CuttableProxy]:
    u = urlsplit(neo4j_credentials.uri)
    p = CuttableProxy((u.hostname or "127.0.0.1", u.port or 7687))
    yield p
    p.close()


def test_outage_fails_once_then_fast_from_memory(loaded: Any, proxy: CuttableProxy) -> None:
    settings = loaded.with_(uri=f"bolt://127.0.0.1:{proxy.port}").fail_fast()
    backend = Neo4jBackend.connect(settings, dataset=DATASET)
    try:
        assert backend.stats().nodes >= 4
        proxy.cut()
        with pytest.raises(Neo4jUnavailable) as first:
            backend.stats()
        assert "Traceback" not in str(first.value)
        tried = proxy.attempts
        with pytest.raises(Neo4jUnavailable, match="checked 0 s ago"):
            backend.stats()  # remembered: answered without touching the network
        assert proxy.attempts == tried
    finally:
        backend.driver.close()


def test_fail_fast_settings() -> None:
    from graph.neo4j.settings import Neo4jSettings

    fast = Neo4jSettings().fail_fast()
    assert (fast.connect_timeout, fast.acquire_timeout, fast.retry_time) == (1.0, 1.5, 0.0)
    slow = Neo4jSettings()  # the CLI keeps waiting for a server that is starting up
    assert slow.retry_time > fast.retry_time and slow.connect_timeout > fast.connect_timeout


def test_database_emptied_says_nothing_loaded(loaded: Any) -> None:
    backend = Neo4jBackend.connect(loaded, dataset=DATASET)
    backend.RECHECK_LOADED_S = 0.0  # check on every read (the default is every 5 s)
    try:
        assert backend.stats().nodes >= 4
        unload_neo4j(loaded, dataset=DATASET)  # Neo4j came back empty / was wiped
        with pytest.raises(IncompleteEvidenceBase,
                           match="nothing loaded .* run `intersections load --neo4j`"):
            backend.stats()
    finally:
        backend.close()
