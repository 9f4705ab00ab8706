"""The content-hash cache of the checked evidence base (loaders/basecache.py, issue 17 item 3).

A hit must give back exactly the records a full load gives; any byte change must miss; a damaged
file must be reported and replaced by a full load; concurrent writers must leave one whole file;
and nothing may ever be written inside the installed package.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest

from loaders import basecache
from loaders.evidence import load_evidence_base
from loaders.workspace import package_data_dir

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(basecache.ENV_DIR, str(folder))
    monkeypatch.delenv(basecache.ENV_OFF, raising=False)
    return folder


@pytest.fixture()
def base(tmp_path: Path) -> Path:
    out = tmp_path / "base"
    shutil.copytree(MINI, out)
    return out


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.arrow"))


def test_a_hit_gives_back_exactly_the_records_of_a_full_load(cache: Path, base: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    first = load_evidence_base(base)
    assert len(_files(cache)) == 1
    calls: list[int] = []
    import loaders.evidence as ev

    original = ev.EvidenceBaseSource._parse_all
    monkeypatch.setattr(ev.EvidenceBaseSource, "_parse_all",
                        lambda self: calls.append(1) or original(self))
    again = load_evidence_base(base)
    assert calls == []  # served from the cache: nothing parsed
    assert again.nodes == first.nodes
    assert again.edges == first.edges
    assert list(again.nodes) == list(first.nodes)  # same order (writers, exports)
    assert list(again.edges) == list(first.edges)
    assert again.origin == str(base)
    # what a writer sees is the same too
    some = next(iter(again.nodes.values()))
    assert some.as_attrs() == first.nodes[some.id].as_attrs()
    assert some.model_dump() == first.nodes[some.id].model_dump()


def test_any_byte_change_is_a_miss(cache: Path, base: Path) -> None:
    load_evidence_base(base)
    f = sorted(base.glob("*.yaml"))[0]
    f.write_bytes(f.read_bytes() + b"\n# one more byte\n")
    load_evidence_base(base)
    assert len(_files(cache)) == 2  # a second key: the changed base was loaded in full


def test_a_renamed_file_is_a_miss(cache: Path, base: Path) -> None:
    load_evidence_base(base)
    f = sorted(base.glob("*.yaml"))[0]
    f.rename(f.with_name("renamed-" + f.name))
    load_evidence_base(base)
    assert len(_files(cache)) == 2


def test_validate_without_cache_never_reads_it(cache: Path, base: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    load_evidence_base(base)
    monkeypatch.setattr(basecache, "get", lambda key: pytest.fail("cache read by validate"))
    load_evidence_base(base, use_cache=False)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_a_damaged_cache_file_is_reported_and_the_base_loads_in_full(
        cache: Path, base: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    full = load_evidence_base(base)
    (path,) = _files(cache)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1:])
    else:
        path.write_bytes(b"not a cache at all")
    with caplog.at_level(logging.WARNING, logger="intersections.cache"):
        again = load_evidence_base(base)
    assert again.nodes == full.nodes and again.edges == full.edges
    assert any("unusable" in r.getMessage() for r in caplog.records)
    # rewritten whole by the full load
    assert basecache.decode(_files(cache)[0].read_bytes()).nodes == full.nodes


def _write_many(folder: str, base: str, key: str, rounds: int) -> None:
    import os

    os.environ[basecache.ENV_DIR] = folder
    eb = load_evidence_base(base, use_cache=False)
    for _ in range(rounds):
        basecache.put(key, eb)


def test_concurrent_writers_leave_one_whole_file(cache: Path, base: Path) -> None:
    key = "f" * 64
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(cache), str(base), key, 15))
             for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    names = [p.name for p in cache.iterdir()]
    assert f"{key[:40]}.arrow" in names
    assert not [n for n in names if n.endswith(".tmp")]  # no temp files left
    eb = basecache.get(key)
    assert eb is not None and eb.nodes == load_evidence_base(base, use_cache=False).nodes


def test_never_writes_into_the_package(monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    inside = package_data_dir() / "cache-must-not-exist"
    monkeypatch.setenv(basecache.ENV_DIR, str(inside))
    before = sorted(p for p in Path(basecache.__file__).parent.rglob("*") if "__pycache__"
                    not in p.parts)
    with caplog.at_level(logging.WARNING, logger="intersections.cache"):
        load_evidence_base(MINI)
    after = sorted(p for p in Path(basecache.__file__).parent.rglob("*") if "__pycache__"
                   not in p.parts)
    assert not inside.exists()
    assert after == before
    assert any("inside the installed package" in r.getMessage() for r in caplog.records)


def test_the_default_cache_dir_is_the_users(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.delenv(basecache.ENV_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert basecache.cache_dir() == tmp_path / "intersections" / "bases"


def test_the_cache_can_be_turned_off(cache: Path, base: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(basecache.ENV_OFF, "off")
    load_evidence_base(base)
    assert not cache.exists()


def test_a_shacl_free_load_does_not_pass_for_a_checked_one(cache: Path, base: Path) -> None:
    load_evidence_base(base, shacl=False)
    load_evidence_base(base)
    assert len(_files(cache)) == 2


def test_default_gap_matrices_are_computed_once_per_base_version(
        cache: Path, base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.backend import GraphBackend
    from graph.nx_backend import NetworkxBackend

    first = NetworkxBackend.from_evidence_base(load_evidence_base(base))
    first.warm_defaults()
    expected = first.gap_map()
    assert list(cache.glob("*.gaps-*.pickle"))

    # a new process (a new backend over the cached base) reads them back: nothing computed
    monkeypatch.setattr(GraphBackend, "gap_map",
                        lambda *a, **k: pytest.fail("gap map recomputed"))
    monkeypatch.setattr(GraphBackend, "coverage",
                        lambda *a, **k: pytest.fail("coverage recomputed"))
    again = NetworkxBackend.from_evidence_base(load_evidence_base(base))
    assert again.gap_map() == expected
    assert again.gap_map(top_level_only=True) == first.gap_map(top_level_only=True)
    assert again.coverage() == first.coverage()


def test_a_changed_base_does_not_reuse_old_gap_matrices(cache: Path, base: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from graph.nx_backend import NetworkxBackend

    NetworkxBackend.from_evidence_base(load_evidence_base(base)).warm_defaults()
    f = sorted(base.glob("*.yaml"))[0]
    f.write_bytes(f.read_bytes() + b"\n# changed\n")
    b = NetworkxBackend.from_evidence_base(load_evidence_base(base))
    assert b.derived.get(("gap_map", "Harm", "PreventionStrategy")) is None
    assert len(list(cache.glob("*.gaps-*.pickle"))) == 1  # the old version's only
    b.warm_defaults()
    assert len(list(cache.glob("*.gaps-*.pickle"))) == 2


def test_the_embedded_graph_from_the_cache_is_the_graph_from_records(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NetworkxBackend.load on a cache hit builds the graph from columns; it must be the same
    graph (attributes and order) as building it from the records."""
    from graph.nx_backend import NetworkxBackend

    for base in (MINI, None):  # the mini fixture and the shipped base
        expected = NetworkxBackend.from_evidence_base(load_evidence_base(base)).graph
        import loaders.evidence as ev

        monkeypatch.setattr(ev.EvidenceBaseSource, "_parse_all",
                            lambda self: pytest.fail("parsed despite the cache"))
        got = NetworkxBackend.load(base).graph
        monkeypatch.undo()
        monkeypatch.setenv(basecache.ENV_DIR, str(cache))
        assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
        assert list(got.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True))
        assert list(got.in_edges(keys=True, data=True)) == \
            list(expected.in_edges(keys=True, data=True))


