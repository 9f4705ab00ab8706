"""The pre-forked SPARQL workers (graph/sparql_pool.py): reuse, replacement, limits, lifecycle.

Every test uses its own slot directory, so queries other people run on the machine (they share
the default one) cannot take our slots.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph.sparql import (
    QueryBusy,
    QueryRefused,
    QueryTimeout,
    SparqlEngine,
    fork_available,
)
from loaders.evidence import load_evidence_base

pytestmark = pytest.mark.skipif(not fork_available(), reason="worker pool needs fork (Linux)")

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = "ASK { ?s ?p ?o }"
# ~30^6 strings, each ~130 bytes, sorted: far beyond 64 MB
_VALUES = " ".join(f"VALUES ?v{i} {{ {' '.join(str(j) for j in range(30))} }}" for i in range(6))
BOMB = ("SELECT ?a WHERE { " + _VALUES + " BIND(CONCAT(STR(?v0), STR(?v1), STR(?v2), STR(?v3), "
        "STR(?v4), STR(?v5), '" + "x" * 120 + "') AS ?a) } ORDER BY ?a LIMIT 1")


@pytest.fixture(autouse=True)
def own_slots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    slots = tmp_path / "slots"
    monkeypatch.setenv("INTERSECTIONS_SPARQL_SLOTS", str(slots))
    return slots


def alive(pid: int) -> bool:
    """Running (a reaped or zombie process does not count)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(cond: Callable[[], bool], cap: float = 60.0) -> bool:
    """Poll until ``cond()`` (a liveness cap, not a timing assertion)."""
    end = time.monotonic() + cap
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def slots_taken(slots: Path, n: int) -> bool:
    """True when all ``n`` slot files are locked by someone (flock from a new descriptor)."""
    taken = 0
    for i in range(n):
        path = slots / f"slot-{i}.lock"
        if not path.exists():
            return False
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            taken += 1
        finally:
            os.close(fd)  # releases it if we got it
    return taken == n


def test_the_same_worker_answers_successive_queries(mini_eb) -> None:
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    assert eng.worker_pids() == []  # nothing forked before the first query
    assert eng.query(ASK).boolean is True
    first = eng.last_worker
    assert first is not None and first != os.getpid() and alive(first)
    r = eng.query("SELECT ?s WHERE { ?s a ?c } LIMIT 3")
    assert len(r.rows) == 3
    assert eng.last_worker == first
    assert eng.worker_pids() == [first]


def test_a_timed_out_query_kills_only_its_worker(mini_eb, monkeypatch, own_slots) -> None:
    monkeypatch.setenv("INTERSECTIONS_SPARQL_CHILDREN", "2")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            eng.query(SLOW, timeout=3)
        except BaseException as exc:  # noqa: BLE001 - checked below
            errors.append(exc)

    t = threading.Thread(target=slow)
    t.start()
    # while the slow query holds one worker, another query gets (and keeps) a second one
    assert wait_until(lambda: len(eng.worker_pids()) == 1)
    assert eng.query(ASK).boolean is True
    other = eng.last_worker
    assert other is not None
    assert wait_until(lambda: len(eng.worker_pids()) == 2)
    (stuck,) = set(eng.worker_pids()) - {other}
    t.join()
    assert len(errors) == 1 and isinstance(errors[0], QueryTimeout)
    assert "time limit of 3 s" in str(errors[0])  # the same message as before the pool
    assert not alive(stuck)
    assert alive(other) and other in eng.worker_pids()  # the other worker was left alone
    assert len(eng.worker_pids()) == 2  # the killed one was replaced at once
    assert eng.query(ASK).boolean is True


def test_a_timed_out_query_is_replaced_and_the_next_query_succeeds(mini_eb) -> None:
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    eng.query(ASK)
    before = eng.last_worker
    with pytest.raises(QueryTimeout, match="time limit of 0.5 s"):
        eng.query(SLOW, timeout=0.5)
    assert before is not None and not alive(before)
    (replacement,) = eng.worker_pids()
    assert replacement != before and alive(replacement)
    assert eng.query("SELECT ?s WHERE { ?s a ?c } LIMIT 1").rows
    assert eng.last_worker == replacement


