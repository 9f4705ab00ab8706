"""The bulk first load (graph/neo4j/bulk.py): files for ``neo4j-admin database import``, imported
for real by ``scripts/neo4j/neo4j-server.sh import`` into a throw-away server of this module (the
import replaces the store, so never the shared test server), finished by our code.

What must hold: the imported database is exactly what the Bolt load writes (every label and
property, compared raw before and after a MERGE reload of the same base), it answers like the
embedded backend on the shipped base, odd text (quotes, line breaks, commas, a leading ``=``)
arrives as written, and the command refuses to write into the package.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from benchmarks.phases import import_tool_stages
from graph.neo4j import cypher
from graph.neo4j.bulk import (
    ARRAY_DELIMITER,
    BulkImportMismatch,
    _Group,
    _kind,
    _write_group,
    finish_bulk_import,
    write_bulk_files,
)
from graph.neo4j.settings import Neo4jSettings
from graph.nx_backend import NetworkxBackend
from loaders.evidence import EvidenceBase, load_evidence_base

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "neo4j" / "neo4j-server.sh"
MINI = ROOT / "tests" / "fixtures" / "mini"
IN_CI = os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}

ODD_LABEL = '=HYPERLINK("http://x.example/?a,b","y"), "quoted"; semi'
ODD_DEFINITION = 'Line one,\nline "two"\r\nCR\rend \\ backslash ünï 😀 +1 @x -y'


# ----------------------------------------------------------------------------- without a server
@pytest.mark.parametrize(("value", "kind"), [
    ("text", "string"), ("", "string"), (True, "boolean"), (3, "long"), (1.5, "double"),
    (["a", ""], "string[]"), ([1, 2], "long[]"), ([0.5], "double[]"), ([False], "boolean[]"),
    ([""], None),  # '""' in an array column imports as no value: set after the import
    (["a" + ARRAY_DELIMITER + "b"], None),  # would split into two items
    ("nul\x00", None),
])
def test_what_csv_can_carry(value: Any, kind: str | None) -> None:
    assert _kind(value) == kind


def test_columns_are_written_field_for_field(tmp_path: Path) -> None:
    """The columnar writer: every string quoted with ``"`` doubled (ids too), a value the row
    does not have empty and unquoted (an empty string stays ``""``), numbers, booleans and
    their lists bare, list items joined by U+001F, rows with a line break in a ``-multiline``
    file of their own, in input order."""
    g = _Group()
    g.kinds = {"n": "long", "x": "double", "b": "boolean", "t": "string", "l": "string[]",
               "nl": "long[]"}
    g.rows = [
        ('a"1', None, {"n": 3, "x": 0.1, "b": True, "t": 'say "hi", =1', "l": ["p", "q,r"],
                       "nl": [1, -2]}),
        ("b", None, {"t": "two\nlines", "x": float("inf")}),
        ("c", None, {"t": "", "b": False}),
        ("d", None, {"t": "cr\rhere"}),
        ("e", None, {"l": ["😀"]}),
    ]
    (tmp_path / "nodes").mkdir()
    written, multiline, longest = _write_group(
        tmp_path, "nodes/X", ["id:ID", "_dataset:string"], [[r[0] for r in g.rows]], '"ds"', g)
    assert written == ["nodes/X.csv", "nodes/X-multiline.csv"]
    assert multiline == ["nodes/X-multiline.csv"]
    d = ARRAY_DELIMITER
    head = "id:ID,_dataset:string,b:boolean,l:string[],n:long,nl:long[],t:string,x:double\n"
    plain = (tmp_path / "nodes" / "X.csv").read_bytes().decode("utf-8")
    assert plain == head + (f'"a""1","ds",true,"p{d}q,r",3,1{d}-2,"say ""hi"", =1",0.1\n'
                            '"c","ds",false,,,,"",\n'
                            '"e","ds",,"😀",,,,\n')
    multi = (tmp_path / "nodes" / "X-multiline.csv").read_bytes().decode("utf-8")
    assert multi == head + '"b","ds",,,,,"two\nlines",Infinity\n"d","ds",,,,,"cr\rhere",\n'
    assert longest == len(plain.splitlines()[1].encode("utf-8"))  # the longest row, in bytes


def test_shared_link_maps_split_like_their_copies() -> None:
    """Links share property maps (Neo4jRows._link_props); the split works a map out once, but
    every row still gets its group and its own fixup, exactly as unshared copies would."""
    from graph.neo4j.bulk import _split

    odd = {"basis": "stated", "tags": [""], "note": "nul\x00here"}  # two fixups, kept: basis
    plain = {"basis": "stated", "position": 2}
    rows = [("a:1", "b:1", odd), ("a:2", "b:2", plain), ("a:3", "b:3", odd),
            ("a:4", "b:4", plain), ("a:5", "b:5", {})]

    def run(given: list[tuple[str, str, dict[str, Any]]]) -> tuple[Any, Any]:
        fixups: list[dict[str, Any]] = []
        groups = _split(given, frozenset(), fixups,
                        lambda a, b, bad: {"s": a, "o": b, "props": bad})
        return [(g.kinds, g.rows) for g in groups], fixups

    shared = run(rows)
    copies = run([(a, b, dict(props)) for a, b, props in rows])
    assert shared == copies
    groups, fixups = shared
    assert [f["s"] for f in fixups] == ["a:1", "a:3"]
    assert fixups[1]["props"] == {"tags": [""], "note": "nul\x00here"}
    assert [r[2] for g in groups for r in g[1] if r[0] in ("a:1", "a:3")] == [
        {"basis": "stated"}, {"basis": "stated"}]


def test_cli_refuses_to_write_into_the_package(tmp_path: Path) -> None:
    from cli.app import app

    target = ROOT / "loaders" / "data" / "bulk-here"
    res = CliRunner().invoke(app, ["load", "--neo4j-bulk-files", str(target)])
    assert res.exit_code == 1
    assert "inside the installed package" in res.output
    assert not target.exists()
    res = CliRunner().invoke(app, ["load", "--neo4j-bulk-files", str(ROOT / "graph")])
    assert res.exit_code == 1 and not (ROOT / "graph" / "manifest.json").exists()


def test_cli_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    from cli.app import app

    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    res = CliRunner().invoke(app, ["load", "--neo4j-bulk-files", str(tmp_path)])
    assert res.exit_code == 2
    assert "not empty" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def _odd_base(dest: Path) -> Path:
    """tests/fixtures/mini with odd text: quotes, commas, a leading '=', CR/LF line breaks,
    a backslash, non-BMP text, and a synonym that normalises to nothing (a one-item [""])."""
    folder = dest / "odd"
    shutil.copytree(MINI, folder)
    voc = folder / "vocabulary.yaml"
    text = voc.read_text(encoding="utf-8")
    swaps = [("""    label: Running away
    alt_labels: [runaway]
    definition: Leaving home or placement without permission.
