"""The embedded backend: the evidence base in a networkx MultiDiGraph, no server needed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from graph.backend import EdgeView, GraphBackend
from graph.models import Coverage
from graph.nx_build import GraphBuilder, props_key
from graph.text import SearchText, search_texts
from loaders.basecache import Columns, Derived, get_columns, put_columns
from loaders.evidence import EvidenceBase, cache_key, load_evidence_base, paused_gc

_EDGE_RESERVED = {"predicate", "claims"}
#: The code that computes coverage / gap maps: persisted results are keyed by its bytes too.
_DERIVED_CODE = tuple(Path(__file__).with_name(n) for n in ("backend.py", "nx_backend.py",
                                                            "models.py"))
#: Shared (read-only) properties of a plain stated link.
_STATED: dict[str, Any] = {"basis": "stated"}


class NetworkxBackend(GraphBackend):
    """Primitives over an in-memory graph plus a token index for search."""

    name = "networkx"

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._by_category: dict[str, list[str]] = defaultdict(list)
        self._postings: dict[str, set[str]] = defaultdict(set)
        self._texts: dict[str, tuple[SearchText, ...]] = {}
        self._coverage_cache: dict[tuple[Any, ...], Coverage] = {}
        #: results computed once per base version (persisted with the base cache when known)
        self.derived = Derived(None)
        for node_id, d in graph.nodes(data=True):
            self._by_category[d["category"]].append(node_id)
            texts = search_texts(d["label"], d.get("alt_labels") or ())
            self._texts[node_id] = texts
            for _, _, _, words in texts:
                for tok in words:
                    self._postings[tok].add(node_id)
        for ids in self._by_category.values():
            ids.sort()
        self._vocab = sorted(self._postings)

    @classmethod
    def from_evidence_base(cls, eb: EvidenceBase) -> NetworkxBackend:
        """The embedded graph of validated records (see :mod:`graph.nx_build`: one shared,
        read-only data dict per distinct link)."""
        # The graph lives as long as the process: ``freeze`` moves it out of the collector's
        # reach, or every later generation-2 collection walks it (1-2 s pauses inside queries
        # at 100k nodes). Objects freed later are still freed by reference counting.
        with paused_gc(freeze=True):  # millions of small dicts: see loaders.evidence.paused_gc
            build = GraphBuilder()
            for n in eb.nodes.values():
                attrs = {"category": n.category, "label": n.label,
                         "alt_labels": list(n.alt_labels), "definition": n.definition,
                         "sources": [{"citation": s.citation, "locator": s.locator}
                                     for s in n.sources]}
                if n.properties:
                    attrs.update(n.properties)
                build.node(n.id, attrs)
            # a small number per distinct property set (records often share one dict object)
            number: dict[int, int] = {}
            numbered: dict[Hashable, int] = {}
            props: list[dict[str, Any]] = []

            def rows() -> Iterator[tuple[str, str, str, tuple[str, ...], Hashable]]:
                for e in eb.edges.values():
                    n = number.get(id(e.properties))
                    if n is None:
                        pk = props_key(e.properties)
                        n = numbered.get(pk)
                        if n is None:
                            n = numbered[pk] = len(props)
                            props.append(e.properties)
                        number[id(e.properties)] = n
                    yield e.subject, e.predicate, e.object, e.claims, n

            build.edges(rows(), props.__getitem__)  # type: ignore[arg-type]
            backend = cls(build.finish())
        backend.derived = Derived(eb.key, "gaps", _DERIVED_CODE)
        return backend

    @classmethod
    def from_columns(cls, cols: Columns, key: str | None = None) -> NetworkxBackend:
        """The same graph as :meth:`from_evidence_base` (same attributes, same order), built
        straight from the base cache's columns: no record objects, and each distinct link
        properties text decoded once."""
        with paused_gc(freeze=True):
            build = GraphBuilder()
            n = cols.nodes
            for i, cat, label, alts, definition, props, sources in zip(
                    n["id"], n["category"], n["label"], n["alt_labels"], n["definition"],
                    n["properties"], n["sources"], strict=True):
                attrs = {"category": cat, "label": label, "alt_labels": alts or [],
                         "definition": definition, "sources": sources or []}
                if props:
                    attrs.update(props)
                build.node(i, attrs)
            e = cols.edges
            # links by row number; each distinct kind's properties text decoded once
            build.links_by_row(n["id"], e["subject"], e["object"], e["kind"], cols.link_kinds,
                               lambda text: json.loads(text) if text else None)
            backend = cls(build.finish())
        backend.derived = Derived(key, "gaps", _DERIVED_CODE)
        return backend

    @classmethod
    def load(cls, path: Path | str | None = None, *, shacl: bool = True,
             check_in_child: bool = False) -> NetworkxBackend:
        """Validate and load an evidence-base folder (the shipped one by default); an
        unchanged base comes straight from the base cache (:mod:`loaders.basecache`).

        ``check_in_child`` (the explorer, a long-lived process): a base not in the cache yet is
        parsed and checked in a child process, which writes the cache; this process then reads
        it like any re-open. Parsing leaves ~0.5 GB of freed but fragmented heap behind at 100k
        nodes (1.2 GB RSS instead of ~0.7 GB for the same graph). If the child fails (problems
        in the base) or no cache could be written, the base loads here as usual, so problems
        are reported exactly as always.
        """
        # one pause over reading and building: the collector never walks the records
        with paused_gc(freeze=True):
            key = cache_key(path, shacl=shacl)
            cols = get_columns(key) if key else None
            if cols is None and key and check_in_child and _checked_in_child(path, shacl):
                cols = get_columns(key)
            if cols is not None:
                return cls.from_columns(cols, key)
            eb = load_evidence_base(path, shacl=shacl, write_cache=False)
            if eb.key is None:  # the cache is off (or the files' key is unknown)
                return cls.from_evidence_base(eb)
            # A first open: the cache is written and the graph built from the same columns —
            # one pass over the ~1M records instead of one for each (they are scattered in
            # memory after parsing), and exactly the graph every later re-open builds.
            return cls.from_columns(put_columns(eb.key, eb), eb.key)

    # ------------------------------------------------------------------ primitives
    def node_data(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        nodes = self.graph.nodes
        return {i: nodes[i] for i in ids if i in nodes}

    def edges_of(self, ids: Iterable[str],
                  predicates: frozenset[str] | None = None) -> list[EdgeView]:
        # Straight over the adjacency dicts (what out_edges/in_edges iterate, in the same
        # order) without building edge views: ~3x faster on hubs and on coverage's 10^5 links.
        succ, pred = self.graph._succ, self.graph._pred
        seen: set[tuple[str, str, str]] = set()
        out = []
        for i in ids:
            if i not in succ:
                continue
            for forward, nbrs in ((True, succ[i]), (False, pred[i])):
                for other, keyed in nbrs.items():
                    for k, d in keyed.items():
                        if predicates is not None and k not in predicates:
                            continue
                        key = (i, k, other) if forward else (other, k, i)
                        if key in seen:
                            continue
                        seen.add(key)
                        if len(d) == 2 and "claims" in d and "predicate" in d:
                            props = {}
                        elif len(d) == 3 and d.get("basis") == "stated" and "claims" in d \
                                and "predicate" in d:
                            props = _STATED  # most links: skip building a dict per link
                        else:
                            props = {x: v for x, v in d.items() if x not in _EDGE_RESERVED}
                        out.append(EdgeView(key[0], k, key[2], tuple(d.get("claims") or ()),
                                            props))
        return out

    def ids_of(self, categories: frozenset[str]) -> list[str]:
        out: list[str] = []
        for c in sorted(categories):
            out.extend(self._by_category.get(c, ()))
        return sorted(out)

    def search_candidates(self, query_tokens: list[str]) -> Iterable[tuple[str, dict[str, Any]]]:
        result: set[str] | None = None
        for q in query_tokens:
            ids: set[str] = set()
            for tok in self._vocab:
                if q in tok:
                    ids |= self._postings[tok]
            result = ids if result is None else result & ids
            if not result:
                return []
        nodes = self.graph.nodes
        return [(i, nodes[i]) for i in sorted(result or ())]

    def coverage(self, rows: str = "Harm", cols: str = "PreventionStrategy", *,
                 via: str = "Intervention", rollup: bool = True,
                 top_level_only: bool = False, include_inferred: bool = True) -> Coverage:
        """As :meth:`GraphBackend.coverage`, memoised: the embedded graph never changes after
        loading, and the gap-map page asks for the same matrix on every click and download."""
        key = (rows, cols, via, rollup, top_level_only, include_inferred)
        hit = self._coverage_cache.get(key)
        if hit is None:
            hit = self.derived.get(("coverage", *key))
        if hit is None:
            hit = super().coverage(rows, cols, via=via, rollup=rollup,
                                   top_level_only=top_level_only,
                                   include_inferred=include_inferred)
            self.derived.put(("coverage", *key), hit)
            if len(self._coverage_cache) >= 32:
                self._coverage_cache.pop(next(iter(self._coverage_cache)))
            self._coverage_cache[key] = hit
        return hit

    def gap_map(self, rows: str = "Harm", cols: str = "PreventionStrategy", *,
                via: str = "Intervention", top_level_only: bool = False,
                population: str | None = None, region: str | None = None,
                evidence_kind: str | None = None, source: str | None = None,
                include_inferred: bool = True) -> Coverage:
        """As :meth:`GraphBackend.gap_map`; unfiltered maps (what the page opens with) are
        computed once per base version and persisted with the base cache."""
        args = dict(via=via, top_level_only=top_level_only, population=population,
                    region=region, evidence_kind=evidence_kind, source=source,
                    include_inferred=include_inferred)
        unfiltered = not (population or region or evidence_kind or source)
        key = ("gap_map", rows, cols, *sorted(args.items()))
        hit = self.derived.get(key) if unfiltered else None
        if hit is None:
            hit = super().gap_map(rows, cols, **args)  # type: ignore[arg-type]
            if unfiltered:
                self.derived.put(key, hit)
        return hit

    def warm_defaults(self) -> None:
        """Compute (or read back) the matrices the gap-map page opens with."""
        for top in (False, True):
            self.gap_map(top_level_only=top)

    def _search_texts(self, node_id: str, attrs: dict[str, Any]) -> tuple[SearchText, ...]:
        return self._texts[node_id]

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        by_cat = {c: len(ids) for c, ids in self._by_category.items()}
        by_pred = Counter(k for _, _, k in self.graph.edges(keys=True))
        return by_cat, dict(by_pred)


_CHILD_CHECK = ("import sys\n"
                "from loaders.evidence import load_evidence_base\n"
                "load_evidence_base(sys.argv[1] or None, shacl=sys.argv[2] == '1')\n")


def _checked_in_child(path: Path | str | None, shacl: bool) -> bool:
    """Parse and check a base in a fresh interpreter (it writes the base cache on success).
    True when the child passed; its output is not needed (a failure loads in this process)."""
    import subprocess
    import sys

    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD_CHECK, str(path or ""),
                               "1" if shacl else "0"], capture_output=True, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0

