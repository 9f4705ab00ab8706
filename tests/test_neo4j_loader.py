"""The Neo4j loader against a real server: exact round trip, idempotency, removal, ownership,
failure mid-load, validation before writes, clear errors, routing URIs, read timeouts.

Needs NEO4J_URI/NEO4J_USERNAME/NEO4J_PASSWORD (see tests/neo4j_plugin.py); skips loudly without
them, fails under CI=true.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli import neo4jdb
from graph.neo4j import loader as loader_module
from graph.neo4j.backend import (
    IncompleteEvidenceBase,
    Neo4jBackend,
    Neo4jQueryTimeout,
    Neo4jUnavailable,
)
from graph.neo4j.loader import (
    Neo4jLoadInterrupted,
    Neo4jWriter,
    load_neo4j,
    unload_neo4j,
)
from graph.neo4j.settings import Neo4jSettings
from graph.nx_backend import NetworkxBackend
from loaders.errors import ValidationFailed
from loaders.evidence import EvidenceBase
from loaders.records import EdgeRecord, NodeRecord, SourceRef
from loaders.writers.base import write_records
from loaders.writers.networkx_writer import NetworkxWriter
from tests.conftest import MINI, settings_of

pytestmark = pytest.mark.neo4j


# ------------------------------------------------------------------------------ helpers
def dump(driver: Any) -> dict[str, Any]:
    """Everything in the database except the load bookkeeping (which has run ids/times)."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:_LoadState "
        "RETURN coalesce(n.id, elementId(n)) AS key, labels(n) AS labels, properties(n) AS p")
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.text) AS s, type(r) AS t, "
        "coalesce(b.id, b.text) AS o, properties(r) AS p")
    return {
        "nodes": sorted((r["key"], sorted(r["labels"]), sorted(r["p"].items(), key=str))
                        for r in nodes),
        "rels": sorted((r["s"], r["t"], r["o"], sorted(r["p"].items(), key=str)) for r in rels),
    }


def state(driver: Any, dataset: str = "evidence") -> dict[str, Any] | None:
    rows, _, _ = driver.execute_query("MATCH (s:_LoadState {dataset: $d}) RETURN properties(s) "
                                      "AS s", d=dataset)
    return dict(rows[0]["s"]) if rows else None


def without(eb: EvidenceBase, node_id: str) -> EvidenceBase:
    """The evidence base minus one entry and every link touching it."""
    return EvidenceBase(
        nodes={k: v for k, v in eb.nodes.items() if k != node_id},
        edges={k: v for k, v in eb.edges.items() if node_id not in (k[0], k[2])},
        origin=eb.origin)


def load(eb: EvidenceBase, creds: Any, **kw: Any) -> Any:
    return load_neo4j(eb, settings_of(creds), **kw)


class Boom(RuntimeError):
    """Raised by the batch hook to simulate the server failing mid-load."""


def fail_after(n: int):
    seen = {"batches": 0}

    def hook(phase: str, rows: int, total: int) -> None:
        seen["batches"] += 1
        if seen["batches"] > n:
            raise Boom(f"simulated failure after {n} batches ({phase})")
    return hook


# ------------------------------------------------------------------------------ round trip
TRICKY = {
    "nested": {"a": [1, {"b": None, "c": "ü"}], "d": {"e": 2.5}},
    "list_of_dicts": [{"value": 70, "unit": "percent"}, {"value": 1.5}],
    "mixed": [1, "two", 3.0],
    "mixed_numbers": [1, 2.5],
    "ints": [1, 2, 3],
    "floats": [0.5, 1.25],
    "bools": [True, False],
    "empty": [],
    "nothing": None,
    "huge": 2**70,
    "flag": False,
    "zero": 0,
    "text": "Niños — «foster» care\nsecond line",
}


def tricky_records() -> list[NodeRecord | EdgeRecord]:
    return [
        NodeRecord(id="cite:doc", category="Citation", label="A document",
                   properties={"kind": "source_document", "year": 2020}),
        NodeRecord(id="harm:x", category="TraffickingType", label="Ex trafficking",
                   alt_labels=("X", "ex-traffic"), definition=None, properties=TRICKY,
                   sources=(SourceRef(citation="cite:doc", locator="p. 3"),
                            SourceRef(citation="cite:doc"))),
        NodeRecord(id="harm:y", category="Harm", label="Why harm", definition="A harm."),
        EdgeRecord(subject="harm:x", predicate="broader", object="harm:y"),
        EdgeRecord(subject="harm:x", predicate="co_occurs_with", object="harm:y",
                   claims=("claim:nope",), properties={"note": {"k": [1, None]},
                                                       "locator": None}),
    ]


