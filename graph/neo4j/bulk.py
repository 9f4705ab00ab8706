"""The bulk first load: files for ``neo4j-admin database import full``, and finishing the import.

``neo4j-admin database import`` writes store files directly (issue 17 measured ~46k links/s on
the 100k base, against ~5–15k through Bolt), but only into a stopped, empty database. So a first
load of a large base goes:

1. :func:`write_bulk_files` (``intersections load --neo4j-bulk-files DIR``) collects and checks
   the records with the same :class:`graph.neo4j.loader.Neo4jRows` the Bolt load uses — same
   labels, same encoded properties, same ``_dataset``/``_version`` tags and normalised search
   texts — and writes them as CSV in the import tool's header format, with ``import.args`` (the
   tool's options and file list, for its ``@file`` argument) and ``manifest.json``;
2. the import tool runs on the server's disk (``scripts/neo4j/neo4j-server.sh import DIR`` for
   the project's test server; docs/neo4j.md for a Neo4j install or Docker);
3. :func:`finish_bulk_import` (``intersections load --neo4j --finish-bulk DIR``) checks that the
   database holds exactly what the manifest says, creates the constraints and indexes with the
   loader's own :func:`cypher.schema_statements`, sets the few values CSV cannot carry (see
   below) and marks the dataset ``complete`` — until then readers refuse it, as after a failed
   load. Later loads are the ordinary batched ``MERGE`` (idempotent, guarded removals).

CSV rules (checked by tests/test_neo4j_bulk.py against a real import): every string is quoted,
with ``"`` doubled (RFC 4180; the tool's default, backslashes are literal); a property a row does
not have is an empty unquoted field (the tool then stores nothing); numbers and booleans are
bare; list items are joined with U+001F (``--array-delimiter``), which no text of ours contains.
Nothing is neutralised for spreadsheets (loaders/csvsafe.py): these files are the database's
input, and a title starting with ``=`` must arrive as written. Rows whose text holds a line break
go to their own ``*-multiline.csv`` files, the only ones the tool parses in multi-line mode.

What CSV cannot say is kept in ``manifest.json`` as *fixups* and set through Bolt by the finish
step: a one-item list whose item is ``""`` (the tool reads ``""`` in an array column as no
value), list items containing U+001F, text containing NUL, and property names that are not plain
identifiers. Empty lists never need one: the loader does not store them (``_empty``, see
:mod:`graph.neo4j.cypher`).
"""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.neo4j import cypher
from graph.neo4j.backend import DEFAULT_DATASET, open_driver
from graph.neo4j.errors import Neo4jUnavailable, translate_error
from graph.neo4j.loader import LoadReport, Neo4jRows, paused_gc
from graph.neo4j.settings import Neo4jSettings
from loaders.errors import IntersectionsError
from loaders.evidence import EvidenceBase
from loaders.workspace import ReadOnlyBase
from ontology.schema import neo4j_labels, neo4j_rel_type

#: Bumped when the layout of the folder changes (the finish step refuses other formats).
FORMAT = 1
MANIFEST = "manifest.json"
ARGS_FILE = "import.args"
ARRAY_DELIMITER = "\x1f"
#: Largest manifest the finish step reads (fixups are few; a bigger file is not ours).
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
FIXUP_BATCH = 5_000
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
#: The top-level packages of this project: never written into.
_PACKAGES = ("loaders", "graph", "ontology", "cli", "explorer", "benchmarks")


class BulkImportMismatch(IntersectionsError):
    """The database does not hold what the bulk files describe; nothing was marked complete."""


@dataclass
class BulkFiles:
    """What :func:`write_bulk_files` wrote (also ``manifest.json``, minus the fixups)."""

    folder: str
    dataset: str
    version: str
    nodes: int
    relationships: int
    files: int
    fixups: int
    seconds: float
    by_category: dict[str, int] = field(default_factory=dict)
    by_predicate: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------ values → CSV