def test_a_memory_bomb_is_refused_and_the_pool_recovers(mini_eb, monkeypatch) -> None:
    monkeypatch.setenv("INTERSECTIONS_SPARQL_MEMORY_MB", "64")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    eng.query(ASK)
    before = eng.last_worker
    with pytest.raises(QueryRefused, match="memory limit \\(64 MB\\)"):
        eng.query(BOMB, timeout=60)
    assert before is not None and not alive(before)
    assert eng.query(ASK).boolean is True
    after = eng.last_worker
    assert after != before and alive(after) and eng.worker_pids() == [after]
    assert eng.query(ASK).boolean is True and eng.last_worker == after  # reused again


def test_queries_beyond_the_slot_limit_get_busy(mini_eb, monkeypatch, own_slots) -> None:
    monkeypatch.setenv("INTERSECTIONS_SPARQL_CHILDREN", "2")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    outcomes: list[BaseException | None] = []

    def slow() -> None:
        try:
            eng.query(SLOW, timeout=3)
            outcomes.append(None)
        except BaseException as exc:  # noqa: BLE001 - checked below
            outcomes.append(exc)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for t in threads:
        t.start()
    assert wait_until(lambda: slots_taken(own_slots, 2))
    with pytest.raises(QueryBusy, match="busy: all 2 query slots are in use"):
        eng.query(ASK, timeout=0.2)
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and all(isinstance(o, QueryTimeout) for o in outcomes)
    assert len(eng.worker_pids()) == 2  # never more workers than slots
    assert eng.query(ASK).boolean is True  # the slots are free again


def _term(t: Any) -> tuple[str, str, str | None, str | None] | None:
    """pyoxigraph term → comparable tuple, written here independently of graph.sparql."""
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return ("iri", t.value, None, None)
    if isinstance(t, ox.BlankNode):
        return ("bnode", t.value, None, None)
    return ("literal", t.value, t.datatype.value if t.datatype else None, t.language)


SHIPPED_QUERIES = [
    "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
    "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l } ORDER BY ?s ?l",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) } ORDER BY ?s ?p ?o LIMIT 400",
    "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isBlank(?o)) } ORDER BY ?s LIMIT 200",
    "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s a int:Harm ; skos:prefLabel ?l }",
]


def test_results_match_pyoxigraph_on_the_shipped_base() -> None:
    eb = load_evidence_base(None)
    eng = SparqlEngine.from_evidence_base(eb, isolate=True)
    inproc = SparqlEngine(eng.store, eng.labels, isolate=False)  # same store, same blank ids
    prefixes = {"skos": "http://www.w3.org/2004/02/skos/core#",
                "int": "https://w3id.org/intersections/ontology#"}
    for q in SHIPPED_QUERIES:
        pooled = eng.query(q, limit=10_000)
        assert eng.last_worker is not None and eng.last_worker != os.getpid()
        raw = eng.store.query(q, prefixes=prefixes)
        if isinstance(raw, ox.QuerySolutions):
            names = [v.value for v in raw.variables]
            expected = [[_term(sol[n]) for n in names] for sol in raw]
            got = [[(None if row[n] is None else
                     (row[n].kind, row[n].value, row[n].datatype, row[n].lang))
                    for n in names] for row in pooled.terms]
        else:
            expected = sorted([_term(t.subject), _term(t.predicate), _term(t.object)]
                              for t in raw)
            got = sorted([(t.kind, t.value, t.datatype, t.lang)
                          for t in (row["subject"], row["predicate"], row["object"])
                          if t is not None] for row in pooled.terms)
        assert expected, q  # each query has answers on the shipped base
        assert got == expected, q
        assert pooled.rows == inproc.query(q, limit=10_000).rows, q
    assert eng.query("ASK { ?s a int:Harm }").boolean is True
    assert eng.query("ASK { ?s a int:NoSuchClass }").boolean is False


