"""The CLI commands over the importers: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tests.fixtures.importers.support import HERE, SAMPLES, mini_copy, snapshot

runner = CliRunner()


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


def test_import_commands(ev: Path) -> None:
    r = runner.invoke(app, ["import", "bibtex", str(HERE / "refs.bib"), "-e", str(ev)])
    assert r.exit_code == 0, r.output
    assert "imported 2 citations" in r.output and "merged:" in r.output
    r = runner.invoke(app, ["import", "hsds", str(SAMPLES / "hsds-lakes-region"), "-m",
                            str(HERE / "hsds-mini-mapping.yaml"), "-e", str(ev), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["counts"]["interventions"] == 7 and out["warnings"]
    r = runner.invoke(app, ["import", "sheet", str(HERE / "programs.csv"), "-e", str(ev),
                            "--dry-run"])
    assert r.exit_code == 0 and "dry run" in r.output
    assert not (ev / "imports" / "sheet-programs.yaml").exists()


def test_bad_input_exits_1_without_traceback(ev: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - no end\n")
    before = snapshot(ev)
    r = runner.invoke(app, ["import", "ris", str(bad), "-e", str(ev)])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "ris-structure" in r.output and snapshot(ev) == before
    r = runner.invoke(app, ["import", "endnote", str(bad), "-e", str(ev)])
    assert r.exit_code == 2
    r = runner.invoke(app, ["import", "bibtex", str(tmp_path / "missing.bib"), "-e", str(ev)])
    assert r.exit_code == 1 and "no such file" in r.output


def test_ingest_accept_and_export(ev: Path, tmp_path: Path) -> None:
    review = tmp_path / "report.review.yaml"
    r = runner.invoke(app, ["ingest", str(HERE / "report.txt"), "-e", str(ev), "-o",
                            str(review)])
    assert r.exit_code == 0, r.output
    assert "4 candidate claims" in r.output
    r = runner.invoke(app, ["accept", str(review), "-e", str(ev)])
    assert r.exit_code == 0 and "nothing new" in r.output  # all still pending
    out = tmp_path / "refs.ris"
    r = runner.invoke(app, ["export-citations", "-f", "ris", "-o", str(out), "--id",
                            "cite:smith-2017", "-e", str(ev)])
    assert r.exit_code == 0, r.output
    assert "10.1177/0000000000000001" in out.read_text()
    r = runner.invoke(app, ["export-citations", "-f", "bibtex", "-o", "-", "--source",
                            "cite:doc-brief", "-e", str(ev)])
    assert r.exit_code == 0 and "@article{smith-2017" in r.output and "lee-2019" in r.output
    r = runner.invoke(app, ["export-citations", "-f", "csl", "-o", "-", "--id", "pop:youth",
                            "-e", str(ev)])
    assert r.exit_code == 1 and "not citation ids" in r.output
    r = runner.invoke(app, ["export-sheet", "-o", str(tmp_path / "p.csv"), "-e", str(ev)])
    assert r.exit_code == 0 and "wrote 2 programs" in r.output
