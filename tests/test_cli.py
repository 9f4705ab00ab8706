"""The CLI: output for people, JSON for scripts, meaningful exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from tests.conftest import MINI

runner = CliRunner()
E = ["--evidence", str(MINI)]


def run(*args: str):
    return runner.invoke(app, list(args))


def test_validate_ok_and_json() -> None:
    r = run("validate", *E, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["valid"] is True and data["nodes"] == 27


def test_validate_reports_problems_with_exit_1(evidence_copy: Path) -> None:
    (evidence_copy / "bad.yaml").write_text("harms:\n  - id: harm:x\n    label: X\n")
    r = run("validate", "--evidence", str(evidence_copy))
    assert r.exit_code == 1
    assert "bad.yaml:2" in r.output and "definition" in r.output
    assert "Traceback" not in r.output


def test_search_and_show() -> None:
    r = run("search", "DMST", *E, "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)[0]["node"]["id"] == "harm:domestic-minor-sex-trafficking"
    r = run("show", "risk:foster-care-placement", *E)
    assert r.exit_code == 0
    assert "Foster care placement" in r.output and "Smith" in r.output


def test_unknown_id_exit_3_with_suggestion() -> None:
    r = run("show", "risk:foster-care", *E)
    assert r.exit_code == 3
    assert "risk:foster-care-placement" in r.output
    assert "Traceback" not in r.output


def test_paths_text_and_json() -> None:
    r = run("paths", "risk:foster-care-placement", "--to", "Intervention", *E)
    assert r.exit_code == 0
    assert "Safe Harbor Regional Navigators" in r.output
    assert "1 claim/2 citations" in r.output
    r = run("paths", "risk:foster-care-placement", "--to", "Intervention", *E, "--json")
    data = json.loads(r.stdout)
    assert data[0]["route"][-1] == "int:safe-harbor-navigators"
    r = run("paths", "risk:foster-care-placement", "--to", "Nonsense", *E)
    assert r.exit_code == 2 and "unknown type" in r.output


def test_shared_and_coverage() -> None:
    r = run("shared", "harm:intimate-partner-violence", "harm:human-trafficking",
            "--via", "ControlTactic", *E, "--json")
    assert r.exit_code == 0
    assert [i["node"]["id"] for i in json.loads(r.stdout)["shared"]] == ["tactic:isolation"]
    r = run("coverage", *E, "--csv")  # the table wraps headers; CSV keeps labels whole
    assert r.exit_code == 0 and "Early intervention" in r.output


def test_export_writes_file(tmp_path: Path, mini_eb) -> None:
    out = tmp_path / "eb.ttl"
    r = run("export", "--format", "ttl", "--out", str(out), *E)
    assert r.exit_code == 0, r.output
    concepts = [n for n in mini_eb.nodes.values() if n.category not in ("Claim", "Citation")]
    assert out.read_text().count("skos:prefLabel") == len(concepts)
    r = run("export", "--format", "docx", "--out", str(out), *E)
    assert r.exit_code == 2 and "unknown export format" in r.output


def test_stats() -> None:
    r = run("stats", *E, "--json")
    assert json.loads(r.stdout)["by_category"]["Claim"] == 5


def test_every_command_module_registers() -> None:
    """A broken extension module would break the whole command: catch it here."""
    r = run("--help")
    assert r.exit_code == 0, r.output
    for cmd in ("validate", "search", "paths", "shared", "coverage", "export"):
        assert cmd in r.output
    import inspect

    from cli.app import COMMAND_GROUPS

    for group in COMMAND_GROUPS:
        for command in group.app.registered_commands:
            inspect.signature(command.callback, eval_str=True)  # annotations resolve


def test_one_backend_option_everywhere() -> None:
    """One backend list: every --backend is the shared option, so `serve --backend networkx`
    is accepted like `stats --backend networkx`, and an unknown name is a usage error."""
    import inspect

    from cli.app import COMMAND_GROUPS
    from cli.helpers import BackendOpt

    with_backend = []
    for group in COMMAND_GROUPS:
        for command in group.app.registered_commands:
            param = inspect.signature(command.callback).parameters.get("backend")
            if param is not None:
                assert param.annotation is BackendOpt, command.callback.__name__
                with_backend.append(command.callback.__name__)
    assert {"stats", "serve_cmd", "sparql_cmd", "export_citations_cmd"} <= set(with_backend)
    r = run("stats", "--backend", "networkx", *E, "--json")
    assert r.exit_code == 0, r.output
    r = run("stats", "--backend", "nope", *E)
    assert r.exit_code == 2 and "unknown backend" in r.output


def test_cli_shows_link_basis_and_explains_flags() -> None:
    """Issue 13: a hop the curators inferred says so, --stated-only leaves it out, and every
    flag on a claim is explained with the text of ontology.schema.QUALITY_FLAGS."""
    r = run("paths", "int:hotel-training-law", "--to", "PreventionStrategy", "--max-hops", "1",
            *E)
    assert r.exit_code == 0 and "inferred by the curators" in r.output
    r = run("paths", "int:hotel-training-law", "--to", "PreventionStrategy", "--max-hops", "1",
            "--stated-only", *E)
    assert r.exit_code == 3 and "no path" in r.output
    r = run("paths", "int:hotel-training-law", "--to", "PreventionStrategy", "--max-hops", "1",
            *E, "--json")
    assert json.loads(r.stdout)[0]["hops"][0]["basis"] == "inferred"
    r = run("show", "risk:running-away", *E)
    assert r.exit_code == 0
    assert "[unsourced_figure]" in r.output and "Figure without a source" in r.output