_LIFECYCLE = r"""
import json, os, sys, gc
from loaders.evidence import load_evidence_base
from graph.sparql import SparqlEngine
eng = SparqlEngine.from_evidence_base(load_evidence_base(sys.argv[1]), isolate=True)
eng.query("ASK { ?s ?p ?o }")
out = {"parent_worker": eng.last_worker}
r, w = os.pipe()
pid = os.fork()  # what gunicorn does after an app (with a pool) was imported
if pid == 0:
    os.close(r)
    eng.query("ASK { ?s ?p ?o }")
    os.write(w, json.dumps({"child_worker": eng.last_worker,
                            "child_pids": eng.worker_pids()}).encode())
    os.close(w)
    sys.exit(0)  # a normal exit: atexit stops the child's own workers only
os.close(w)
out.update(json.loads(os.read(r, 65536)))
os.waitpid(pid, 0)
eng.query("ASK { ?s ?p ?o }")
out["parent_again"] = eng.last_worker
other = SparqlEngine.from_evidence_base(load_evidence_base(sys.argv[1]), isolate=True)
other.query("ASK { ?s ?p ?o }")
out["collected_worker"] = other.last_worker
del other
gc.collect()
try:
    with open(f"/proc/{out['collected_worker']}/stat") as fh:
        out["collected_running"] = fh.read().rsplit(")", 1)[1].split()[0] != "Z"
except OSError:
    out["collected_running"] = False
print(json.dumps(out), flush=True)
if sys.argv[2] == "kill":
    sys.stdin.read()  # the test SIGKILLs us here
"""


