"""The compact embedded graph (graph/nx_build.py, issue 17 item 3).

Links share one read-only data dict per distinct value, so: the graph must be exactly the graph
plain networkx builds from the same records (``add_node`` / ``add_edge``), the graph from the base
cache must be exactly the graph from a full load, every query must answer the same, and no write
through one link may ever show up on another (every write must fail).
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.nx_backend import NetworkxBackend
from graph.nx_build import ReadOnlyDict, props_key
from loaders import basecache
from loaders.evidence import EvidenceBase, load_evidence_base
from loaders.writers.base import write_records
from loaders.writers.networkx_writer import NetworkxWriter

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(basecache.ENV_DIR, str(folder))
    monkeypatch.delenv(basecache.ENV_OFF, raising=False)
    return folder


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.generator import generate

    out = tmp_path_factory.mktemp("gen") / "base-1k"
    generate(out, 1_000, seed=11)
    return out


def _plain_networkx(eb: EvidenceBase) -> nx.MultiDiGraph:
    """The reference: what networkx's own add_node / add_edge build from the records."""
    return write_records(eb.records(), NetworkxWriter())


def _edges(g: nx.MultiDiGraph, *, incoming: bool = False) -> list[tuple[Any, ...]]:
    """Links with their data; claims as tuples (the reference writer stores lists)."""
    view = g.in_edges if incoming else g.edges
    return [(u, v, k, {**d, "claims": tuple(d["claims"])})
            for u, v, k, d in view(keys=True, data=True)]


def _same_graph(got: nx.MultiDiGraph, expected: nx.MultiDiGraph) -> None:
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))  # order too
    assert _edges(got) == _edges(expected)
    assert _edges(got, incoming=True) == _edges(expected, incoming=True)
    assert got.number_of_edges() == expected.number_of_edges()
    for d in (d for *_, d in got.edges(keys=True, data=True)):
        assert type(d["claims"]) is tuple


@pytest.mark.parametrize("which", ["mini", "shipped", "generated-1k"])
def test_the_graph_is_what_plain_networkx_builds_and_the_cache_gives_it_back(
        which: str, cache: Path, generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"mini": MINI, "shipped": None, "generated-1k": generated}[which]
    eb = load_evidence_base(base)  # full load (fills the cache)
    reference = _plain_networkx(eb)
    full = NetworkxBackend.from_evidence_base(eb)
    _same_graph(full.graph, reference)

    import loaders.evidence as ev

    monkeypatch.setattr(ev.EvidenceBaseSource, "_parse_all",
                        lambda self: pytest.fail("parsed despite the cache"))
    cached = NetworkxBackend.load(base)  # from the cache's columns
    _same_graph(cached.graph, reference)
    assert cached._texts == full._texts
    assert {k: sorted(v) for k, v in cached._postings.items()} == \
        {k: sorted(v) for k, v in full._postings.items()}


@pytest.mark.parametrize("which", ["mini", "shipped", "generated-1k"])
def test_a_first_open_builds_from_the_columns_it_writes(
        which: str, cache: Path, generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first open (empty cache) writes the cache and builds its graph from the same columns
    (basecache.put_columns): the graph plain networkx builds from the records, the records it
    wrote are the full load's, and the next open reads them without parsing."""
    base = {"mini": MINI, "shipped": None, "generated-1k": generated}[which]
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache.parent / "xdg"))  # no SHACL marker either
    eb = load_evidence_base(base, use_cache=False)
    reference = _plain_networkx(eb)
    first = NetworkxBackend.load(base)
    _same_graph(first.graph, reference)
    files = list(cache.glob("*.arrow"))
    assert len(files) == 1
    assert basecache.decode(files[0].read_bytes()).edges == eb.edges
    assert first.derived.path is not None  # gap matrices persist next to this version

    import loaders.evidence as ev

    monkeypatch.setattr(ev.EvidenceBaseSource, "_parse_all",
                        lambda self: pytest.fail("parsed despite the cache"))
    again = NetworkxBackend.load(base)
    _same_graph(again.graph, first.graph)
    assert again._texts == first._texts


def test_a_first_open_that_cannot_write_the_cache_still_builds_the_graph(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
        ) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv(basecache.ENV_DIR, str(blocked))
    monkeypatch.delenv(basecache.ENV_OFF, raising=False)
    with caplog.at_level("WARNING", logger="intersections.cache"):
        got = NetworkxBackend.load(MINI)
    _same_graph(got.graph, _plain_networkx(load_evidence_base(MINI, use_cache=False)))
    assert "could not write the evidence-base cache" in caplog.text


def test_links_share_read_only_data(cache: Path, generated: Path) -> None:
    g = NetworkxBackend.load(generated).graph
    datas = [d for *_, d in g.edges(keys=True, data=True)]
    assert all(type(d) is ReadOnlyDict for d in datas)
    assert len({id(d) for d in datas}) < len(datas) / 10  # shared, not one per link
    keyed = [kd for nbrs in g._succ.values() for kd in nbrs.values()]
    assert all(type(kd) is ReadOnlyDict for kd in keyed)
    # both ends are the node's own id object (no second copy of every id per link)
    node_ids = {id(n) for n in g}
    assert all(id(o) in node_ids for nbrs in g._succ.values() for o in nbrs)
    assert all(id(s) in node_ids for nbrs in g._pred.values() for s in nbrs)