""", """    label: '=HYPERLINK("http://x.example/?a,b","y"), "quoted"; semi'
    alt_labels: [runaway, "—", "tab\\there"]
    definition: "Line one,\\nline \\"two\\"\\r\\nCR\\rend \\\\ backslash ünï 😀 +1 @x -y"
"""), ("""    label: United States
""", """    label: United States
    alt_labels: ["—"]
""")]
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new, 1)
    voc.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def odd_eb(tmp_path_factory: pytest.TempPathFactory) -> EvidenceBase:
    eb = load_evidence_base(_odd_base(tmp_path_factory.mktemp("odd")), use_cache=False)
    n = eb.nodes["risk:running-away"]
    assert (n.label, n.definition) == (ODD_LABEL, ODD_DEFINITION)
    return eb


def test_files_hold_the_text_as_written(odd_eb: EvidenceBase, tmp_path: Path) -> None:
    """Read back with a plain RFC 4180 reader: nothing neutralised, quotes undoubled, the row
    with line breaks in its own multi-line file, which import.args names."""
    out = tmp_path / "bulk"
    files = write_bulk_files(odd_eb, out)
    assert files.nodes == len(odd_eb.nodes) and files.relationships == len(odd_eb.edges)
    assert files.fixups == 1  # United States: _alt_norm == [""]
    with (out / "nodes" / "RiskFactor-multiline.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id:ID"] for r in rows] == ["risk:running-away"]
    assert rows[0]["label:string"] == ODD_LABEL
    assert rows[0]["definition:string"] == ODD_DEFINITION
    assert rows[0]["alt_labels:string[]"].split(ARRAY_DELIMITER) == ["runaway", "—", "tab\there"]
    args = (out / "import.args").read_text(encoding="utf-8").splitlines()
    assert "--multiline-fields=nodes/RiskFactor-multiline.csv" in args
    assert "--nodes=Entity:RiskFactor=nodes/RiskFactor.csv" in args
    assert "--nodes=Entity:Harm:TraffickingType=nodes/TraffickingType.csv" in args
    # plain files never hold a line break inside a row
    plain = (out / "nodes" / "RiskFactor.csv").read_text(encoding="utf-8")
    assert "\r" not in plain and len(plain.splitlines()) == 1 + 2


# ----------------------------------------------------------------------------- a real import
def _need_java() -> None:
    if shutil.which("java") is None:  # (mvn only when the jar cache is empty: the script says)
        msg = "java is needed for scripts/neo4j/neo4j-server.sh"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def rundir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throw-away server's run dir (the import stops and replaces its store)."""
    _need_java()
    run = tmp_path_factory.mktemp("bulk-neo4j")
    try:
        yield run
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=_env(run), capture_output=True, check=False)