def test_shared_and_equal_values_round_trip_exactly() -> None:
    """The cache write encodes each distinct *object* once (a link's property dict, predicate
    and origin are shared by many links) and lets equal texts share a dictionary entry: links
    sharing one dict, equal dicts that are different objects, empty ones, equal origins that
    are different str objects and missing origins must all read back as written."""
    from loaders.evidence import EvidenceBase
    from loaders.records import edge_record, node_record, source_ref

    eb = EvidenceBase(origin="here")
    eb.nodes["a:x"] = node_record("a:x", "Harm", "X", ("x1", "x2"), "def", {"k": [1, 2]},
                                  (source_ref("c:s", "p. 1"), source_ref("c:s", None)), "f:1")
    eb.nodes["b:y"] = node_record("b:y", "Harm", "Y", (), None, {}, (), None)
    shared = {"basis": "stated"}
    origin = "f:" + str(7)  # built at run time: equal to "f:7", never the same object
    rows = [("a:x", "p0", "b:y", (), shared, "f:7"),
            ("b:y", "p0", "a:x", ("a:x",), shared, origin),
            ("a:x", "p1", "b:y", (), {"basis": "stated"}, None),
            ("b:y", "p1", "a:x", (), {}, "f:1"),
            ("a:x", "p2", "b:y", ("a:x", "b:y"), {"position": 2, "basis": "stated"}, origin)]
    for s, p, o, claims, props, where in rows:
        eb.edges[(s, p, o)] = edge_record(s, p, o, claims, props, where)
    back = basecache.decode(basecache.encode(eb))
    assert list(back.nodes.items()) == list(eb.nodes.items())
    assert list(back.edges.items()) == list(eb.edges.items())
    assert [e.origin for e in back.edges.values()] == ["f:7", "f:7", None, "f:1", "f:7"]
    _meta, _nodes, links = basecache._split(basecache.encode(eb))
    props = basecache._read_table(links).column("properties").combine_chunks()
    assert props.dictionary.to_pylist() == ['{"basis":"stated"}',
                                            '{"position":2,"basis":"stated"}']
    cols = basecache.columns(basecache.encode(eb))
    assert [link[:4] for link in cols.links()] == [(s, p, o, c) for s, p, o, c, *_ in rows]
    assert [text for *_, text in cols.links()] == [
        '{"basis":"stated"}', '{"basis":"stated"}', '{"basis":"stated"}', None,
        '{"position":2,"basis":"stated"}']
    # one kind per distinct (predicate, claims, properties): rows 0 and 2 differ in predicate
    assert len(set(cols.edges["kind"])) == 5 and cols.edges["kind"][0] != cols.edges["kind"][2]
    assert cols.nodes["alt_labels"] == [["x1", "x2"], None]


