"""A content-hash cache of the parsed AND checked evidence base (cold starts in seconds).

Parsing ~70 MB of YAML, building a million typed records and checking them costs tens of
CPU-seconds at 100k nodes; re-opening the very same files should not. After a full load passes
every check, the records are written as two compressed Arrow tables (nodes, edges) to the user
cache; the next read-only open of byte-identical files (same code and shapes) reads them back
instead of parsing and checking again.

* **Key**: SHA-256 over a format/code version, the checking code and the SHACL shapes, and every
  evidence file's relative name and bytes. Any byte change anywhere is a miss.
* **Where**: ``$INTERSECTIONS_CACHE_DIR``, else ``$XDG_CACHE_HOME/intersections/bases``, else
  ``~/.cache/intersections/bases``. Never inside the installed package: a cache dir there is
  refused (no cache, the base loads in full).
* **Safe**: one file per key, written to a temporary name in the same folder and renamed into
  place (concurrent writers each produce a whole file; the last rename wins, both hold the same
  bytes). The file carries a magic header and a trailing SHA-256 of its body; a truncated or
  corrupt file is reported (log warning), removed and the base is loaded in full.
* **Compact**: strings in Arrow columns, zstd-compressed IPC streams; links name their ends by
  node row; free-form properties as dictionary-encoded JSON texts (null when empty, which is
  most links; a few hundred distinct texts among a million links); a link's predicate and
  origin (its entry's ``file:line``) dictionary-encoded too.
* **Fast to write** (it is part of a user's first open): each record is read once for all its
  columns and every column is built by C-level passes (no Python code per link).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter, is_not, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from loaders.records import EdgeRecord, NodeRecord, SourceRef, trusted

if TYPE_CHECKING:
    from loaders.evidence import EvidenceBase

log = logging.getLogger("intersections.cache")
T = TypeVar("T")

#: Bump when the stored form or the meaning of "checked" changes.
FORMAT = b"intersections-base-cache/3"
MAGIC = b"INTXBASE3\n"
_DIGEST = 32
ENV_DIR = "INTERSECTIONS_CACHE_DIR"
ENV_OFF = "INTERSECTIONS_BASE_CACHE"  # "off" disables the cache

#: Modules whose code decides what a checked base is; their bytes are part of the key.
_CODE = ("loaders/entries.py", "loaders/evidence.py", "loaders/records.py",
         "loaders/basecache.py", "loaders/shacl.py", "ontology/schema.py")


def enabled() -> bool:
    return os.environ.get(ENV_OFF, "").strip().lower() not in ("off", "0", "no", "false")


def cache_dir() -> Path:
    explicit = os.environ.get(ENV_DIR, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "intersections" / "bases"


def _package_root() -> Path:
    return Path(__file__).resolve().parent


def _inside_package(path: Path) -> bool:
    root = _package_root()
    p = path.resolve()
    return p == root or root in p.parents


def _code_digest() -> bytes:
    here = _package_root().parent
    h = hashlib.sha256(FORMAT)
    for rel in _CODE:
        with contextlib.suppress(OSError):
            h.update(rel.encode())
            h.update((here / rel).read_bytes())
    return h.digest()


def base_key(files: Iterable[Path], root: Path, *, shacl: bool = True) -> str:
    """The cache key of these evidence files (their names relative to ``root`` and bytes),
    checked with or without SHACL."""
    from ontology.build import SHAPES_FILE

    h = hashlib.sha256(_code_digest())
    h.update(b"shacl" if shacl else b"no-shacl")
    for f in [*files, Path(SHAPES_FILE)]:
        try:
            name = str(f.resolve().relative_to(root.resolve()))
        except ValueError:
            name = f.name
        data = f.read_bytes()
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _path_for(key: str) -> Path:
    return cache_dir() / f"{key[:40]}.arrow"


# ------------------------------------------------------------------------------ encoding
#: ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` without building a new
#: encoder per call (json.dumps does that for any non-default option: ~2x the time per text).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _js(value: Any) -> str | None:
    return _encode(value) if value else None


#: A record's fields, read straight from its instance dict: one C call per record gives every
#: column's value (records are frozen, ``trusted`` or validated: every field is in the dict).
_NODE_FIELDS = itemgetter("id", "category", "label", "alt_labels", "definition", "properties",
                          "sources", "origin")
_EDGE_FIELDS = itemgetter("subject", "predicate", "object", "claims", "properties", "origin")
_fields_of = attrgetter("__dict__")


def _columns_of(records: Iterable[Any], fields: itemgetter[Any]) -> list[tuple[Any, ...]]:
    """The records' fields as columns, in ONE pass over the records: after parsing they are
    scattered in memory, and a pass per column (a million records each) costs more than the
    work; transposing the rows afterwards reads compact tuples."""
    return list(zip(*map(fields, map(_fields_of, records)), strict=True))


def _dictionary(values: Sequence[Any], text: Callable[[Any], str | None] | None = None
                ) -> tuple[Any, dict[int, str | None]]:
    """A dictionary-encoded string column of ``values`` (many rows hold the very same object:
    a link's predicate, its property dict, its entry's origin): each distinct *object* is
    turned into its text once (``text``; the value itself by default; None is null), equal
    texts share one dictionary entry. C-level passes only, no Python code per row. Also gives
    the text of each distinct object (by ``id``)."""
    import pyarrow as pa

    text_of: dict[int, str | None] = {}
    code: dict[int, int | None] = {}
    entries: dict[str, int] = {}
    for obj in dict(zip(map(id, values), values, strict=True)).values():  # once each
        t = text_of[id(obj)] = obj if text is None else text(obj)
        code[id(obj)] = None if t is None else entries.setdefault(t, len(entries))
    indices = _int32(list(map(code.__getitem__, map(id, values))))
    return pa.DictionaryArray.from_arrays(indices, _utf8(list(entries))), text_of


# Arrow arrays straight from their buffers. ``pa.array`` imports pandas on its first call (to
# check whether the values are a pandas object): ~0.5 s of a first open, and nothing else on
# that path needs pandas. Strings, string lists and int32 are all the cache writes.
def _validity(values: Sequence[Any]) -> tuple[Any, int]:
    """The validity bitmap of ``values`` (None: null) and the null count; (None, 0) when no
    value is null."""
    import numpy as np
    import pyarrow as pa

    if None not in values:
        return None, 0
    valid = np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=len(values))
    return pa.py_buffer(np.packbits(valid, bitorder="little")), len(values) - int(valid.sum())


def _offsets(lengths: Iterable[int], n: int) -> Any:
    import numpy as np
    import pyarrow as pa

    out = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(lengths, dtype=np.int64, count=n), out=out[1:])
    if out[-1] > 2**31 - 1:
        raise OverflowError("an Arrow string/list column holds at most 2 GiB")
    return pa.py_buffer(out.astype(np.int32))


def _utf8(values: Sequence[str | None]) -> Any:
    """``pa.array(values, pa.string())``, built from buffers."""
    import pyarrow as pa

    validity, nulls = _validity(values)
    encoded = list(map(str.encode, map(_or_text, values))) if nulls else \
        list(map(str.encode, values))  # type: ignore[arg-type]
    return pa.Array.from_buffers(pa.string(), len(values),
                                 [validity, _offsets(map(len, encoded), len(values)),
                                  pa.py_buffer(b"".join(encoded))], null_count=nulls)


def _utf8_lists(values: Sequence[Sequence[str] | None]) -> Any:
    """``pa.array(values, pa.list_(pa.string()))``, built from buffers."""
    import pyarrow as pa

    validity, nulls = _validity(values)
    items = list(map(_or_items, values))
    return pa.Array.from_buffers(pa.list_(pa.string()), len(values),
                                 [validity, _offsets(map(len, items), len(values))],
                                 null_count=nulls,
                                 children=[_utf8(list(chain.from_iterable(items)))])


def _int32(values: Sequence[int | None]) -> Any:
    """``pa.array(values, pa.int32())``, built from buffers (None: null)."""
    import numpy as np
    import pyarrow as pa

    validity, nulls = _validity(values)
    data = np.fromiter(map(_or_zero, values) if nulls else values, dtype=np.int64,
                       count=len(values))
    if len(data) and (data.min() < -2**31 or data.max() > 2**31 - 1):
        raise OverflowError("a value does not fit an int32 column")
    return pa.Array.from_buffers(pa.int32(), len(values),
                                 [validity, pa.py_buffer(data.astype(np.int32))],
                                 null_count=nulls)


def _or_text(v: str | None) -> str:
    return "" if v is None else v


def _or_items(v: Sequence[str] | None) -> Sequence[str]:
    return () if v is None else v


def _or_zero(v: int | None) -> int:
    return 0 if v is None else v


def _tables(eb: EvidenceBase) -> tuple[Any, Any]:
    nt, et, _cols = _tables_and_columns(eb, with_columns=False)
    return nt, et


def _tables_and_columns(eb: EvidenceBase, *, with_columns: bool = True
                        ) -> tuple[Any, Any, Columns | None]:
    """The two Arrow tables of the cache file, and the same base as :class:`Columns` (what
    :func:`columns` reads back from the file) from the same single pass over the records."""
    import pyarrow as pa

    n_id, n_cat, n_label, n_alts, n_def, n_props, n_src, n_origin = \
        _columns_of(eb.nodes.values(), _NODE_FIELDS) or [()] * 8
    alts = [list(a) if a else None for a in n_alts]
    sources = [[{"citation": s.citation, "locator": s.locator} for s in src] if src else None
               for src in n_src]
    nt = pa.table({
        "id": _utf8(n_id),
        "category": _dictionary(n_cat)[0],
        "label": _utf8(n_label),
        "alt_labels": _utf8_lists(alts),
        "definition": _utf8(n_def),
        "properties": _utf8(list(map(_js, n_props))),
        "sources": _utf8(list(map(_js, sources))),
        "origin": _utf8(n_origin),
    })
    # Links name their ends by row number in the node table (no second copy of every id);
    # predicates, property sets and origins repeat (a few hundred distinct property texts and
    # one origin per entry among a million links): dictionary-encoded by object identity.
    index = {i: row for row, i in enumerate(n_id)}
    e_s, e_p, e_o, e_claims, e_props, e_origin = \
        _columns_of(eb.edges.values(), _EDGE_FIELDS) or [()] * 6
    props = _dictionary(e_props, _js)[0]
    et = pa.table({
        "subject": _int32(list(map(index.__getitem__, e_s))),
        "predicate": _dictionary(e_p)[0],
        "object": _int32(list(map(index.__getitem__, e_o))),
        "claims": _utf8_lists([c or None for c in e_claims]),
        "properties": props,
        "origin": _dictionary(e_origin)[0],
    })
    if not with_columns:
        return nt, et, None
    edges, kinds = _link_columns(et, len(n_id))
    cols = Columns(
        {"id": list(n_id), "category": list(n_cat), "label": list(n_label), "alt_labels": alts,
         "definition": list(n_def), "properties": list(n_props), "sources": sources},
        edges, kinds)
    return nt, et, cols


def _ipc(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    opts = pa.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sink, table.schema, options=opts) as w:
        w.write_table(table)
    return sink.getvalue().to_pybytes()


def encode(eb: EvidenceBase) -> bytes:
    """The whole cache file: magic, two length-prefixed Arrow streams, SHA-256 of the body."""
    return _encode_tables(eb, *_tables(eb))


def _encode_tables(eb: EvidenceBase, nt: Any, et: Any) -> bytes:
    a, b = _ipc(nt), _ipc(et)
    meta = _js({"origin": eb.origin, "nodes": len(eb.nodes), "edges": len(eb.edges)}) or "{}"
    m = meta.encode()
    body = b"".join([MAGIC, len(m).to_bytes(8, "little"), m, len(a).to_bytes(8, "little"), a,
                     len(b).to_bytes(8, "little"), b])
    return body + hashlib.sha256(body).digest()


class CorruptCache(ValueError):
    """The cache file is truncated, altered or not one of ours."""


def _split(data: bytes) -> tuple[dict[str, Any], memoryview, memoryview]:
    if len(data) < len(MAGIC) + _DIGEST or not data.startswith(MAGIC):
        raise CorruptCache("not an Intersections base cache (bad header)")
    body, digest = data[:-_DIGEST], data[-_DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        raise CorruptCache("checksum mismatch (truncated or altered)")
    view = memoryview(body)
    pos = len(MAGIC)
    parts = []
    for _ in range(3):
        n = int.from_bytes(view[pos:pos + 8], "little")
        pos += 8
        if pos + n > len(view):
            raise CorruptCache("section runs past the end")
        parts.append(view[pos:pos + n])
        pos += n
    return json.loads(bytes(parts[0])), parts[1], parts[2]


def _read_table(buf: memoryview) -> Any:
    import pyarrow as pa

    with pa.ipc.open_stream(pa.py_buffer(buf)) as r:
        return r.read_all()


_new = trusted  # records without re-validation (the data passed every check already)


def _json_column(values: list[str | None]) -> list[Any]:
    """Decode a column of JSON texts in ONE parser call (rows are mostly null)."""
    present = [v for v in values if v is not None]
    decoded = iter(json.loads("[" + ",".join(present) + "]")) if present else iter(())
    return [next(decoded) if v is not None else None for v in values]


def _plain(table: Any, name: str) -> list[Any]:
    """A column as Python values; a dictionary-encoded one as its *shared* dictionary values
    (one str object per distinct value instead of one per row)."""
    import pyarrow as pa

    col = table.column(name)
    if not pa.types.is_dictionary(col.type):
        return list(col.to_pylist())
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    values = arr.dictionary.to_pylist()
    return [None if i is None else values[i] for i in arr.indices.to_pylist()]


def _ends(et: Any, ids: list[str]) -> tuple[list[str], list[str]]:
    n = len(ids)
    subjects, objects = et.column("subject").to_pylist(), et.column("object").to_pylist()
    for col in (subjects, objects):
        if col and (min(col) < 0 or max(col) >= n):
            raise CorruptCache("a link names a node row that does not exist")
    return [ids[i] for i in subjects], [ids[i] for i in objects]


def _int64(values: Any) -> Any:
    """A numpy int64 array as an Arrow array, from its buffer (``pa.array`` imports pandas)."""
    import numpy as np
    import pyarrow as pa

    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def _numbers(arr: Any, null: int | None = None) -> Any:
    """An Arrow integer array as a numpy int64 array read from its buffers, nulls as ``null``
    (None: a null is damage). ``to_numpy`` and ``fill_null`` import pandas (~0.3 s of a
    re-open), so the buffers are read directly."""
    import numpy as np

    data = np.frombuffer(arr.buffers()[1], dtype=np.dtype(str(arr.type)),
                         count=arr.offset + len(arr))[arr.offset:].astype(np.int64)
    if arr.null_count:
        if null is None:
            raise CorruptCache("a number column has gaps")
        data[~_valid(arr)] = null
    return data


def _valid(arr: Any) -> Any:
    """The validity bitmap of an Arrow array as a numpy bool array."""
    import numpy as np

    bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
    return np.unpackbits(bits, bitorder="little")[arr.offset:arr.offset + len(arr)].astype(bool)


def _list_lengths(arr: Any) -> Any:
    """Item counts of an Arrow list array (a null list: 0), from its offsets."""
    import numpy as np

    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32,
                            count=arr.offset + len(arr) + 1)[arr.offset:]
    lengths = np.diff(offsets).astype(np.int64)
    if arr.null_count:
        lengths[~_valid(arr)] = 0
    return lengths


def _numbered(code: Any, size: int, *, dense: bool) -> tuple[Any, Any]:
    """The distinct values of ``code`` (ints in ``[0, size)``), ascending, and each row's
    index among them. ``dense``: one pass over a ``size``-long table, no sort (the usual case:
    a few thousand possible codes); else :func:`numpy.unique` (sorting)."""
    import numpy as np

    if not dense:
        return np.unique(code, return_inverse=True)
    present = np.zeros(size, dtype=bool)
    present[code] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[code]


def _compact(values: Any) -> array[int]:
    """Row numbers as a compact ``array('q')``: 8 bytes a row, an int object made only while a
    reader looks at it (a list of ~1M ints per column held ~100 MB more at a re-open's peak)."""
    import numpy as np

    return array("q", np.ascontiguousarray(values, dtype=np.int64).tobytes())


#: A distinct link data: (predicate, claims, properties as JSON text or None).
LinkKind = tuple[str, tuple[str, ...], str | None]


def _whole(table: Any, name: str) -> Any:
    col = table.column(name)
    return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)