def test_values_round_trip_exactly_as_the_embedded_graph_holds_them(clean_neo4j,
                                                                       neo4j_credentials):
    c = neo4j_credentials
    records = tricky_records()
    write_records(records, Neo4jWriter(settings_of(c)))
    expected = NetworkxBackend(write_records(records, NetworkxWriter()))
    with Neo4jBackend.connect(settings_of(c)) as neo:
        ids = ["harm:x", "harm:y", "cite:doc"]
        assert neo.node_data(ids) == expected.node_data(ids)
        assert neo.node_data(ids)["harm:x"]["huge"] == 2**70
        assert sorted(neo.edges_of(ids)) == sorted(expected.edges_of(ids))
        assert neo.counts() == expected.counts()
        rows, _, _ = clean_neo4j.execute_query("MATCH (n:Entity {id: 'harm:x'}) "
                                               "RETURN labels(n) AS l")
        assert sorted(rows[0]["l"]) == ["Entity", "Harm", "TraffickingType"]


def test_mini_evidence_base_reads_back_identically(clean_neo4j, neo4j_credentials, mini_eb):
    c = neo4j_credentials
    report = load(mini_eb, c)
    assert (report.nodes, report.relationships) == (len(mini_eb.nodes), len(mini_eb.edges))
    nx = NetworkxBackend.from_evidence_base(mini_eb)
    with Neo4jBackend.connect(settings_of(c)) as neo:
        ids = list(mini_eb.nodes)
        assert neo.node_data(ids) == nx.node_data(ids)
        assert sorted(neo.edges_of(ids)) == sorted(nx.edges_of(ids))
        for q in ("trafficking", "a", "care placement", "dmst"):
            assert neo.search(q) == nx.search(q)


# ------------------------------------------------------------------------------ idempotency
def test_loading_twice_leaves_identical_counts_and_properties(clean_neo4j, neo4j_credentials,
                                                              mini_eb):
    first = load(mini_eb, neo4j_credentials)
    before = dump(clean_neo4j)
    second = load(mini_eb, neo4j_credentials)
    assert dump(clean_neo4j) == before
    assert second.version == first.version and second.run_id != first.run_id
    assert (second.removed_nodes, second.removed_relationships) == (0, 0)
    assert state(clean_neo4j)["status"] == "complete"


def test_first_load_creates_and_gives_the_database_a_merge_load_gives(
        clean_neo4j, neo4j_credentials, mini_eb):
    """The bulk first load (CREATE into an empty database) and the batched MERGE path write
    exactly the same nodes, labels, links and properties."""
    created = load(mini_eb, neo4j_credentials)
    assert created.first_load
    by_create = dump(clean_neo4j)
    clean_neo4j.execute_query("MATCH (n) DETACH DELETE n")
    merged = load_neo4j(mini_eb, settings_of(neo4j_credentials), bulk_first_load=False)
    assert not merged.first_load and merged.version == created.version
    assert dump(clean_neo4j) == by_create
    again = load(mini_eb, neo4j_credentials)  # entities present: an incremental MERGE load
    assert not again.first_load and dump(clean_neo4j) == by_create


def test_batch_size_per_row_and_writers_give_the_same_database(clean_neo4j, neo4j_credentials,
                                                                mini_eb):
    load(mini_eb, neo4j_credentials, batch_size=3)
    small = dump(clean_neo4j)
    clean_neo4j.execute_query("MATCH (n) DETACH DELETE n")
    report = load(mini_eb, neo4j_credentials, per_row=True)
    assert report.transactions == len(mini_eb.nodes) + len(mini_eb.edges)
    assert dump(clean_neo4j) == small
    for writers in (2, 3):  # transactions in flight at once (the default is one)
        clean_neo4j.execute_query("MATCH (n) DETACH DELETE n")
        load(mini_eb, neo4j_credentials, batch_size=2, writers=writers,
             bulk_first_load=False)  # MERGE into an empty database: every link is created
        assert dump(clean_neo4j) == small