def test_a_write_to_shared_link_data_fails_and_leaks_nowhere(cache: Path,
                                                            generated: Path) -> None:
    b = NetworkxBackend.load(generated)
    g = b.graph
    before = json.dumps(_edges(g), default=list)
    u, v, k, d = next((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
                      if d["predicate"] == "about")
    sharing = sum(1 for *_, x in g.edges(keys=True, data=True) if x is d)
    seen_before = b.edges_of(list(g)[:200])
    assert sharing > 1  # the dict really is shared (a leak would show on other links)
    attempts = [
        lambda: d.__setitem__("basis", "inferred"),
        lambda: d.update(basis="inferred"),
        lambda: d.setdefault("x", 1),
        lambda: d.pop("claims"),
        lambda: d.popitem(),
        lambda: d.clear(),
        lambda: d.__delitem__("predicate"),
        lambda: d.__ior__({"x": 1}),
        lambda: g.edges[u, v, k].__setitem__("x", 1),
        lambda: nx.set_edge_attributes(g, "inferred", "basis"),
        lambda: g.add_edge(u, v, key=k, basis="inferred"),  # networkx updates the data dict
        lambda: g.add_edge(u, v, key="extra"),  # ... or the shared {key: data} dict
        lambda: g.remove_edge(u, v, key=k),
    ]
    for attempt in attempts:
        with pytest.raises(TypeError, match="read-only"):
            attempt()
    with pytest.raises(AttributeError):
        d["claims"].append("claim:x")  # type: ignore[attr-defined]  # a tuple
    assert json.dumps(_edges(g), default=list) == before
    assert b.edges_of(list(g)[:200]) == seen_before  # and what callers get, too


def test_read_only_dicts_read_copy_pickle_and_serialise_like_dicts() -> None:
    d = ReadOnlyDict({"predicate": "about", "claims": ("claim:a",), "basis": "stated"})
    assert d == {"predicate": "about", "claims": ("claim:a",), "basis": "stated"}
    assert json.loads(json.dumps(d)) == {"predicate": "about", "claims": ["claim:a"],
                                         "basis": "stated"}
    writable = d.copy()
    writable["basis"] = "inferred"  # a plain dict: the shared one is untouched
    assert type(writable) is dict and d["basis"] == "stated"
    assert type(d | {"x": 1}) is dict
    for clone in (pickle.loads(pickle.dumps(d)), copy.deepcopy(d), copy.copy(d)):
        assert clone == d and type(clone) is ReadOnlyDict
        with pytest.raises(TypeError):
            clone["x"] = 1


def test_property_keys_tell_types_apart() -> None:
    """1, 1.0 and True are equal in Python; links with them must not share data."""
    keys = {props_key({"n": 1}), props_key({"n": 1.0}), props_key({"n": True}),
            props_key({"n": "1"}), props_key({"n": [1]}), props_key({"n": [True]}),
            props_key({"n": [1.0]})}
    assert len(keys) == 7
    assert props_key({"n": (1,)}) != props_key({"n": (True,)})  # inside a container too
    assert props_key({"a": 1, "b": [1]}) == props_key({"a": 1, "b": [1]})


def test_a_link_to_a_missing_node_row_is_a_damaged_cache(cache: Path, base_copy: Path,
                                                          caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    import logging

    import pyarrow as pa

    full = load_evidence_base(base_copy)
    (path,) = sorted(cache.glob("*.arrow"))
    nt, et = basecache._tables(full)
    bad = et.set_column(et.schema.get_field_index("object"), "object",
                        pa.array([len(full.nodes) + 5] * et.num_rows, pa.int32()))
    a, b = basecache._ipc(nt), basecache._ipc(bad)
    meta = json.dumps({"origin": "", "nodes": len(full.nodes), "edges": len(full.edges)})
    body = b"".join([basecache.MAGIC, len(meta).to_bytes(8, "little"), meta.encode(),
                     len(a).to_bytes(8, "little"), a, len(b).to_bytes(8, "little"), b])
    import hashlib

    path.write_bytes(body + hashlib.sha256(body).digest())
    with caplog.at_level(logging.WARNING, logger="intersections.cache"):
        again = NetworkxBackend.load(base_copy)
    assert any("unusable" in r.getMessage() for r in caplog.records)
    _same_graph(again.graph, _plain_networkx(full))


@pytest.fixture()
def base_copy(tmp_path: Path) -> Path:
    import shutil

    out = tmp_path / "base"
    shutil.copytree(MINI, out)
    return out


def _answers(b: NetworkxBackend, ids: list[str]) -> list[Any]:
    """A spread of query answers (search, neighbours, paths, coverage, gap map, claims)."""
    out: list[Any] = [b.stats(), b.coverage(), b.gap_map(), b.gap_map(include_inferred=False),
                      b.search("program"), b.search("abuse", limit=50)]
    for i in ids:
        out += [b.node(i), b.neighbors(i, include_evidence=True),
                b.paths(i, "Intervention", max_hops=3, limit=5),
                b.evidence_for(i)]
    return out


def test_query_answers_are_the_same_from_the_cache_and_from_a_full_load(
        cache: Path, generated: Path) -> None:
    full = NetworkxBackend.from_evidence_base(load_evidence_base(generated, use_cache=False))
    cached = NetworkxBackend.load(generated)
    assert cached.derived.path is not None  # really the cache path (a key was known)
    ids = [i for c in ("Harm", "RiskFactor", "Intervention", "Claim")
           for i in full.ids_of(frozenset({c}))[:3]]
    assert _answers(cached, ids) == _answers(full, ids)


def test_normalize_gives_what_the_per_character_strip_gives() -> None:
    """loaders.text.normalize skips the per-character accent strip when NFKD left only ASCII
    (claim labels ending in '…' were most of the search-index build); same result as always."""
    import re
    import unicodedata

    from loaders.text import normalize

    def reference(text: str) -> str:
        stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                           if not unicodedata.combining(ch))
        return re.sub(r"[^0-9a-z]+", " ", stripped.casefold()).strip()

    for text in ("A finding that goes on and on…", "Niños — Foster-Care", "ﬁnancial ½",
                 "Ça va", "x\u0301y", "Straße", "ＩＰＶ", "…", "İstanbul"):
        assert normalize(text) == reference(text), text


def test_the_collector_is_back_on_and_nothing_frozen_is_thawed(cache: Path) -> None:
    """paused_gc hands a loaded base to the oldest generation (freeze + unfreeze) only when
    nothing else is frozen: an explorer's frozen graph must stay out of the collector's reach
    when it loads another base (e.g. for the SPARQL store)."""
    import gc

    assert gc.isenabled()
    backend = NetworkxBackend.load(MINI)  # freezes its graph

    def frozen() -> bool:  # frozen objects are in no generation the collector walks
        return not any(o is backend.graph._succ for o in gc.get_objects())

    assert frozen()
    load_evidence_base(MINI, use_cache=False)
    assert gc.isenabled()
    assert frozen()
    gc.disable()
    try:
        load_evidence_base(MINI, use_cache=False)
        assert not gc.isenabled()  # a caller's pause is kept
    finally:
        gc.enable()


def test_the_cache_keeps_properties_that_python_calls_equal_apart(cache: Path) -> None:
    """The cache write shares one JSON text between equal property sets; 1, 1.0 and True are
    equal in Python, so they must not share one (a link's position 1 must not read back as
    true)."""
    from loaders.records import edge_record, node_record

    eb = EvidenceBase()
    for i in ("a:x", "b:y"):
        eb.nodes[i] = node_record(i, "Harm", i, (), None, {}, (), None)
    values: list[Any] = [1, 1.0, True, "1", [1], [True], None]
    for n, v in enumerate(values):
        eb.edges[("a:x", f"p{n}", "b:y")] = edge_record("a:x", f"p{n}", "b:y", (), {"v": v},
                                                        None)
    back = basecache.decode(basecache.encode(eb))
    got = [back.edges[("a:x", f"p{n}", "b:y")].properties["v"] for n in range(len(values))]
    assert got == values
    assert [type(g) for g in got] == [type(v) for v in values]


def test_a_new_base_can_be_checked_in_a_child_and_read_from_the_cache(
        cache: Path, base_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The explorer's way (check_in_child): the parent process never parses; the graph it reads
    back from the cache the child wrote is the graph plain networkx builds."""
    import loaders.evidence as ev

    expected = _plain_networkx(load_evidence_base(base_copy, use_cache=False))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache.parent / "xdg"))  # no SHACL marker either
    for f in cache.glob("*"):
        f.unlink()
    monkeypatch.setattr(ev.EvidenceBaseSource, "_parse_all",
                        lambda self: pytest.fail("parsed in the explorer's own process"))
    got = NetworkxBackend.load(base_copy, check_in_child=True)
    _same_graph(got.graph, expected)
    assert len(list(cache.glob("*.arrow"))) == 1  # written by the child


def test_problems_found_in_the_child_are_reported_as_always(cache: Path, base_copy: Path) -> None:
    from loaders.errors import ValidationFailed

    f = sorted(base_copy.glob("*.yaml"))[0]
    f.write_text(f.read_text() + "\nnot_a_family:\n  - id: x:y\n")
    with pytest.raises(ValidationFailed) as direct:
        load_evidence_base(base_copy, use_cache=False)
    with pytest.raises(ValidationFailed) as via_child:
        NetworkxBackend.load(base_copy, check_in_child=True)
    assert [str(p) for p in via_child.value.problems] == [str(p) for p in direct.value.problems]
    assert not list(cache.glob("*.arrow"))