def _kind(value: Any) -> str | None:
    """The import tool's type for an encoded property value (None: CSV cannot carry it)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return None if "\x00" in value else "string"
    if isinstance(value, list):
        return _list_kind(value)
    return None


def _list_kind(value: list[Any]) -> str | None:
    """The type of a stored list (one item type: :func:`cypher.encode_properties` made it)."""
    if not value:
        return None
    first = value[0]
    if isinstance(first, str):
        text = first if len(value) == 1 else "".join(value)
        if (len(value) == 1 and not first) or ARRAY_DELIMITER in text or "\x00" in text:
            return None  # [""] imports as no property; U+001F would split an item
        return "string[]"
    inner = _kind(first)
    return None if inner is None else inner + "[]"


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def _quote(text: str) -> str:
    return '"' + (text.replace('"', '""') if '"' in text else text) + '"'


class _Group:
    """Rows of one class or relation whose property types agree: one header, one or two files
    (rows with a line break go to a ``-multiline`` file)."""

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.rows: list[tuple[Any, Any, dict[str, Any]]] = []

    def fits(self, kinds: dict[str, str]) -> bool:
        return all(self.kinds.get(k, v) == v for k, v in kinds.items())


_SCALAR_KINDS: dict[type, str] = {bool: "boolean", int: "long", float: "double"}


def _split(rows: list[tuple[Any, Any, dict[str, Any]]], skip: frozenset[str],
           fixups: list[dict[str, Any]], make_fix: Any) -> list[_Group]:
    """Group rows by compatible property types; move what CSV cannot carry to ``fixups``.

    Rows of one class mostly share one shape, so the group of a shape (its keys and kinds, in
    order) is remembered: one dict lookup per row instead of a search."""
    groups: list[_Group] = []
    by_shape: dict[tuple[tuple[str, str], ...], _Group] = {}
    plain_keys: dict[str, bool] = {}
    # links share their property maps (``Neo4jRows._link_props``: ~4k maps for ~1M links), so
    # a map's group and fixups are worked out once per map object; ``rows`` keeps every map
    # alive, so an ``id`` is never reused while this runs
    seen: dict[int, tuple[_Group, dict[str, Any] | None, dict[str, Any]]] = {}
    for a, b, props in rows:
        known = seen.get(id(props))
        if known is not None:
            group, moved, kept = known
            if moved:
                fixups.append(make_fix(a, b, moved))
            group.rows.append((a, b, kept))
            continue
        original = props
        kinds: dict[str, str] = {}
        bad: dict[str, Any] | None = None
        for k, v in props.items():
            if k in skip:
                continue
            plain = plain_keys.get(k)
            if plain is None:
                plain = plain_keys[k] = bool(_PLAIN_KEY.match(k))
            t = type(v)
            if t is str:
                kind: str | None = "string" if "\x00" not in v else None
            elif t is list:
                kind = _list_kind(v)
            else:
                kind = _SCALAR_KINDS.get(t) or _kind(v)
            if kind is None or not plain:
                if bad is None:
                    bad = {}
                bad[k] = v
            else:
                kinds[k] = kind
        if bad:
            fixups.append(make_fix(a, b, bad))
            props = {k: v for k, v in props.items() if k not in bad}
        shape = tuple(kinds.items())
        g = by_shape.get(shape)  # type: ignore[assignment]
        if g is None:
            for g in groups:
                if g.fits(kinds):
                    break
            else:
                g = _Group()
                groups.append(g)
            g.kinds.update(kinds)
            by_shape[shape] = g
        seen[id(original)] = (g, bad, props)
        g.rows.append((a, b, props))
    return groups


def _formatter(kind: str) -> Any:
    """How a non-string value is written (bare: numbers, booleans and their lists)."""
    if kind.endswith("[]"):
        return lambda v: ARRAY_DELIMITER.join(_number(x) for x in v)
    return _number


def _quoted(column: Any) -> Any:
    """A string column as CSV fields: quoted, ``"`` doubled; null (no value) stays null."""
    import pyarrow.compute as pc

    return pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")


