"""The CLI keeps the README's word (issue 15): version, ``python -m``, one exit code per failure,
``--json`` everywhere a query is asked, ids never cut, exports that say what they wrote."""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _version() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return str(project["version"])


def test_version_flag() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0
    assert r.stdout.strip() == f"intersections {_version()}"


def test_python_dash_m_runs_the_cli() -> None:
    res = subprocess.run([sys.executable, "-m", "cli", "--version"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"intersections {_version()}"


# ---------------------------------------------------------------- against the mini base
MINI = ROOT / "tests" / "fixtures" / "mini"
E = ["--evidence", str(MINI)]


def run(*args: str, width: int = 100):
    return runner.invoke(app, list(args), env={"COLUMNS": str(width)})


def test_sparql_prefixes_without_a_query() -> None:
    r = run("sparql", "--prefixes")
    assert r.exit_code == 0, r.output
    assert "PREFIX int:" in r.stdout and "PREFIX harm:" in r.stdout
    r = run("sparql")
    assert r.exit_code == 2 and "--prefixes" in r.output


def test_json_on_every_query_command() -> None:
    q = "SELECT ?t WHERE { harm:intimate-partner-violence int:usesTactic ?t }"
    r = run("sparql", q, "--json", *E)
    assert r.exit_code == 0, r.output
    assert {"t": "tactic:isolation"} in json.loads(r.stdout)["rows"]
    r = run("queries", "run", "tactics-shared-by-two-harms", "-p",
            "harm_b=harm:human-trafficking", "--json", *E)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["language"] == "sparql"
    r = run("queries", "list", "--json")
    assert any(q["id"] == "tactics-shared-by-two-harms" for q in json.loads(r.stdout))
    # --json is declared on cypher too (it needs a server to run)
    from cli.query import cypher_cmd

    assert "json_out" in inspect.signature(cypher_cmd).parameters


def test_unknown_ids_exit_3_with_nearest_ids_everywhere() -> None:
    cases = [
        ("show", "risk:foster-care", *E),
        ("paths", "risk:foster-care", "--to", "Intervention", *E),
        ("shared", "harm:intimate-partner", "harm:human-trafficking", *E),
        ("export-citations", "-f", "ris", "-o", "-", "--source", "cite:smith", *E),
        ("export-citations", "-f", "ris", "-o", "-", "--id", "cite:smith", *E),
        ("queries", "run", "tactics-shared-by-two-harm"),
        ("queries", "show", "tactics-shared-by-two-harm"),
    ]
    for args in cases:
        r = run(*args)
        assert r.exit_code == 3, (args, r.output)
        assert "did you mean" in r.output.lower(), (args, r.output)
        assert "Traceback" not in r.output
    # nothing succeeds silently: no file is written for a wrong --source
    assert "wrote" not in run(*cases[3]).output


def test_type_names_suggest_the_nearest() -> None:
    r = run("paths", "risk:foster-care-placement", "--to", "Interventions", *E)
    assert r.exit_code == 2 and "did you mean 'Intervention'" in r.output


def test_ids_are_never_cut_short() -> None:
    for width in (60, 100, 160):
        r = run("search", "foster care", *E, width=width)
        assert r.exit_code == 0
        assert "risk:foster-care-placement" in r.stdout, width
        assert "…" not in r.stdout
        r = run("queries", "list", width=width)
        longest = max((q.id for q in __import__("graph.saved_queries",
                                                fromlist=["x"]).SAVED_QUERIES), key=len)
        assert longest in r.stdout, width


def test_coverage_is_readable_with_zero_for_gaps_and_csv() -> None:
    r = run("coverage", *E, width=80)
    assert r.exit_code == 0
    assert "·" not in r.stdout
    lines = r.stdout.splitlines()
    assert max(len(x) for x in lines) <= 80
    assert any(x.rstrip("│ ").endswith("0") for x in lines)  # gaps print as 0
    # headers wrap onto lines of several characters, never one letter per line
    header = [x for x in lines if x.startswith("┃")]
    cells = [c.strip() for x in header for c in x.strip("┃").split("┃")]
    assert not any(len(c) == 1 for c in cells), header
    r = run("coverage", *E, "--csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0][:2] == ["Harm id", "Harm"] and len(rows) > 2
    assert all(len(x) == len(rows[0]) for x in rows)
    assert all(c.isdigit() for x in rows[1:] for c in x[2:])
    t = run("coverage", *E, "--transpose", width=200)
    assert "PreventionStrategy × Harm" in t.stdout


def test_csv_export_says_folder_or_writes_a_zip(tmp_path: Path) -> None:
    r = run("export", "--format", "csv", "--out", str(tmp_path / "base.csv"), *E)
    assert r.exit_code == 2 and "base.zip" in r.output
    assert not (tmp_path / "base.csv").exists()
    r = run("export", "--format", "csv", "--out", str(tmp_path / "base.zip"), *E)
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(tmp_path / "base.zip") as zf:
        assert sorted(zf.namelist()) == ["edges.csv", "nodes.csv"]
    r = run("export", "--format", "csv", "--out", str(tmp_path / "base"), *E)
    assert r.exit_code == 0 and "nodes.csv, edges.csv" in r.output


def test_ris_records_are_not_numbered() -> None:
    r = run("export-citations", "-f", "ris", "-o", "-", *E)
    assert r.exit_code == 0
    records = [x for x in r.stdout.split("ER  -") if x.strip()]
    assert records and all(x.strip().startswith("TY  - ") for x in records)
    assert not re.search(r"(?m)^\d+\.\s*$", r.stdout)


def test_neo4j_unreachable_names_the_projects_server_script() -> None:
    env = {"NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "x", "COLUMNS": "200"}
    r = runner.invoke(app, ["stats", "--backend", "neo4j"], env=env)
    assert r.exit_code == 4
    assert "scripts/neo4j/neo4j-server.sh start" in r.output


def test_serve_hides_the_dev_server_banner_and_hints_at_gunicorn() -> None:
    """Run the real command and read what a user sees until the page answers."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), *E],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.5)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "gunicorn" in out and "explorer.wsgi:server" in out
    assert "development server" not in out.lower()
    assert "Serving Flask app" not in out