def test_reload_repairs_a_database_changed_by_hand(clean_neo4j, neo4j_credentials, mini_eb):
    """A reload of the same base writes every node and link again (nothing is skipped on the
    strength of the version alone): properties, labels and links changed by hand come back."""
    load(mini_eb, neo4j_credentials)
    clean = dump(clean_neo4j)
    claim = next(i for i, n in mini_eb.nodes.items() if n.category == "Claim")
    s, p, o = next(k for k in mini_eb.edges if k[1] == "about")
    s2, p2, o2 = next(k for k in mini_eb.edges if k[1] == "broader")
    clean_neo4j.execute_query(
        "MATCH (n:Entity {id: $id}) SET n.label = 'edited', n.extra = 1, n:Harm "
        "REMOVE n.definition", id=claim)
    clean_neo4j.execute_query(
        "MATCH (:Entity {id: $s})-[r:ABOUT]->(:Entity {id: $o}) SET r.basis = 'edited', "
        "r._version = 'old'", s=s, o=o)
    clean_neo4j.execute_query(
        "MATCH (:Entity {id: $s})-[r:BROADER]->(:Entity {id: $o}) DELETE r", s=s2, o=o2)
    assert dump(clean_neo4j) != clean
    report = load(mini_eb, neo4j_credentials)
    assert (report.removed_nodes, report.removed_relationships) == (0, 0)
    assert dump(clean_neo4j) == clean
    assert state(clean_neo4j)["status"] == "complete"


def test_link_values_keep_their_types_through_shared_property_maps(clean_neo4j,
                                                                  neo4j_credentials):
    """Links with equal property maps share one map on the way (``Neo4jRows.write_edge``); 1,
    1.0 and True — equal in Python — must still arrive as an integer, a float and a boolean."""
    c = neo4j_credentials
    ends = [f"harm:t{i}" for i in range(8)]
    values = [1, 1, 1.0, True, 0.0, -0.0, "1", None]
    records: list[NodeRecord | EdgeRecord] = [NodeRecord(id=i, category="Harm", label=i)
                                              for i in ends]
    records += [EdgeRecord(subject=ends[0], predicate="co_occurs_with", object=o,
                           properties={"position": v})
                for o, v in zip(ends[1:], values[1:], strict=True)]
    records.append(EdgeRecord(subject=ends[1], predicate="co_occurs_with", object=ends[2],
                              properties={"position": values[0]}))
    write_records(records, Neo4jWriter(settings_of(c), batch_size=3))
    expected = NetworkxBackend(write_records(records, NetworkxWriter()))
    with Neo4jBackend.connect(settings_of(c)) as neo:
        got = sorted(neo.edges_of(ends))
        assert got == sorted(expected.edges_of(ends))
        by_end = {(e.subject, e.object): e.properties.get("position") for e in got}
    assert [type(by_end[(ends[0], o)]) for o in ends[1:7]] == [int, float, bool, float, float,
                                                               str]
    assert str(by_end[(ends[0], ends[4])]) == "0.0" and str(by_end[(ends[0], ends[5])]) == "-0.0"
    assert by_end[(ends[1], ends[2])] == 1 and type(by_end[(ends[1], ends[2])]) is int


def test_removed_entry_disappears_with_its_links(clean_neo4j, neo4j_credentials, mini_eb):
    load(mini_eb, neo4j_credentials)
    gone = "tactic:economic-abuse"
    touching = [k for k in mini_eb.edges if gone in (k[0], k[2])]
    assert touching
    report = load(without(mini_eb, gone), neo4j_credentials)
    assert (report.removed_nodes, report.removed_relationships) == (1, len(touching))
    rows, _, _ = clean_neo4j.execute_query("MATCH (n {id: $id}) RETURN n", id=gone)
    assert rows == []
    c = neo4j_credentials
    with Neo4jBackend.connect(settings_of(c)) as neo:
        assert neo.stats().nodes == len(mini_eb.nodes) - 1
        assert neo.stats().edges == len(mini_eb.edges) - len(touching)


def test_removed_link_between_kept_entries_disappears(clean_neo4j, neo4j_credentials, mini_eb):
    load(mini_eb, neo4j_credentials)
    key = next(k for k in mini_eb.edges if k[1] == "co_occurs_with")
    smaller = EvidenceBase(nodes=dict(mini_eb.nodes),
                           edges={k: v for k, v in mini_eb.edges.items() if k != key})
    report = load(smaller, neo4j_credentials)
    assert (report.removed_nodes, report.removed_relationships) == (0, 1)
    rows, _, _ = clean_neo4j.execute_query(
        "MATCH (:Entity {id: $s})-[r:CO_OCCURS_WITH]->(:Entity {id: $o}) RETURN r",
        s=key[0], o=key[2])
    assert rows == []