def _write_group(folder: Path, stem: str, lead: list[str], ends: list[list[str]],
                 tags: str, group: _Group) -> tuple[list[str], list[str], int]:
    """Write one group's files; returns (files, multiline files) relative to ``folder`` and the
    longest line written (in bytes).

    Column by column in Arrow (issue 17: the per-row Python formatting was ~5 of the ~9 CPU-s
    of the files at 936k links): strings are quoted and joined into lines by Arrow compute
    kernels, and the lines' UTF-8 buffer is the file body. Python touches each row only to
    pick its values (and to join list items, and to format the few numbers, with the same
    :func:`_number` as before). Fields are exactly what a row-by-row writer gives: ``ends``
    (the ids) and every string quoted with ``"`` doubled, ``tags`` (the already quoted
    dataset and version cells) on every row, a value the row does not have empty and unquoted.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = sorted(group.kinds)
    header = ",".join([*lead, *(f"{k}:{group.kinds[k]}" for k in keys)]) + "\n"
    props = [r[2] for r in group.rows]
    cells: list[Any] = [_quoted(pa.array(ids, pa.string())) for ids in ends]
    cells.append(tags)
    for k in keys:
        kind = group.kinds[k]
        values = [p.get(k) for p in props]
        if kind == "string":
            cells.append(_quoted(pa.array(values, pa.string())).fill_null(""))
        elif kind == "string[]":
            join = ARRAY_DELIMITER.join
            cells.append(_quoted(pa.array([None if v is None else join(v) for v in values],
                                          pa.string())).fill_null(""))
        else:
            fmt = _formatter(kind)
            cells.append(pa.array(["" if v is None else fmt(v) for v in values], pa.string()))
    lines = pc.binary_join_element_wise(*cells, ",")
    longest = int(pc.max(pc.binary_length(lines)).as_py() or 0) if len(lines) else 0
    broken = pc.match_substring_regex(lines, "[\r\n]")
    written: list[str] = []
    multiline: list[str] = []
    parts = ((lines.filter(pc.invert(broken)), ""), (lines.filter(broken), "-multiline"))
    for part, suffix in parts:
        if not len(part):
            continue
        rel = f"{stem}{suffix}.csv"
        body = pc.binary_join_element_wise(part, "", "\n")  # each line + "\n"
        with (folder / rel).open("wb") as f:
            f.write(header.encode("utf-8"))
            f.write(_string_data(body))
        written.append(rel)
        if suffix:
            multiline.append(rel)
    return written, multiline, longest


def _string_data(column: Any) -> memoryview:
    """The concatenated UTF-8 bytes of a string column without nulls (its data buffer between
    the first and the last offset): the file body, without copying the lines to Python."""
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    arr = pa.concat_arrays([arr]) if arr.offset else arr
    offsets = memoryview(arr.buffers()[1]).cast("i")
    data = arr.buffers()[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[offsets[0]:offsets[len(arr)]]


# ------------------------------------------------------------------------------ writing
def check_output_folder(folder: Path) -> None:
    """Refuse a folder inside the installed package, or one holding files that are not a
    previous bulk export (so a typo cannot overwrite someone's data)."""
    import loaders

    target = folder.expanduser().resolve()
    root = Path(loaders.__file__).resolve().parent.parent
    for pkg in _PACKAGES:
        p = (root / pkg).resolve()
        if target == p or p in target.parents:
            raise ReadOnlyBase(f"{folder}: inside the installed package ({pkg}/); bulk files go "
                               "in a folder of your own, e.g. /tmp/intersections-bulk")
    if target.exists() and not target.is_dir():
        raise ValueError(f"{folder}: not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise ValueError(f"{folder}: the folder is not empty and holds no earlier bulk export "
                         f"({MANIFEST}); choose an empty or new folder")


def write_bulk_files(eb: EvidenceBase, folder: Path | str, *,
                     dataset: str = DEFAULT_DATASET) -> BulkFiles:
    """Check the evidence base and write the ``neo4j-admin database import`` files into
    ``folder`` (created; an earlier export there is replaced). Nothing is written when a
    record fails the loader's checks."""
    with paused_gc():  # a million row dicts and lines (see loader.paused_gc)
        return _write_bulk_files(eb, Path(folder), dataset)


def _write_bulk_files(eb: EvidenceBase, out: Path, dataset: str) -> BulkFiles:
    t0 = time.perf_counter()
    check_output_folder(out)
    rows = Neo4jRows(dataset=dataset, source=eb.origin)
    rows.add_all(eb.records())
    rows.check()
    version = rows.content_version()
    tags = {cypher.DATASET_KEY: dataset, cypher.VERSION_KEY: version}

    out.mkdir(parents=True, exist_ok=True)
    for sub in ("nodes", "relationships"):
        (out / sub).mkdir(exist_ok=True)
        for old in (out / sub).glob("*.csv"):
            old.unlink()
    node_fix: list[dict[str, Any]] = []
    edge_fix: dict[str, list[dict[str, Any]]] = {}
    args = ["--id-type=string", "--array-delimiter=U+001F", "--delimiter=,",
            "--ignore-empty-strings=false", "--trim-strings=false",
            "--legacy-style-quoting=false", "--normalize-types=true"]
    multiline: list[str] = []
    files = 0
    longest = 0
    tag_cells = f"{_quote(dataset)},{_quote(version)}"
    tag_head = [f"{cypher.DATASET_KEY}:string", f"{cypher.VERSION_KEY}:string"]
    skip = frozenset({"id", cypher.DATASET_KEY, cypher.VERSION_KEY})

    for category in sorted(rows._nodes):
        labels = ":".join(dict.fromkeys([cypher.ENTITY, *neo4j_labels(category)]))
        data = [(r["id"], None, r["props"]) for r in rows._nodes[category]]
        groups = _split(data, skip, node_fix, lambda a, _b, bad: {"id": a, "props": bad})
        for i, g in enumerate(groups):
            stem = f"nodes/{category}" + (f"-{i}" if i else "")
            written, multi, size = _write_group(out, stem, ["id:ID", *tag_head],
                                                [[r[0] for r in g.rows]], tag_cells, g)
            multiline += multi
            args += [f"--nodes={labels}={p}" for p in written]
            files += len(written)
            longest = max(longest, size)
    for predicate in sorted(rows._edges):
        rel = neo4j_rel_type(predicate)
        data = [(r["s"], r["o"], r["props"]) for r in rows._edges[predicate]]
        fixes = edge_fix.setdefault(predicate, [])
        groups = _split(data, skip, fixes, lambda a, b, bad: {"s": a, "o": b, "props": bad})
        for i, g in enumerate(groups):
            stem = f"relationships/{predicate}" + (f"-{i}" if i else "")
            written, multi, size = _write_group(
                out, stem, [":START_ID", ":END_ID", *tag_head],
                [[r[0] for r in g.rows], [r[1] for r in g.rows]], tag_cells, g)
            multiline += multi
            args += [f"--relationships={rel}={p}" for p in written]
            files += len(written)
            longest = max(longest, size)
    # the tool's read buffer must hold the largest single value (default 4 MiB); a line bounds it
    args.append(f"--read-buffer-size={max(4 * 1024 * 1024, 4 * longest + 1024)}")
    if multiline:
        args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(multiline)}"]
    (out / ARGS_FILE).write_text("\n".join(args) + "\n", encoding="utf-8")

    by_cat = {c: len(r) for c, r in sorted(rows._nodes.items())}
    by_pred = {p: len(r) for p, r in sorted(rows._edges.items())}
    edge_fix = {p: f for p, f in edge_fix.items() if f}
    n_fix = len(node_fix) + sum(len(f) for f in edge_fix.values())
    report = BulkFiles(folder=str(out), dataset=dataset, version=version,
                       nodes=rows.node_count, relationships=rows.edge_count, files=files,
                       fixups=n_fix, seconds=0.0, by_category=by_cat, by_predicate=by_pred)
    manifest = {"format": FORMAT, "dataset": dataset, "version": version,
                "source": eb.origin, "written_at": _now(), "nodes": report.nodes,
                "relationships": report.relationships, "by_category": by_cat,
                "by_predicate": by_pred, "fixups": {"nodes": node_fix, "links": edge_fix},
                "tags": tags, cypher.WITH_CLAIMS_KEY: rows.about_with_claims()}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _run(tx: Any, statement: cypher.Statement) -> None:
    tx.run(*statement).consume()


