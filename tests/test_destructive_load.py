"""Destructive-load guard (issue 14 item 1) against a real Neo4j server.

An empty or partial evidence folder must never wipe what is loaded: an empty base is refused at
validation, and ``load --neo4j`` refuses to remove more than MAX_REMOVAL_SHARE of the loaded
entries unless ``--allow-removal N`` names at least that many. Every case checks that nothing
was written. The tests use their own dataset and ids, so they never touch other data on the
shared server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.neo4j import cypher
from graph.neo4j.backend import open_driver
from graph.neo4j.loader import (
    MAX_REMOVAL_SHARE,
    DestructiveLoadRefused,
    check_removal,
    load_neo4j,
    unload_neo4j,
)
from loaders.evidence import load_evidence_base
from tests.conftest import settings_of

DATASET = "harden-guard-test"


def _base(folder: Path, n: int) -> Path:
    """An evidence folder with one source document and ``n`` risk factors (unique ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    items = "".join(
        f"  - id: risk:harden-guard-{i}\n    label: Guard test factor {i}\n"
        f"    definition: A factor used only by the destructive-load test.\n"
        f"    ecological_level: individual\n"
        f"    sources: [{{citation: cite:harden-guard-doc, locator: 'p. {i}'}}]\n"
        for i in range(n))
    (folder / "base.yaml").write_text(
        "citations:\n  - id: cite:harden-guard-doc\n    title: Guard test document\n"
        "    kind: source_document\n    document_kind: report\n    year: 2024\n"
        "risk_factors:\n" + items, encoding="utf-8")
    return folder


def _count(settings: Any) -> int:
    driver = open_driver(settings)
    try:
        with driver.session(database=settings.database) as s:
            q, p = cypher.count_dataset(DATASET)
            return int(s.run(q, p).single()["nodes"])
    finally:
        driver.close()


@pytest.fixture
def settings(neo4j_credentials: Any) -> Any:
    st = settings_of(neo4j_credentials)
    unload_neo4j(st, dataset=DATASET)
    yield st
    unload_neo4j(st, dataset=DATASET)


def _load(folder: Path, settings: Any, **kw: Any) -> Any:
    return load_neo4j(load_evidence_base(folder, shacl=False, use_cache=False), settings,
                      dataset=DATASET, **kw)


def test_share_rule() -> None:
    check_removal(0, 0, "d", None)
    check_removal(10, 100, "d", None)          # exactly the share: allowed
    with pytest.raises(DestructiveLoadRefused, match="--allow-removal 11"):
        check_removal(11, 100, "d", None)
    with pytest.raises(DestructiveLoadRefused):
        check_removal(11, 100, "d", 10)        # the named count must cover it
    check_removal(11, 100, "d", 11)
    assert MAX_REMOVAL_SHARE == 0.10


def test_small_removal_passes_large_is_refused_until_named(settings: Any, tmp_path: Path) -> None:
    first = _load(_base(tmp_path / "a", 30), settings)
    assert first.nodes == 31 and _count(settings) == 31
    # one entry deleted from the files (3%): loads and prunes it
    second = _load(_base(tmp_path / "b", 29), settings)
    assert second.removed_nodes == 1 and _count(settings) == 30
    # a partial folder (5 of 29 factors left) would remove 24 of 30: refused, nothing written
    with pytest.raises(DestructiveLoadRefused) as exc:
        _load(_base(tmp_path / "c", 5), settings)
    assert exc.value.removing == 24 and exc.value.loaded == 30
    assert "--allow-removal 24" in str(exc.value)
    assert _count(settings) == 30
    with pytest.raises(DestructiveLoadRefused):
        _load(_base(tmp_path / "c", 5), settings, allow_removal=23)
    assert _count(settings) == 30
    third = _load(_base(tmp_path / "c", 5), settings, allow_removal=24)
    assert third.removed_nodes == 24 and _count(settings) == 6


def _cli(args: list[str], creds: Any) -> Any:
    from cli.app import app

    return CliRunner().invoke(app, [*args, "--uri", creds.uri, "--username", creds.username,
                                    "--password", creds.password])


def test_cli_refuses_empty_folder_and_partial_base(settings: Any, neo4j_credentials: Any,
                                                   tmp_path: Path) -> None:
    _load(_base(tmp_path / "full", 30), settings)
    empty = tmp_path / "empty"
    empty.mkdir()
    r = _cli(["load", "--neo4j", "--evidence", str(empty), "--dataset", DATASET],
             neo4j_credentials)
    assert r.exit_code != 0 and "no-entries" in r.output and "Traceback" not in r.output
    assert _count(settings) == 31
    yml = tmp_path / "yml"
    yml.mkdir()
    (yml / "base.yml").write_text((tmp_path / "full" / "base.yaml").read_text(), "utf-8")
    r = _cli(["load", "--neo4j", "--evidence", str(yml), "--dataset", DATASET],
             neo4j_credentials)
    assert r.exit_code != 0 and "base.yml" in r.output
    assert _count(settings) == 31
    part = _base(tmp_path / "part", 2)
    r = _cli(["load", "--neo4j", "--evidence", str(part), "--dataset", DATASET],
             neo4j_credentials)
    assert r.exit_code != 0 and "--allow-removal 28" in " ".join(r.output.split())
    assert _count(settings) == 31
    r = _cli(["load", "--neo4j", "--evidence", str(part), "--dataset", DATASET,
              "--allow-removal", "28"], neo4j_credentials)
    assert r.exit_code == 0, r.output
    assert _count(settings) == 3


# ------------------------------------------------------------------------------ re-imports
def test_reimport_that_drops_most_entries_is_refused_until_named(tmp_path: Path) -> None:
    from cli.app import app
    from loaders.importers.bibliography import import_bibliography
    from tests.fixtures.importers.support import mini_copy, snapshot

    ev = mini_copy(tmp_path)
    src = tmp_path / "library.bib"
    entries = [f"@report{{k{i}, title = {{Guard report number {i}}}, author = {{Author{i}, A.}},"
               f" year = {{2020}}, institution = {{Somewhere}}}}\n" for i in range(10)]
    src.write_text("".join(entries), encoding="utf-8")
    first = import_bibliography(src, "bibtex", ev)
    assert first.written and first.counts == {"citations": 10}
    src.write_text("".join(entries[:9]), encoding="utf-8")  # one dropped: 10%, routine
    assert import_bibliography(src, "bibtex", ev).written
    src.write_text(entries[0], encoding="utf-8")  # a truncated export: 8 of 9 would go
    before = snapshot(ev)
    r = CliRunner().invoke(app, ["import", "bibtex", str(src), "--evidence", str(ev)])
    assert r.exit_code != 0 and "destructive-import" in r.output
    assert "--allow-removal 8" in " ".join(r.output.split()) and "Traceback" not in r.output
    assert snapshot(ev) == before
    r = CliRunner().invoke(app, ["import", "bibtex", str(src), "--evidence", str(ev),
                                 "--allow-removal", "8"])
    assert r.exit_code == 0, r.output
    assert snapshot(ev) != before