def test_changed_class_replaces_stale_labels(clean_neo4j, neo4j_credentials):
    c = neo4j_credentials
    node = NodeRecord(id="harm:z", category="TraffickingType", label="Zed")
    write_records([node], Neo4jWriter(settings_of(c)))
    write_records([node.model_copy(update={"category": "Harm"})],
                  Neo4jWriter(settings_of(c)))
    rows, _, _ = clean_neo4j.execute_query("MATCH (n {id: 'harm:z'}) RETURN labels(n) AS l, "
                                           "n.category AS c")
    assert sorted(rows[0]["l"]) == ["Entity", "Harm"] and rows[0]["c"] == "Harm"


# ------------------------------------------------------------------------------ ownership
def test_users_own_data_is_never_touched(clean_neo4j, neo4j_credentials, mini_eb):
    clean_neo4j.execute_query("CREATE (:UserNote {text: 'our coalition notes', n: 1})")
    load(mini_eb, neo4j_credentials)
    clean_neo4j.execute_query(
        "MATCH (u:UserNote), (e:Entity {id: 'harm:intimate-partner-violence'}) "
        "CREATE (u)-[:MENTIONS {why: 'training'}]->(e)")
    load(without(mini_eb, "tactic:economic-abuse"), neo4j_credentials)
    rows, _, _ = clean_neo4j.execute_query(
        "MATCH (u:UserNote)-[m:MENTIONS]->(e:Entity) RETURN u.text AS t, u.n AS n, m.why AS w, "
        "e.id AS e")
    assert [dict(r) for r in rows] == [{"t": "our coalition notes", "n": 1, "w": "training",
                                        "e": "harm:intimate-partner-violence"}]
    c = neo4j_credentials
    assert unload_neo4j(settings_of(c)) == len(mini_eb.nodes) - 1
    rows, _, _ = clean_neo4j.execute_query("MATCH (n) RETURN labels(n) AS l")
    assert [r["l"] for r in rows] == [["UserNote"]]


# ------------------------------------------------------------------------------ atomicity
def test_failure_mid_load_is_visible_and_a_rerun_converges(clean_neo4j, neo4j_credentials,
                                                           mini_eb):
    c = neo4j_credentials
    smaller = without(mini_eb, "tactic:economic-abuse")
    load(smaller, c)
    clean_state = dump(clean_neo4j)
    clean_neo4j.execute_query("MATCH (n) DETACH DELETE n")

    load(mini_eb, c)  # an older version is in the database…
    with pytest.raises(Boom):  # …and the new load dies after 3 transactions
        load(smaller, c, batch_size=4, on_batch=fail_after(3))
    st = state(clean_neo4j)
    assert st["status"] == "loading"
    with pytest.raises(IncompleteEvidenceBase, match="incomplete.*re-run"):
        Neo4jBackend.connect(settings_of(c))
    with pytest.warns(UserWarning, match="incomplete"):
        Neo4jBackend.connect(settings_of(c), require_complete=False).close()
    result = CliRunner().invoke(_cli_app(), ["neo4j-status", "--uri", c.uri, "--username",
                                             c.username, "--password", c.password])
    assert result.exit_code == 1 and "incomplete" in result.output

    report = load(smaller, c)
    assert report.removed_nodes == 1
    assert dump(clean_neo4j) == clean_state
    assert state(clean_neo4j)["status"] == "complete"
    Neo4jBackend.connect(settings_of(c)).close()


def test_a_failed_transaction_among_concurrent_ones_stops_the_load_visibly(
        clean_neo4j, neo4j_credentials, mini_eb, monkeypatch):
    """A server error in one write transaction while another is in flight: the load stops
    with the phase it was in, nothing is left running, the dataset stays ``loading``, and a
    re-run converges."""
    c = neo4j_credentials
    load(mini_eb, c)
    clean = dump(clean_neo4j)
    real = loader_module.cypher.merge_edges

    def failing(predicate: str, rows: Any, **kw: Any) -> Any:
        if predicate == "stated_in":
            return "UNWIND $rows AS row RETURN count(1 / 0) AS written", {"rows": list(rows)}
        return real(predicate, rows, **kw)

    monkeypatch.setattr(loader_module.cypher, "merge_edges", failing)
    with pytest.raises(Neo4jLoadInterrupted, match="load stopped at links stated_in"):
        load(mini_eb, c, batch_size=2, writers=2)
    assert state(clean_neo4j)["status"] == "loading"
    monkeypatch.setattr(loader_module.cypher, "merge_edges", real)
    load(mini_eb, c, batch_size=2)
    assert dump(clean_neo4j) == clean and state(clean_neo4j)["status"] == "complete"