def _env(run: Path) -> dict[str, str]:
    return {**os.environ, "INTERSECTIONS_NEO4J_RUNDIR": str(run),
            "NEO4J_JAVA_OPTS": "-Xms256m -Xmx1g", "NEO4J_START_TIMEOUT": "300"}


def _import(run: Path, folder: Path) -> Neo4jSettings:
    """scripts/neo4j/neo4j-server.sh import FOLDER, then the settings of the started server."""
    res = subprocess.run([str(SCRIPT), "import", str(folder)], env=_env(run),
                         capture_output=True, text=True, check=False, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "IMPORT_SECONDS" in res.stdout
    # the benchmark reads where the tool's time went from this log (real output, this version)
    stages = import_tool_stages((run / "import.log").read_text(encoding="utf-8"))
    assert set(stages) == {"node_import", "relationship_import", "relationship_linking",
                           "post_processing", "import_done"}, stages
    tool_s = float(res.stdout.split("IMPORT_SECONDS", 1)[1].split()[0])
    assert sum(v for k, v in stages.items() if k != "import_done") <= stages["import_done"]
    assert stages["import_done"] <= tool_s + 0.1  # JVM start and exit are outside it
    env = {}
    for line in (run / "neo4j.env").read_text(encoding="utf-8").splitlines():
        if line.startswith("export "):
            k, _, v = line[len("export "):].partition("=")
            env[k] = v.strip("'")
    return Neo4jSettings(uri=env["NEO4J_URI"], username=env["NEO4J_USERNAME"],
                         password=env["NEO4J_PASSWORD"])


def _snapshot(settings: Neo4jSettings) -> tuple[dict[str, Any], list[Any]]:
    """Every node (labels, raw properties) and relationship (type, ends, raw properties)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(settings.uri, auth=(settings.username, settings.password)) as d:
        nodes = {r["id"]: (sorted(r["labels"]), r["props"]) for r in d.execute_query(
            f"MATCH (n:{cypher.ENTITY}) RETURN n.id AS id, labels(n) AS labels, "
            "properties(n) AS props").records}
        rels = sorted((r["t"], r["s"], r["o"], sorted(r["props"].items())) for r in d.execute_query(
            "MATCH (s)-[r]->(o) RETURN type(r) AS t, s.id AS s, o.id AS o, "
            "properties(r) AS props").records)
        indexes = {r["name"] for r in d.execute_query("SHOW INDEXES YIELD name").records}
    assert {"intersections_entity_id", "intersections_entity_search",
            "intersections_entity_dataset", "intersections_entity_category"} <= indexes
    return nodes, rels


def _same_as_a_merge_load(settings: Neo4jSettings, eb: EvidenceBase) -> None:
    """A Bolt MERGE reload of the same base changes nothing: the import wrote what it writes."""
    from graph.neo4j.loader import load_neo4j

    before = _snapshot(settings)
    report = load_neo4j(eb, settings)
    assert not report.first_load
    assert (report.removed_nodes, report.removed_relationships) == (0, 0)
    after = _snapshot(settings)
    assert before[0] == after[0]
    assert before[1] == after[1]


def test_odd_text_round_trips_through_a_real_import(rundir: Path, odd_eb: EvidenceBase,
                                                    tmp_path: Path) -> None:
    from graph.neo4j.backend import Neo4jBackend

    out = tmp_path / "bulk"
    write_bulk_files(odd_eb, out)
    settings = _import(rundir, out)
    report = finish_bulk_import(settings, out)
    assert report.mode == "bulk-import" and report.relationships == len(odd_eb.edges)
    assert list(report.steps) == ["connect", "check", "schema", "indexes", "fixups", "state"]
    assert 0 < sum(report.steps.values()) <= report.seconds + 0.01  # each step rounded
    nodes, _ = _snapshot(settings)
    assert nodes["region:united-states"][1][cypher.ALT_NORM_KEY] == [""]  # the fixup
    b = Neo4jBackend.connect(settings)
    try:
        n = b.node("risk:running-away")
        assert (n.label, n.definition) == (ODD_LABEL, ODD_DEFINITION)
        assert list(n.alt_labels) == ["runaway", "—", "tab\there"]
        assert list(b.node("region:united-states").alt_labels) == ["—"]
        emb = NetworkxBackend.from_evidence_base(odd_eb)
        for q in ("runaway", "hyperlink", "quoted semi"):
            hits = b.search(q)
            assert hits and hits == emb.search(q), q
        for node_id in odd_eb.nodes:
            assert b.node(node_id) == emb.node(node_id), node_id
    finally:
        b.close()
    _same_as_a_merge_load(settings, odd_eb)


def test_shipped_base_bulk_imported_answers_like_the_embedded_backend(
        rundir: Path, tmp_path: Path) -> None:
    from graph.neo4j.backend import Neo4jBackend

    eb = load_evidence_base(None)
    out = tmp_path / "bulk"
    files = write_bulk_files(eb, out)
    settings = _import(rundir, out)
    finish_bulk_import(settings, out)
    finish_bulk_import(settings, out)  # safe to re-run
    emb = NetworkxBackend.from_evidence_base(eb)
    b = Neo4jBackend.connect(settings)
    try:
        assert b.stats() == emb.stats()
        for node_id in eb.nodes:
            assert b.node(node_id) == emb.node(node_id), node_id
        for q in ("trafficking", "foster care", "domestic violence", "ipv", "hotline", "child"):
            assert b.search(q, limit=15) == emb.search(q, limit=15), q
        for start in ("risk:foster-care-placement", "harm:intimate-partner-violence"):
            if start in eb.nodes:
                assert b.neighbors(start) == emb.neighbors(start), start
                assert b.paths(start, "Intervention") == emb.paths(start, "Intervention")
                assert b.paths(start, "Claim") == emb.paths(start, "Claim")
        assert b.coverage() == emb.coverage()
        # the finish stores which nodes' about links carry claims (paths to claims read it)
        from graph.neo4j import cypher
        from ontology.schema import EVIDENCE_CLASSES

        state = b.load_state()
        assert state is not None and state[cypher.WITH_CLAIMS_RUN_KEY] == state["run_id"]
        every = sorted(i for i, n in eb.nodes.items() if n.category not in EVIDENCE_CLASSES)
        assert set(state[cypher.WITH_CLAIMS_KEY]) == emb._about_with_claims(every)
    finally:
        b.close()
    _same_as_a_merge_load(settings, eb)

    # a folder describing another base is refused, and nothing is marked
    other = tmp_path / "other"
    write_bulk_files(load_evidence_base(MINI), other)
    with pytest.raises(BulkImportMismatch, match="import these files into this database first"):
        finish_bulk_import(settings, other)
    b = Neo4jBackend.connect(settings)
    try:
        state = b.load_state()
        assert state is not None and state["status"] == "complete"
        assert state["version"] == files.version  # the shipped base's state is untouched
        assert b.stats() == emb.stats()
    finally:
        b.close()


def test_finish_without_an_export_says_how_to_make_one(tmp_path: Path) -> None:
    from cli.app import app

    res = CliRunner().invoke(app, ["load", "--neo4j", "--finish-bulk", str(tmp_path)])
    assert res.exit_code == 2
    assert "no bulk export here" in res.output and "--neo4j-bulk-files" in res.output


def test_import_needs_a_folder_with_import_args(tmp_path: Path) -> None:
    res = subprocess.run([str(SCRIPT), "import", str(tmp_path)], capture_output=True, text=True,
                         env={**os.environ, "INTERSECTIONS_NEO4J_RUNDIR": str(tmp_path / "run")},
                         check=False)
    assert res.returncode != 0
    assert "import.args" in res.stderr
    assert not (tmp_path / "run").exists()  # nothing stopped, nothing created
