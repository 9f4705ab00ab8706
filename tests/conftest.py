"""Shared fixtures: the mini evidence base, and the backend contract fixture.

``backend`` is parametrized over every backend so one suite holds them all to the same answers
(networkx's ``nx_loopback`` idea). The Neo4j variant loads the same mini evidence base into a
real server (see tests/neo4j_plugin.py for how the server is found or why the test skips).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.backend import GraphBackend
from graph.neo4j.settings import Neo4jSettings
from graph.nx_backend import NetworkxBackend
from loaders.evidence import EvidenceBase, load_evidence_base

pytest_plugins = ["tests.neo4j_plugin"]

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def mini_eb() -> EvidenceBase:
    return load_evidence_base(MINI)


@pytest.fixture(scope="session")
def embedded(mini_eb: EvidenceBase) -> NetworkxBackend:
    return NetworkxBackend.from_evidence_base(mini_eb)


def settings_of(creds: Any, **changes: Any) -> Neo4jSettings:
    """The test server's credentials as one settings object (``changes`` override fields)."""
    base = Neo4jSettings(uri=creds.uri, username=creds.username, password=creds.password)
    return base.with_(**changes) if changes else base


@contextlib.contextmanager
def both_backends(eb: EvidenceBase, creds: Any, driver: Any
                  ) -> Iterator[tuple[Any, NetworkxBackend]]:
    """The test server emptied and loaded with ``eb``, and the embedded graph of the same
    records: (Neo4j backend, networkx backend), for tests that hold the two to one answer."""
    from graph.neo4j.backend import Neo4jBackend
    from graph.neo4j.loader import load_neo4j
    from tests.neo4j_plugin import delete_all

    delete_all(driver)
    load_neo4j(eb, settings_of(creds))
    neo = Neo4jBackend.connect(settings_of(creds))
    try:
        yield neo, NetworkxBackend.from_evidence_base(eb)
    finally:
        neo.close()


def _neo4j_backend(request: pytest.FixtureRequest, eb: EvidenceBase) -> GraphBackend:
    creds = request.getfixturevalue("neo4j_credentials")
    try:
        from graph.neo4j.backend import Neo4jBackend
        from graph.neo4j.loader import REPLACE_ANYTHING, load_neo4j
    except ImportError as exc:  # pragma: no cover - only while the backend is being written
        if IN_CI:
            pytest.fail(f"Neo4j backend not importable: {exc}")
        pytest.skip(f"Neo4j backend not available yet: {exc}")
    load_neo4j(eb, settings_of(creds), allow_removal=REPLACE_ANYTHING)  # fixture replaces
    return Neo4jBackend.connect(settings_of(creds))


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def backend(request: pytest.FixtureRequest, mini_eb: EvidenceBase) -> Iterator[GraphBackend]:
    """Every backend, loaded with tests/fixtures/mini."""
    if request.param == "embedded":
        yield NetworkxBackend.from_evidence_base(mini_eb)
        return
    b = _neo4j_backend(request, mini_eb)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture()
def evidence_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini evidence base."""
    import shutil

    dst = tmp_path / "evidence"
    shutil.copytree(MINI, dst)
    return dst