def test_a_link_whose_end_vanished_mid_load_stops_the_load(clean_neo4j, neo4j_credentials,
                                                           mini_eb):
    c = neo4j_credentials
    load(mini_eb, c)
    gone = next(k[2] for k in mini_eb.edges if k[1] == "about")

    written = {"nodes": 0}

    def delete_end_after_the_nodes(phase: str, rows: int, total: int) -> None:
        if phase.startswith("nodes"):
            written["nodes"] += rows
            if written["nodes"] == len(mini_eb.nodes):  # all nodes in, no link yet
                clean_neo4j.execute_query("MATCH (n:Entity {id: $id}) DETACH DELETE n", id=gone)

    with pytest.raises(Neo4jLoadInterrupted, match="about links lost an end node"):
        load(mini_eb, c, batch_size=50, on_batch=delete_end_after_the_nodes, writers=2)
    assert state(clean_neo4j)["status"] == "loading"


def test_invalid_records_write_nothing(clean_neo4j, neo4j_credentials):
    c = neo4j_credentials
    bad = [
        NodeRecord(id="harm:a", category="Harm", label="A", properties={"_version": "x"}),
        NodeRecord(id="harm:b", category="NoSuchClass", label="B"),
        NodeRecord(id="harm:c", category="Harm", label="C"),
        EdgeRecord(subject="harm:c", predicate="broader", object="harm:missing"),
        EdgeRecord(subject="harm:c", predicate="DROP_ALL", object="harm:c"),
    ]
    with pytest.raises(ValidationFailed) as info:
        write_records(bad, Neo4jWriter(settings_of(c)))
    text = str(info.value)
    for rule in ("neo4j-property", "neo4j-unknown-class", "unknown-reference",
                 "neo4j-unknown-relation"):
        assert rule in text
    rows, _, _ = clean_neo4j.execute_query("MATCH (n) RETURN count(n) AS n")
    assert rows[0]["n"] == 0


def test_empty_database_is_refused_with_a_hint(clean_neo4j, neo4j_credentials):
    c = neo4j_credentials
    with pytest.raises(IncompleteEvidenceBase, match="no evidence base.*load --neo4j"):
        Neo4jBackend.connect(settings_of(c))


# ------------------------------------------------------------------------------ connections
def test_routing_uri_works_against_a_single_server(clean_neo4j, neo4j_credentials, mini_eb):
    c = neo4j_credentials
    routed = c.uri.replace("bolt://", "neo4j://", 1)
    assert routed.startswith("neo4j://")
    load_neo4j(mini_eb, settings_of(c, uri=routed))
    with Neo4jBackend.connect(settings_of(c, uri=routed)) as neo:
        assert neo.search("foster care")[0].node.id == "risk:foster-care-placement"
        assert neo.stats().nodes == len(mini_eb.nodes)


def test_reads_are_cut_off_by_the_timeout(clean_neo4j, neo4j_credentials, mini_eb):
    import time

    c = neo4j_credentials
    load(mini_eb, c)
    with Neo4jBackend.connect(settings_of(c, timeout=0.5)) as neo:
        t0 = time.perf_counter()
        with pytest.raises(Neo4jQueryTimeout, match="time limit"):
            neo._read(("UNWIND range(1, 1000000000) AS i WITH i WHERE i < 0 "
                       "RETURN count(i) AS n", {}))
        assert time.perf_counter() - t0 < 10
        assert neo.stats().nodes == len(mini_eb.nodes)  # normal reads still fine


def test_every_read_runs_in_a_read_transaction_with_the_timeout() -> None:
    """Unit check with a recording driver: execute_read, READ access, timeout attached."""
    seen: dict[str, Any] = {}

    class Tx:
        def run(self, query: str, params: dict) -> list:
            seen["query"] = query
            return []

    class Session:
        def __enter__(self) -> Session:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def execute_read(self, work: Any) -> Any:
            seen["timeout"] = work.timeout
            return work(Tx())

        def execute_write(self, work: Any) -> Any:  # pragma: no cover - must not happen
            raise AssertionError("reads must not use write transactions")

    class Driver:
        def session(self, **kw: Any) -> Session:
            seen["session"] = kw
            return Session()

    b = Neo4jBackend(Driver(), Neo4jSettings(timeout=7.5))  # type: ignore[arg-type]
    assert b.ids_of(frozenset({"Harm"})) == []
    assert seen["timeout"] == 7.5
    assert seen["session"]["default_access_mode"] == "READ"
    assert "MATCH" in seen["query"] and "$categories" in seen["query"]