def _link_columns(et: Any, n_nodes: int) -> tuple[dict[str, array[int]], list[LinkKind]]:
    """The links table as row numbers: ``subject`` and ``object`` (rows of the node table) and
    ``kind`` (an index into the returned list of distinct :data:`LinkKind`).

    ~1M links carry a few thousand distinct (predicate, claims, properties): the kind of each
    row comes from the predicate's and the properties' dictionary indices in numpy, and only
    the rows with claims (~0.5% at 100k) are looked at in Python. The embedded graph then
    builds one shared data dict per kind (:meth:`graph.nx_build.GraphBuilder.links_by_row`)
    without hashing a key per link — a re-open at 100k did that ~1M times."""
    import numpy as np

    n = et.num_rows
    ends = []
    for name in ("subject", "object"):
        rows = _numbers(_whole(et, name))
        if n and (rows.min() < 0 or rows.max() >= n_nodes):
            raise CorruptCache("a link names a node row that does not exist")
        ends.append(_compact(rows))
    pred, props = _whole(et, "predicate"), _whole(et, "properties")
    preds: list[str] = pred.dictionary.to_pylist()
    texts: list[str | None] = [None, *props.dictionary.to_pylist()]  # 0: no properties
    if pred.null_count:
        raise CorruptCache("a link has no predicate")
    width = len(texts)
    code = _numbers(pred.indices) * width + _numbers(props.indices, null=-1) + 1
    codes, kind = _numbered(code, len(preds) * width, dense=len(preds) * width <= 4 * n + 1024)
    kinds: list[LinkKind] = [(preds[c // width], (), texts[c % width]) for c in codes.tolist()]
    claims = _whole(et, "claims")
    with_claims = np.flatnonzero(_list_lengths(claims))
    if len(with_claims):
        seen: dict[tuple[int, tuple[str, ...]], int] = {}
        numbers = []
        for c, items in zip(code[with_claims].tolist(),
                            claims.take(_int64(with_claims)).to_pylist(), strict=True):
            key = (c, tuple(items))
            k = seen.get(key)
            if k is None:
                k = seen[key] = len(kinds)
                kinds.append((preds[c // width], key[1], texts[c % width]))
            numbers.append(k)
        kind[with_claims] = numbers
    return {"subject": ends[0], "object": ends[1], "kind": _compact(kind)}, kinds


def decode(data: bytes) -> EvidenceBase:
    from loaders.evidence import EvidenceBase

    meta, a, b = _split(data)
    nt, et = _read_table(a), _read_table(b)
    eb = EvidenceBase(origin=meta.get("origin", ""))
    cols = {c: _plain(nt, c) for c in nt.column_names}
    nodes = eb.nodes
    for i, cat, label, alts, definition, props, sources, origin in zip(
            cols["id"], cols["category"], cols["label"], cols["alt_labels"],
            cols["definition"], _json_column(cols["properties"]),
            _json_column(cols["sources"]), cols["origin"], strict=True):
        nodes[i] = _new(NodeRecord, {
            "id": i, "category": cat, "label": label,
            "alt_labels": tuple(alts) if alts else (), "definition": definition,
            "properties": props or {},
            "sources": tuple(_new(SourceRef, s) for s in sources) if sources else (),
            "origin": origin})
    subjects, objects = _ends(et, cols["id"])
    edges = eb.edges
    empty: tuple[str, ...] = ()
    for s, p, o, claims, props, origin in zip(
            subjects, _plain(et, "predicate"), objects, et.column("claims").to_pylist(),
            _json_column(_plain(et, "properties")), _plain(et, "origin"),
            strict=True):
        edges[(s, p, o)] = _new(EdgeRecord, {
            "subject": s, "predicate": p, "object": o,
            "claims": tuple(claims) if claims else empty,
            "properties": props or {}, "origin": origin})
    if len(nodes) != meta.get("nodes") or len(edges) != meta.get("edges"):
        raise CorruptCache("record counts differ from the header")
    return eb


# ------------------------------------------------------------------------------ get / put
def get(key: str) -> EvidenceBase | None:
    """The cached base of ``key``, or None (miss, disabled, or corrupt: then removed)."""
    return _read(key, decode)


def get_columns(key: str) -> Columns | None:
    """The cached base of ``key`` as plain columns (for the embedded graph, which needs no
    record objects), or None like :func:`get`."""
    return _read(key, columns)


def _read(key: str, how: Callable[[bytes], T]) -> T | None:
    if not enabled():
        return None
    path = _path_for(key)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return how(data)
    except Exception as exc:  # noqa: BLE001 - any damage means: load in full
        log.warning("evidence-base cache %s is unusable (%s); loading the base in full and "
                    "rewriting the cache", path, exc)
        with contextlib.suppress(OSError):
            path.unlink()
        return None


@dataclass
class Columns:
    """The cached base column by column, as the embedded graph needs it (no record objects).

    ``nodes``: id, category, label, alt_labels, definition, properties, sources (JSON decoded).
    ``edges``: ``subject`` and ``object`` as row numbers of ``nodes["id"]``, and ``kind``: each
    link's index into ``link_kinds``, its distinct (predicate, claims, properties as their JSON
    text or None) — a consumer builds and decodes each distinct kind once.
    """

    nodes: dict[str, list[Any]]
    edges: dict[str, array[int]]
    link_kinds: list[LinkKind]

    def links(self) -> Iterator[tuple[str, str, str, tuple[str, ...], str | None]]:
        """Every link as (subject, predicate, object, claims, properties text), in order."""
        ids, kinds, e = self.nodes["id"], self.link_kinds, self.edges
        for s, o, k in zip(e["subject"], e["object"], e["kind"], strict=True):
            predicate, claims, text = kinds[k]
            yield ids[s], predicate, ids[o], claims, text


def columns(data: bytes) -> Columns:
    meta, a, b = _split(data)
    nt, et = _read_table(a), _read_table(b)
    nodes = {c: _plain(nt, c) for c in nt.column_names if c != "origin"}
    for n in ("properties", "sources"):
        nodes[n] = _json_column(nodes[n])
    edges, kinds = _link_columns(et, len(nodes["id"]))
    if len(nodes["id"]) != meta.get("nodes") or len(edges["kind"]) != meta.get("edges"):
        raise CorruptCache("record counts differ from the header")
    return Columns(nodes, edges, kinds)


def put(key: str, eb: EvidenceBase) -> Path | None:
    """Store a checked base under ``key`` (atomically); None when not stored."""
    if not enabled():
        return None
    return _write(key, eb, *_tables(eb))


def put_columns(key: str, eb: EvidenceBase) -> Columns:
    """:func:`put`, and the base as :class:`Columns`, the form a re-open reads from the file
    (:func:`columns`), made in the same pass: a first open builds its graph from them, so it
    reads the records once for both. Stored when it can be, like :func:`put`; the columns come
    back either way."""
    nt, et, cols = _tables_and_columns(eb)
    assert cols is not None
    if enabled():
        _write(key, eb, nt, et)
    return cols


def _write(key: str, eb: EvidenceBase, nt: Any, et: Any) -> Path | None:
    folder = cache_dir()
    if _inside_package(folder):
        log.warning("not caching the evidence base in %s: it is inside the installed package "
                    "(set %s or XDG_CACHE_HOME to a folder of your own)", folder, ENV_DIR)
        return None
    try:
        data = _encode_tables(eb, nt, et)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".base-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            target = _path_for(key)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("could not write the evidence-base cache in %s (%s); the next start "
                    "loads in full again", folder, exc)
        return None
    return target


def sidecar(key: str, name: str) -> Path:
    """Path of a per-base-version artefact (e.g. precomputed gap matrices) next to the cache."""
    return cache_dir() / f"{key[:40]}.{name}"


class Derived:
    """Results computed from one base version (e.g. the default gap matrices), persisted next
    to its cache so they are computed once per version, not once per process.

    Values are pickled small result objects (a few matrices, not the base); the file is
    checksummed like the base cache, written atomically, and ignored when damaged.
    """

    def __init__(self, key: str | None, name: str = "derived",
                 code: Iterable[str | Path] = ()) -> None:
        """``code``: source files whose bytes decide the results (part of the file name)."""
        h = hashlib.sha256()
        for f in code:
            with contextlib.suppress(OSError):
                h.update(Path(f).read_bytes())
        self.path = sidecar(key, f"{name}-{h.hexdigest()[:16]}.pickle") \
            if key and enabled() else None
        self._data: dict[Any, Any] | None = None

    def _load(self) -> dict[Any, Any]:
        if self._data is None:
            self._data = {}
            if self.path is not None:
                import pickle

                with contextlib.suppress(OSError):
                    raw = self.path.read_bytes()
                    body, digest = raw[:-_DIGEST], raw[-_DIGEST:]
                    if body.startswith(MAGIC) and hashlib.sha256(body).digest() == digest:
                        with contextlib.suppress(Exception):
                            self._data = dict(pickle.loads(body[len(MAGIC):]))  # noqa: S301
        return self._data

    def get(self, key: Any) -> Any:
        return self._load().get(key)

    def put(self, key: Any, value: Any) -> None:
        data = self._load()
        data[key] = value
        if self.path is None or _inside_package(self.path.parent):
            return
        import pickle

        body = MAGIC + pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".derived-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(body + hashlib.sha256(body).digest())
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("could not persist %s (%s)", self.path, exc)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