def _lifecycle(how: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    from tests.conftest import MINI

    proc = subprocess.Popen([sys.executable, "-c", _LIFECYCLE, str(MINI), how],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parent.parent)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def test_workers_follow_forks_and_stop_with_their_process() -> None:
    proc, out = _lifecycle("exit")
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    # a forked copy (a gunicorn worker) gets its own worker and leaves the parent's alone
    assert out["child_worker"] != out["parent_worker"]
    assert out["child_pids"] == [out["child_worker"]]
    assert out["parent_again"] == out["parent_worker"]
    assert not alive(out["child_worker"])  # stopped when the forked copy exited
    assert out["collected_running"] is False  # an engine's workers stop when it is collected
    assert not alive(out["parent_worker"])  # a normal exit stopped (and reaped) them: atexit


def test_workers_exit_when_their_parent_is_killed() -> None:
    proc, out = _lifecycle("kill")
    worker = out["parent_worker"]
    assert alive(worker)
    proc.kill()
    proc.wait()
    assert wait_until(lambda: not alive(worker))  # they notice EOF / re-parenting


def test_the_overhead_benchmark_measures_the_pool() -> None:
    """benchmarks.coldstart.sparql_overhead (the issue-17 SPARQL row) runs on the pool."""
    from benchmarks.coldstart import sparql_overhead
    from tests.conftest import MINI

    res = sparql_overhead(str(MINI), runs=1)
    assert res["isolated"] is True and res["triples"] > 100
    assert res["workers"] == 1  # all 11 queries of the run answered by one pooled worker
    assert "load average" in res["uptime_before"]


def _children(pid: int) -> set[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return {int(x) for x in fh.read().split()}
    except OSError:
        return set()


def test_the_pool_under_gunicorn_forks_in_the_workers_and_stops_with_them() -> None:
    """``gunicorn --preload explorer.wsgi:server``: the app is built in the master before it
    forks; the query workers must be forked by the gunicorn workers (on their first query),
    reused by the next queries, and stopped when gunicorn stops."""
    import signal
    import urllib.parse
    import urllib.request

    from benchmarks.loadtest import start_gunicorn, stop
    from tests.conftest import MINI

    proc, base = start_gunicorn(2, str(MINI))
    try:
        url = base + "/sparql?" + urllib.parse.urlencode(
            {"query": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"})

        def batch() -> set[int]:
            for _ in range(6):
                req = urllib.request.Request(url, headers={
                    "Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(req, timeout=120) as resp:
                    assert resp.status == 200
                    assert json.loads(resp.read())["results"]["bindings"]
            return {c for w in _children(proc.pid) for c in _children(w)}

        assert wait_until(lambda: len(_children(proc.pid)) == 2)
        gunicorn_workers = _children(proc.pid)
        first = batch()
        assert first  # the queries ran in pooled workers, children of the gunicorn workers
        assert _children(proc.pid) == gunicorn_workers  # the master forked no query worker
        assert all(len(_children(w)) <= 1 for w in gunicorn_workers)  # sync: one at a time
        second = batch()  # (gunicorn may send these to the worker that has no pool yet)
        assert first <= second and all(alive(p) for p in first)  # kept, not forked per query
        assert all(len(_children(w)) <= 1 for w in gunicorn_workers)
        first = second
        os.kill(proc.pid, signal.SIGTERM)  # the master alone: its workers exit normally
        proc.wait(timeout=60)
        assert wait_until(lambda: not any(alive(p) for p in first))
    finally:
        stop(proc)


_OUTER_LIMIT = r"""
import resource, sys
from loaders.evidence import load_evidence_base
from graph.sparql import SparqlEngine
from graph.sparql_pool import _mapped_bytes
eng = SparqlEngine.from_evidence_base(load_evidence_base(sys.argv[1]), isolate=True)
cap = _mapped_bytes() + 300 * 1024 * 1024  # below what + 512 MB for the worker would ask
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
print(eng.query("ASK { ?s ?p ?o }").boolean, eng.last_worker is not None)
"""


def test_a_worker_under_an_outer_memory_limit_still_answers() -> None:
    """A container or ``ulimit -v`` hard limit below map + budget: the worker takes the lower
    one instead of failing to set its own."""
    from tests.conftest import MINI

    out = subprocess.run([sys.executable, "-c", _OUTER_LIMIT, str(MINI)], capture_output=True,
                         text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "True"]


def test_a_worker_whose_heap_grew_retires_after_answering(mini_eb, monkeypatch) -> None:
    """A worker whose mapped memory grew by over a quarter of its budget answers, then exits and
    is replaced, so the next query starts with (nearly) its whole budget."""
    import graph.sparql_pool as pool

    monkeypatch.setenv("INTERSECTIONS_SPARQL_MEMORY_MB", "512")
    monkeypatch.setattr(pool, "RETIRE_GROWTH", 0.01)  # 5 MB (workers read it at the fork)
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    eng.query(ASK)
    before = eng.last_worker
    doublings = " ".join(f"BIND(CONCAT(?b{i}, ?b{i}) AS ?b{i + 1})" for i in range(10))
    big = ("SELECT ?b10 WHERE { VALUES ?x { " + " ".join(map(str, range(100))) + " } "
           "VALUES ?y { " + " ".join(map(str, range(100))) + " } "
           "BIND(CONCAT(STR(?x), '-', STR(?y)) AS ?b0) " + doublings + " }")
    r = eng.query(big, limit=10_000, timeout=60)  # 10,000 rows of 1 KB+: ~10 MB > 5 MB
    assert len(r.rows) == 10_000 and len(r.rows[0]["b10"]) >= 1024
    assert eng.last_worker == before  # it answered...
    assert before is not None and not alive(before)  # ...then retired
    (fresh,) = eng.worker_pids()
    assert fresh != before and eng.query(ASK).boolean is True and eng.last_worker == fresh


def test_an_answer_too_big_for_the_memory_limit_is_refused_clearly(mini_eb, monkeypatch) -> None:
    """10,000 rows of 1 KB fit a 128 MB worker as results but not with their pickled copy for
    the pipe: the caller gets the memory message (not 'ended unexpectedly'), the pool recovers."""
    monkeypatch.setenv("INTERSECTIONS_SPARQL_MEMORY_MB", "128")
    eng = SparqlEngine.from_evidence_base(mini_eb, isolate=True)
    doublings = " ".join(f"BIND(CONCAT(?b{i}, ?b{i}) AS ?b{i + 1})" for i in range(10))
    big = ("SELECT ?b10 WHERE { VALUES ?x { " + " ".join(map(str, range(100))) + " } "
           "VALUES ?y { " + " ".join(map(str, range(100))) + " } "
           "BIND(CONCAT(STR(?x), '-', STR(?y)) AS ?b0) " + doublings + " }")
    with pytest.raises(QueryRefused, match="memory limit \\(128 MB\\)"):
        eng.query(big, limit=10_000, timeout=60)
    assert eng.query(ASK).boolean is True