def _cli_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(neo4jdb.app)
    return app


@pytest.mark.parametrize(("uri_of", "password_of", "expect"), [
    (lambda c: c.uri, lambda c: c.password + "-wrong", "wrong username or password"),
    (lambda c: "bolt://127.0.0.1:1", lambda c: c.password, "cannot reach Neo4j"),
    (lambda c: "neo4j://127.0.0.1:1", lambda c: c.password, "cannot reach Neo4j"),
    (lambda c: c.uri.replace("bolt://", "http://"), lambda c: c.password, "HTTP"),
    (lambda c: "127.0.0.1:7687", lambda c: c.password, "no supported scheme"),
])
def test_connection_errors_are_one_clear_line(neo4j_credentials, uri_of, password_of,
                                              expect) -> None:
    c = neo4j_credentials
    secret = password_of(c)
    result = CliRunner().invoke(_cli_app(), [
        "load", "--neo4j", "--evidence", str(MINI), "--uri", uri_of(c), "--username",
        c.username, "--password", secret])
    out = result.output.strip()
    assert result.exit_code == 4, out
    assert expect in out
    assert "Traceback" not in out and secret not in out
    assert out.count("error:") == 1 and " ".join(out.split()).startswith("error:")


def test_wrong_database_name_is_explained(neo4j_credentials) -> None:
    c = neo4j_credentials
    with pytest.raises(Neo4jUnavailable, match="no database 'nope'.*NEO4J_DATABASE"):
        Neo4jBackend.connect(settings_of(c, database="nope"))


def test_cli_load_and_status_report_what_happened(clean_neo4j, neo4j_credentials,
                                                  mini_eb) -> None:
    import json

    c = neo4j_credentials
    env = {"NEO4J_URI": c.uri, "NEO4J_USERNAME": c.username, "NEO4J_PASSWORD": c.password}
    runner = CliRunner()
    result = runner.invoke(_cli_app(), ["load", "--neo4j", "--evidence", str(MINI), "--json"],
                           env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["nodes"] == len(mini_eb.nodes) and report["mode"] == "batched"
    assert c.password not in result.output
    result = runner.invoke(_cli_app(), ["neo4j-status", "--json"], env=env)
    assert result.exit_code == 0, result.output
    st = json.loads(result.stdout)
    assert st["datasets"][0]["status"] == "complete"
    assert st["datasets"][0]["stored_nodes"] == len(mini_eb.nodes)
    assert st["entities"] == len(mini_eb.nodes) and st["unowned_nodes"] == 0
    assert runner.invoke(_cli_app(), ["load"], env=env).exit_code == 2
    assert runner.invoke(_cli_app(), ["neo4j-unload"], env=env).exit_code == 2
    result = runner.invoke(_cli_app(), ["neo4j-unload", "--yes"], env=env)
    assert result.exit_code == 0 and f"removed {len(mini_eb.nodes)}" in result.output


def test_invalid_evidence_is_reported_before_connecting(tmp_path) -> None:
    bad = tmp_path / "evidence.yaml"
    bad.write_text("harms:\n  - id: harm:x\n    labl: typo\n", encoding="utf-8")
    result = CliRunner().invoke(_cli_app(), [
        "load", "--neo4j", "--evidence", str(tmp_path), "--uri", "bolt://127.0.0.1:1",
        "--password", "x"])
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output and "cannot reach" not in result.output


def test_query_timeout_comes_from_the_environment(clean_neo4j, neo4j_credentials, mini_eb,
                                                  monkeypatch) -> None:
    c = neo4j_credentials
    load(mini_eb, c)
    monkeypatch.setenv("NEO4J_URI", c.uri)
    monkeypatch.setenv("NEO4J_USERNAME", c.username)
    monkeypatch.setenv("NEO4J_PASSWORD", c.password)
    monkeypatch.setenv("NEO4J_QUERY_TIMEOUT", "2.5")
    with Neo4jBackend.connect() as neo:
        assert neo.timeout == 2.5
    monkeypatch.setenv("NEO4J_QUERY_TIMEOUT", "soon")
    with pytest.raises(Neo4jUnavailable, match="NEO4J_QUERY_TIMEOUT"):
        Neo4jBackend.connect()