def test_a_base_without_links_round_trips() -> None:
    from loaders.evidence import EvidenceBase
    from loaders.records import node_record

    eb = EvidenceBase()
    eb.nodes["a:x"] = node_record("a:x", "Harm", "X", (), None, {}, (), None)
    back = basecache.decode(basecache.encode(eb))
    assert back.nodes == eb.nodes and back.edges == {}
    cols = basecache.columns(basecache.encode(eb))  # a re-open's read, too
    assert cols.nodes["id"] == ["a:x"] and list(cols.links()) == [] and cols.link_kinds == []


@pytest.mark.parametrize("values", [["a", None, "ü€𝄞", ""], [], [None, None], ["x"] * 3])
def test_string_columns_built_from_buffers_are_what_pyarrow_builds(values: list[Any]) -> None:
    import pyarrow as pa

    got = basecache._utf8(values)
    got.validate(full=True)
    assert got.equals(pa.array(values, pa.string()))
    lists = [values, None, [], *([v] for v in values if v is not None)]
    got_lists = basecache._utf8_lists(lists)
    got_lists.validate(full=True)
    assert got_lists.equals(pa.array(lists, pa.list_(pa.string())))


@pytest.mark.parametrize("values", [[1, None, -5, 2**31 - 1, -2**31], [], [None], [0, 7]])
def test_int_columns_built_from_buffers_are_what_pyarrow_builds(values: list[Any]) -> None:
    import pyarrow as pa

    got = basecache._int32(values)
    got.validate(full=True)
    assert got.equals(pa.array(values, pa.int32()))


def test_an_int_that_does_not_fit_is_refused_not_wrapped() -> None:
    with pytest.raises(OverflowError):
        basecache._int32([2**31])


def _pandas_imported_by(step: str, env: str) -> bool:
    """Run ``step`` in a fresh interpreter on MINI's records (in ``eb``, already ``encode``d in
    ``data``); whether it imported pandas (asserted absent before it)."""
    import subprocess
    import sys

    code = ("import sys, os\n"
            f"{env}\n"
            "from loaders import basecache\n"
            "from loaders.evidence import load_evidence_base\n"
            f"eb = load_evidence_base({str(MINI)!r}, use_cache=False)\n"
            "assert 'pandas' not in sys.modules, 'imported before the step'\n"
            f"{step}\n"
            "print('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent)
    return out.stdout.strip() == "True"


def test_writing_the_cache_does_not_import_pandas() -> None:
    """pa.array imports pandas on its first call (~0.5 s of a user's first open); the cache
    write builds its arrays from buffers instead."""
    assert not _pandas_imported_by(
        "data = basecache.encode(eb)\nassert basecache.decode(data).edges == eb.edges",
        "os.environ['INTERSECTIONS_BASE_CACHE'] = 'off'")


def test_a_re_open_does_not_import_pandas(tmp_path: Path) -> None:
    """Reading the columns back (every re-open) stays off pandas too: Arrow's ``to_numpy`` and
    ``fill_null`` import it (~0.3 s of a re-open)."""
    assert not _pandas_imported_by(
        "cols = basecache.columns(basecache.encode(eb))\n"
        "assert len(list(cols.links())) == len(eb.edges)",
        f"os.environ['INTERSECTIONS_CACHE_DIR'] = {str(tmp_path)!r}")


def test_link_kinds_are_numbered_alike_with_or_without_the_dense_table() -> None:
    """Both ways of numbering the (predicate, properties) codes agree: equal codes, equal
    numbers; the distinct codes ascending."""
    import numpy as np

    code = np.array([7, 3, 7, 0, 12, 3, 3, 12], dtype=np.int64)
    dense = basecache._numbered(code, 13, dense=True)
    sort = basecache._numbered(code, 13, dense=False)
    for codes, kind in (dense, sort):
        assert codes.tolist() == [0, 3, 7, 12]
        assert kind.tolist() == [2, 1, 2, 0, 3, 1, 1, 3]


def test_numbers_and_list_lengths_read_the_buffers_right() -> None:
    """Offsets (a sliced array), nulls and null lists, read without pandas."""
    import pyarrow as pa

    ints = pa.array([5, None, 7, 9, None], pa.int32()).slice(1)
    assert basecache._numbers(ints, null=-1).tolist() == [-1, 7, 9, -1]
    with pytest.raises(basecache.CorruptCache):
        basecache._numbers(ints)
    lists = pa.array([["a"], None, [], ["b", "c"], None, ["d"]], pa.list_(pa.string())).slice(1)
    assert basecache._list_lengths(lists).tolist() == [0, 0, 2, 0, 1]
