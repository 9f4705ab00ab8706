"""Workspaces (issue 15): a coalition's own evidence over the shipped base; the package is never
written. Every writing command runs here against the real shipped base, and a checksum of the
package's data folder (evidence and samples) before and after proves nothing was written there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from cli import app
from loaders.errors import IntersectionsError
from loaders.workspace import (
    CONFIG_NAME,
    init_workspace,
    load_config,
    package_data_dir,
    shipped_evidence_dir,
)
from tests.fixtures.importers.support import HERE

runner = CliRunner()
SAMPLES = package_data_dir() / "samples"


def _tree_digest(root: Path) -> str:
    """sha256 over every file's relative path, bytes and mode under ``root``."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
            h.update(str(stat.S_IMODE(p.stat().st_mode)).encode())
    return h.hexdigest()


def _run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env=env)


@pytest.fixture(autouse=True)
def _no_workspace_from_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own INTERSECTIONS_WORKSPACE must not receive these tests' writes."""
    for var in ("INTERSECTIONS_WORKSPACE", "INTERSECTIONS_EVIDENCE", "INTERSECTIONS_BACKEND"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    return init_workspace(tmp_path / "coalition", name="Lakes coalition")


def test_init_makes_the_layout_and_a_config_without_secrets(tmp_path: Path) -> None:
    r = _run("init", str(tmp_path / "ws"), "--backend", "neo4j", "--uri", "neo4j://db:7687")
    assert r.exit_code == 0, r.output
    root = tmp_path / "ws"
    for sub in ("evidence/imports", "evidence/accepted", "reviews", "exports"):
        assert (root / sub).is_dir(), sub
    cfg = load_config(root)
    assert (cfg.backend, cfg.neo4j_uri, cfg.neo4j_username) == ("neo4j", "neo4j://db:7687",
                                                               "neo4j")
    data = tomllib.loads((root / CONFIG_NAME).read_text())
    assert not any("password" in k for table in data.values() for k in table)
    # a second init, or init over a non-empty folder, changes nothing
    r = _run("init", str(root))
    assert r.exit_code == 1 and "already a workspace" in r.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("keep")
    assert _run("init", str(tmp_path / "full")).exit_code == 1
    assert (tmp_path / "full" / "x.txt").read_text() == "keep"


def test_a_password_in_the_config_is_refused(ws: Path) -> None:
    cfg = ws / CONFIG_NAME
    cfg.write_text(cfg.read_text() + 'password = "hunter2"\n')
    with pytest.raises(IntersectionsError, match="NEO4J_PASSWORD"):
        load_config(ws)


def test_init_refuses_the_package() -> None:
    r = _run("init", str(shipped_evidence_dir() / "mine"))
    assert r.exit_code == 1 and "read-only" in r.output
    assert not (shipped_evidence_dir() / "mine").exists()


def _accept_one(review: Path) -> None:
    yaml = YAML()
    data = yaml.load(review.read_text())
    for c in data["candidates"]:
        if "share tactics" in c["source_text"]:
            c["status"] = "accept"
            c["statement"] = "Partner abuse and trafficking rely on shared control tactics."
    with review.open("w") as fh:
        yaml.dump(data, fh)


def test_every_writing_command_writes_into_the_workspace_never_the_package(
        ws: Path, tmp_path: Path) -> None:
    before = _tree_digest(package_data_dir())
    bib, hsds = SAMPLES / "references.bib", SAMPLES / "hsds-lakes-region"
    mapping, sheet = SAMPLES / "hsds-taxonomy-mapping.yaml", SAMPLES / "programs-sample.csv"
    writing = [
        ["import", "bibtex", str(bib)],
        ["import", "ris", str(SAMPLES / "references.ris")],
        ["import", "csl", str(SAMPLES / "references.json")],
        ["import", "hsds", str(hsds), "-m", str(mapping)],
        ["import", "sheet", str(sheet)],
        ["ingest", str(SAMPLES / "needs-assessment.md")],
        ["export-citations", "-f", "bibtex"],
        ["export-sheet"],
        ["export-sheet", "--template"],
    ]
    # Without a workspace: refused, with the way to make one; nothing written anywhere.
    for args in writing:
        r = _run(*args)
        assert r.exit_code == 1, (args, r.output)
        assert "intersections init" in r.output, (args, r.output)
    assert _tree_digest(package_data_dir()) == before
    # A dry run still works without a workspace (the README's "try it").
    r = _run("import", "hsds", str(hsds), "-m", str(mapping), "--dry-run")
    assert r.exit_code == 0, r.output
    # With the workspace (flag for some, environment for the others): written there.
    env = {"INTERSECTIONS_WORKSPACE": str(ws)}
    for i, args in enumerate(writing):
        r = _run(*args, "--workspace", str(ws)) if i % 2 else _run(*args, env=env)
        assert r.exit_code == 0, (args, r.output)
    imports = {p.name for p in (ws / "evidence" / "imports").iterdir()}
    # ris/csl hold the same references as the .bib (merged, nothing new to write)
    assert {"bibtex-references.yaml", "hsds-lakes-region.yaml"} <= imports
    assert imports <= {"bibtex-references.yaml", "csl-references.yaml", "ris-references.yaml",
                       "hsds-lakes-region.yaml", "sheet-programs-sample.yaml"}
    assert (ws / "reviews" / "needs-assessment.review.yaml").is_file()
    assert {p.name for p in (ws / "exports").iterdir()} == {
        "citations.bib", "programs.xlsx", "programs-template.xlsx"}
    # accept: a reviewed candidate lands in the workspace's accepted/
    review = tmp_path / "report.review.yaml"
    assert _run("ingest", str(HERE / "report.txt"), "-o", str(review), env=env).exit_code == 0
    _accept_one(review)
    r = _run("accept", str(review), env=env)
    assert r.exit_code == 0, r.output
    assert len(list((ws / "evidence" / "accepted").glob("*.yaml"))) == 1
    r = _run("validate", "--workspace", str(ws))
    assert r.exit_code == 0, r.output
    assert _tree_digest(package_data_dir()) == before


def _nodes(ws: Path | None = None) -> dict[str, int]:
    """``intersections stats`` as a fresh process would see it (no in-process graph cache)."""
    from graph.api import _embedded

    _embedded.cache_clear()
    args = ["stats", "--json"] + (["--workspace", str(ws)] if ws else [])
    r = _run(*args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_overlay_adds_replaces_and_removing_a_file_removes_its_entries(ws: Path) -> None:
    shipped = _nodes()
    own = ws / "evidence" / "our-programs.yaml"
    own.write_text(
        "organizations:\n"
        "  - id: org:lakes-coalition\n"
        "    label: Lakes Coalition\n"
        "    definition: A regional coalition of service providers (a test entry).\n"
        "    kind: coalition\n"
        "    sources:\n"
        "      - {citation: cite:ccadv-understanding-trafficking, locator: 'slide 1'}\n")
    added = _nodes(ws)
    assert added["nodes"] == shipped["nodes"] + 1
    r = _run("show", "org:lakes-coalition", "--workspace", str(ws))
    assert r.exit_code == 0 and "Lakes Coalition" in r.output
    # a file at the same relative path as a shipped one replaces it
    base_file = next(p for p in sorted(shipped_evidence_dir().rglob("*.yaml"))
                     if "organizations:" in p.read_text())
    rel = base_file.relative_to(shipped_evidence_dir())
    (ws / "evidence" / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base_file, ws / "evidence" / rel)
    assert _nodes(ws)["nodes"] == added["nodes"]  # same entries, now from the workspace copy
    # removing the workspace's files removes their entries
    own.unlink()
    (ws / "evidence" / rel).unlink()
    assert _nodes(ws)["nodes"] == shipped["nodes"]
    assert _run("show", "org:lakes-coalition", "--workspace", str(ws)).exit_code == 3


def test_exports_get_normal_permissions(ws: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "c.ris"
        assert _run("export-citations", "-f", "ris", "-o", str(out)).exit_code == 0
        assert _run("export-sheet", "-o", str(tmp_path / "p.xlsx")).exit_code == 0
        assert _run("import", "bibtex", str(SAMPLES / "references.bib"), "-w",
                    str(ws)).exit_code == 0
    finally:
        os.umask(old)
    for p in (out, tmp_path / "p.xlsx", ws / "evidence" / "imports" / "bibtex-references.yaml"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p


def test_the_workspace_config_picks_backend_and_neo4j_address(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """`init --backend neo4j --uri …` is used by commands unless a flag or variable says else."""
    for var in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_DATABASE", "INTERSECTIONS_BACKEND"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NEO4J_PASSWORD", "not-used-anywhere")
    root = tmp_path / "ws"
    r = _run("init", str(root), "--backend", "neo4j", "--uri", "bolt://127.0.0.1:9")
    assert r.exit_code == 0, r.output
    r = _run("stats", "--workspace", str(root), env={"COLUMNS": "200"})
    assert r.exit_code == 4 and "bolt://127.0.0.1:9" in r.output, r.output
    r = _run("stats", "--workspace", str(root), "--backend", "embedded")
    assert r.exit_code == 0, r.output  # an explicit flag wins over the config
    r = _run("stats", "--workspace", str(root), env={"INTERSECTIONS_BACKEND": "embedded"})
    assert r.exit_code == 0, r.output  # so does the environment


def test_gunicorn_reads_the_workspace_config(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer.wsgi import backend_from_env

    root = init_workspace(tmp_path / "ws", backend="neo4j", uri="neo4j://db.example:7687")
    monkeypatch.delenv("NEO4J_URI", raising=False)
    monkeypatch.setenv("INTERSECTIONS_WORKSPACE", str(root))
    assert backend_from_env() == "neo4j"
    assert os.environ["NEO4J_URI"] == "neo4j://db.example:7687"
    monkeypatch.setenv("INTERSECTIONS_BACKEND", "embedded")  # the environment wins
    assert backend_from_env() == "embedded"