def _create_schema(tx: Any) -> None:
    """The loader's constraints and indexes in ONE transaction: Neo4j populates the indexes
    created by one transaction together, in one scan of the imported nodes, instead of one
    population job (and scan) per statement — at 100k nodes the per-statement jobs cost ~1 s
    more server CPU. Every statement says ``IF NOT EXISTS``, so a re-run changes nothing."""
    for stmt in cypher.schema_statements():
        tx.run(stmt).consume()


# ------------------------------------------------------------------------------ finishing
def read_manifest(folder: Path | str) -> dict[str, Any]:
    """The manifest of a bulk export, checked (format, size, the keys the finish step uses)."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no bulk export here (write one with "
                                "`intersections load --neo4j-bulk-files DIR`)")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ValueError(f"{path}: larger than {MAX_MANIFEST_BYTES // 2**20} MiB; not a manifest "
                         "this version wrote")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: written by another version of Intersections (format "
                         f"{data.get('format') if isinstance(data, dict) else '?'}, expected "
                         f"{FORMAT}); write the files again")
    for key in ("dataset", "version", "nodes", "relationships", "by_category", "by_predicate",
                "fixups"):
        if key not in data:
            raise ValueError(f"{path}: missing {key!r}; write the files again")
    return data


def finish_bulk_import(settings: Neo4jSettings, folder: Path | str) -> LoadReport:
    """After ``neo4j-admin database import``: check, index, fix up, mark the dataset complete.

    Refuses (:class:`BulkImportMismatch`, nothing marked) when the database does not hold
    exactly the manifest's dataset and version — e.g. the import ran on other files, or into
    another database. Safe to re-run. The report's ``steps`` are the wall seconds of
    ``connect`` (a verified driver), ``check`` (the counts), ``schema``, ``indexes`` (their
    population), ``fixups`` and ``state``: right after the import the server is freshly
    started, and its first queries and index population run with a cold JIT.
    """
    t0 = time.perf_counter()
    m = read_manifest(folder)
    dataset, version = m["dataset"], m["version"]
    steps: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = round(now - mark, 3)
        mark = now

    driver = open_driver(settings)
    step("connect")
    run_id = uuid.uuid4().hex
    try:
        with driver.session(database=settings.database) as session:
            # the import wrote a whole database: every entity is this dataset at this version,
            # and the relationship count (count store) is the manifest's
            q, p = cypher.count_dataset_version(dataset, version)
            nodes = session.run(q, p).single()
            q, p = cypher.count_all_relationships()
            rels = session.run(q, p).single()
            have = (nodes["entities"] if nodes else 0, nodes["nodes"] if nodes else 0,
                    rels["relationships"] if rels else 0)
            if have != (m["nodes"], m["nodes"], m["relationships"]):
                raise BulkImportMismatch(
                    f"the database holds {have[0]:,} entries ({have[1]:,} of dataset "
                    f"{dataset!r} version {version}) and {have[2]:,} relationships, but "
                    f"{folder} describes {m['nodes']:,} entries and {m['relationships']:,} "
                    "links: import these files into this database first (docs/neo4j.md); "
                    "nothing was changed")
            step("check")
            session.execute_write(_create_schema)
            step("schema")
            q, p = cypher.await_indexes()
            session.run(q, p).consume()
            step("indexes")
            fixes = m["fixups"]
            statements = [cypher.set_node_properties(fixes["nodes"][i:i + FIXUP_BATCH])
                          for i in range(0, len(fixes["nodes"]), FIXUP_BATCH)]
            statements += [cypher.set_edge_properties(pred, rows[i:i + FIXUP_BATCH])
                           for pred, rows in sorted(fixes["links"].items())
                           for i in range(0, len(rows), FIXUP_BATCH)]
            for fix in statements:
                session.execute_write(_run, fix)
            step("fixups")
            listed = m.get(cypher.WITH_CLAIMS_KEY)
            q, p = cypher.set_load_state(dataset, {
                "status": "complete", "version": version, "run_id": run_id,
                "started_at": m.get("written_at"), "finished_at": _now(),
                "source": m.get("source", ""), "nodes": m["nodes"],
                "relationships": m["relationships"], "ranked_search": True,
                "by_category": json.dumps(m["by_category"]),
                "by_predicate": json.dumps(m["by_predicate"]), "loaded_by": "neo4j-admin import",
                # files written before the list existed: readers scan for it instead
                **({cypher.WITH_CLAIMS_KEY: [str(x) for x in listed],
                    cypher.WITH_CLAIMS_RUN_KEY: run_id} if isinstance(listed, list) else {})})
            session.execute_write(_run, (q, p))
            step("state")
    except (BulkImportMismatch, Neo4jUnavailable):
        raise
    except Exception as exc:
        from neo4j import exceptions as ne

        if not isinstance(exc, ne.Neo4jError | ne.DriverError):
            raise
        raise translate_error(exc, settings) from None
    finally:
        driver.close()
    seconds = round(time.perf_counter() - t0, 3)
    return LoadReport(
        dataset=dataset, uri=settings.redacted_uri, database=settings.database,
        version=version, run_id=run_id, mode="bulk-import", batch_size=FIXUP_BATCH,
        nodes=m["nodes"], relationships=m["relationships"], removed_nodes=0,
        removed_relationships=0, transactions=0, seconds=seconds, write_seconds=seconds,
        by_category=m["by_category"], by_predicate=m["by_predicate"], first_load=True,
        steps=steps)
