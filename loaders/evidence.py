"""The curated evidence base: YAML files → validated, typed records.

:class:`EvidenceBaseSource` reads every ``*.yaml`` under a directory (the shipped one by
default), parses each entry into its family model (:mod:`loaders.entries`) and turns it into
:class:`~loaders.records.NodeRecord` / :class:`~loaders.records.EdgeRecord`.
:func:`load_evidence_base` then checks the whole: unique ids, references that resolve to the
right classes, claims with citations and provenance, evidence links with claims, and finally
SHACL over the RDF form. Any problem raises :class:`~loaders.errors.ValidationFailed` before a
single record is written.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from loaders import basecache
from loaders.entries import (
    FAMILY_MODELS,
    NO_CONTROL,
    CitationEntry,
    ClaimEntry,
    ConceptEntry,
    LinkEntry,
    dump_value,
    property_fields,
    relation_fields,
)
from loaders.errors import Problem, ValidationFailed
from loaders.limits import max_base_bytes, size_problem
from loaders.records import (
    EdgeRecord,
    NodeRecord,
    Record,
    SourceRef,
    edge_record,
    node_record,
    source_ref,
)
from loaders.workspace import is_workspace, overlay_files
from loaders.yamlio import line_of, load_yaml, locate, to_plain
from ontology.schema import (
    CLASS_BY_FAMILY,
    CLASS_BY_NAME,
    LIST_PREDICATES,
    PREDICATE_BY_NAME,
    is_a,
)


def default_evidence_dir() -> Path:
    """The evidence base shipped inside the package (works from a wheel or a checkout)."""
    return Path(str(resources.files("loaders") / "data" / "evidence"))


@dataclass(slots=True)
class _Parsed:
    """A record plus where it was written."""

    record: Record
    file: str
    line: int | None


class EvidenceBaseSource:
    """One source: a directory (or single file) of evidence-base YAML."""

    name = "evidence"

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else default_evidence_dir()
        self.problems: list[Problem] = []
        self._parsed: list[_Parsed] = []

    # -- reading ------------------------------------------------------------------------
    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        if not self.path.exists():
            raise ValidationFailed([Problem(str(self.path), None, None, "missing",
                                            "no such file or directory",
                                            "pass the folder that holds the YAML files")])
        # a workspace (intersections.toml) loads its own evidence/ over the shipped base
        files = (overlay_files(self.path) if is_workspace(self.path)
                 else sorted(p for p in self.path.rglob("*.yaml") if p.is_file()))
        total, limit = sum(_size(p) for p in files), max_base_bytes()
        if total > limit:
            raise ValidationFailed([size_problem(str(self.path), total, limit,
                                                 "INTERSECTIONS_MAX_BASE_MB",
                                                 "the evidence base")])
        return files

    def empty_problem(self) -> Problem:
        """Why a folder holding no entries is refused (it would wipe a loaded database)."""
        if self.path.is_file():
            return Problem(str(self.path), None, None, "no-entries",
                           "the file holds no entries", "add entries, or pass the right file")
        others = sorted(p.name for p in self.path.rglob("*.yml"))[:3]
        if others:
            what = (f"no *.yaml files (found {', '.join(others)}: evidence files must end in "
                    ".yaml)")
            hint = "rename the files to .yaml"
        elif not any(self.path.iterdir()):
            what = "the folder is empty (an unmounted volume or a wrong path?)"
            hint = "pass the folder that holds the evidence YAML files"
        else:
            what = "no evidence entries in any *.yaml file"
            hint = "pass the folder that holds the evidence YAML files"
        return Problem(str(self.path), None, None, "no-entries", what,
                       hint + "; an empty base is refused so that loading it cannot wipe a "
                       "database")

    def _display(self, p: Path) -> str:
        try:
            return str(p.relative_to(Path.cwd()))
        except ValueError:
            return str(p)

    def parse(self) -> Iterator[Record]:
        """Yield records of every valid entry; invalid ones are collected in ``problems``."""
        for item in self._parse_all():
            yield item.record

    def _parse_all(self) -> list[_Parsed]:
        if self._parsed:
            return self._parsed
        out: list[_Parsed] = []
        for path in self.files():
            out.extend(self._parse_file(path))
        self._parsed = out
        return out

    def _parse_file(self, path: Path) -> Iterator[_Parsed]:
        display = self._display(path)
        doc, problems = load_yaml(path, display)
        self.problems.extend(problems)
        if doc is None:
            return
        if not isinstance(doc, dict):
            self.problems.append(Problem(display, 1, None, "file-shape",
                                         "the file must be a mapping of family names to lists",
                                         "start lines with e.g. 'risk_factors:' and list entries "
                                         "under it with '- id: ...'"))
            return
        for family, items in doc.items():
            fam_line = line_of(doc, family)
            if family not in FAMILY_MODELS:
                near = difflib.get_close_matches(str(family), FAMILY_MODELS, n=1)
                self.problems.append(Problem(
                    display, fam_line, None, "unknown-family", f"unknown section {family!r}",
                    f"did you mean {near[0]!r}?" if near else
                    "known sections: " + ", ".join(FAMILY_MODELS)))
                continue
            if items is None:
                continue
            if not isinstance(items, list):
                self.problems.append(Problem(display, fam_line, None, "family-shape",
                                             f"{family!r} must be a list of entries",
                                             "put '- ' before each entry"))
                continue
            lines = getattr(items, "item_lines", None)
            for idx, entry in enumerate(items):
                line = lines[idx] if lines is not None and idx < len(lines) else None
                yield from self._parse_entry(family, entry, display, line)

    def _parse_entry(self, family: str, entry: Any, display: str,
                     line: int | None) -> list[_Parsed]:
        model = FAMILY_MODELS[family]
        rid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(entry, dict):
            self.problems.append(Problem(display, line, None, "entry-shape",
                                         "an entry must be a mapping of keys to values",
                                         "write 'key: value' lines under '- '"))
            return []
        try:
            parsed = model.model_validate(to_plain(entry))
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                field_path = ".".join(str(x) for x in loc) or "(entry)"
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    near = difflib.get_close_matches(str(loc[-1]), model.model_fields, n=1)
                    hint = f"did you mean {near[0]!r}?" if near else \
                        "allowed keys: " + ", ".join(model.model_fields)
                    msg = f"unknown key {loc[-1]!r}"
                elif err["type"] == "missing":
                    hint = f"add '{loc[-1]}:'"
                elif err["type"] == "literal_error":
                    hint = None
                elif err["type"] == "string_pattern_mismatch":
                    hint, msg = _pattern_hint(loc, msg, (err.get("ctx") or {}).get("pattern"))
                else:
                    hint = None
                self.problems.append(Problem(display, locate(entry, loc) or line, rid,
                                             "schema", f"{field_path}: {msg}", hint))
            return []
        origin = f"{display}:{line}" if line else display
        return [_Parsed(rec, display, line) for rec in _to_records(family, parsed, origin)]


def _pattern_hint(loc: tuple[Any, ...], msg: str, pattern: str | None) -> tuple[str, str]:
    """Hint and message for a pattern mismatch: a control character, a web address or an id."""
    if pattern == NO_CONTROL:
        return ("delete the invisible character (often pasted from another program)",
                "contains a control character (such as NUL)")
    if loc and str(loc[-1]) == "url":
        return ("write the full address starting with https:// (or http://)",
                "only http(s) web addresses are accepted")
    return "ids look like 'prefix:words-with-dashes', lowercase", msg


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def _sources(entries: list[Any]) -> tuple[SourceRef, ...]:
    return tuple(source_ref(s.citation, s.locator) for s in entries)


@functools.cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A model's property and relation fields, worked out once per model (not per entry)."""
    return tuple(property_fields(model)), tuple(relation_fields(model))


def _to_records(family: str, entry: BaseModel, origin: str) -> Iterator[Record]:
    """One validated entry → its node record and the edges it states inline.

    The entry passed its model's checks, so records are built without a second validation
    (:func:`loaders.records.trusted`; the same values and types the models would produce).
    """
    model = type(entry)
    if isinstance(entry, LinkEntry):
        link_props: dict[str, Any] = {"basis": entry.basis}
        if entry.note:
            link_props["note"] = entry.note
            if entry.basis == "inferred":
                link_props["basis_note"] = entry.note
        if entry.sources:
            link_props["sources"] = [dump_value(x) for x in entry.sources]
        yield edge_record(_id(entry.subject), entry.predicate, _id(entry.object),
                          tuple(entry.claims), link_props, origin)
        return
    spec = CLASS_BY_FAMILY[family]
    props: dict[str, Any] = {}
    props_of, relations_of = _fields(model)
    for f in props_of:
        v = getattr(entry, f)
        if v not in (None, [], ""):
            props[f] = dump_value(v)
    if isinstance(entry, ClaimEntry):
        label = entry.label or _shorten(entry.statement)
        cid = _id(entry.id)
        node = node_record(cid, spec.name, label, (), entry.statement,
                           {k: v for k, v in props.items() if k not in ("statement", "label")}
                           | ({"note": entry.note} if entry.note else {}),
                           (source_ref(entry.stated_in.citation, entry.stated_in.locator),),
                           origin)
        yield node
        for target in entry.about:
            yield edge_record(cid, "about", _id(target), (), _NO_PROPS, origin)
        for cite in entry.supported_by:
            yield edge_record(cid, "supported_by", _id(cite), (), _NO_PROPS, origin)
        yield edge_record(cid, "stated_in", _id(entry.stated_in.citation), (),
                          {"locator": entry.stated_in.locator}, origin)
        return
    if isinstance(entry, CitationEntry):
        yield node_record(_id(entry.id), spec.name, entry.title, (), None,
                          {k: v for k, v in props.items() if k != "title"},
                          _sources(entry.sources), origin)
        return
    assert isinstance(entry, ConceptEntry)
    if entry.mappings:
        props["mappings"] = [dump_value(m) for m in entry.mappings]
    if entry.note:
        props["note"] = entry.note
    nid = _id(entry.id)
    yield node_record(nid, spec.name, entry.label, tuple(entry.alt_labels),
                      entry.definition, props, _sources(entry.sources), origin)
    # a relation written inside an entry is stated by that entry's own sources (see
    # docs/curation.md); an inferred one is written under ``links:`` with ``basis: inferred``
    for pred in relations_of:
        for n, target in enumerate(getattr(entry, pred), 1):
            props = {"basis": "stated", "position": n} if pred in LIST_PREDICATES \
                else _INLINE_PROPS
            yield edge_record(nid, pred, _id(target), (), props, origin)


#: Ids are interned: every link's ends are then the very str objects the nodes are keyed by
#: (dict lookups by identity across ~1M links at 100k nodes, one copy of each id in memory).
_id = sys.intern

#: Edge properties of a relation written inside an entry, and of a link without any: shared by
#: every such record (records are frozen and nothing changes their properties in place; at
#: 100k nodes one dict per link was ~200 MB).
_INLINE_PROPS: dict[str, Any] = {"basis": "stated"}
_NO_PROPS: dict[str, Any] = {}


def _shorten(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


@dataclass
class EvidenceBase:
    """A validated evidence base: nodes by id and edges by (subject, predicate, object)."""

    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], EdgeRecord] = field(default_factory=dict)
    origin: str = ""
    #: content key of the files it was read from (loaders.basecache), when known
    key: str | None = None

    def records(self) -> Iterator[Record]:
        yield from self.nodes.values()
        yield from self.edges.values()

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for n in self.nodes.values():
            out[n.category] = out.get(n.category, 0) + 1
        return out


def assemble(parsed: list[_Parsed], problems: list[Problem], *,
             claimed: set[tuple[str, str, str]] | None = None) -> EvidenceBase:
    """Check ids and references across all records; merge repeated edges (union of claims).

    ``claimed``: filled with the keys of the links that carry claims (for
    :func:`check_evidence_links`, which then reads only those records)."""
    eb = EvidenceBase()
    where: dict[str, tuple[str, int | None]] = {}
    links: list[_Parsed] = []  # the second loop reads only these (records are scattered)
    for item in parsed:
        rec = item.record
        if not isinstance(rec, NodeRecord):
            links.append(item)
        else:
            if rec.id in eb.nodes:
                f, ln = where[rec.id]
                problems.append(Problem(item.file, item.line, rec.id, "duplicate-id",
                                        f"id already used at {f}:{ln}",
                                        "give one of them another id, or merge the two"))
                continue
            eb.nodes[rec.id] = rec
            where[rec.id] = (item.file, item.line)
    nodes, edges = eb.nodes, eb.edges
    quick = _quick_ends()
    for item in links:
        rec = item.record
        if isinstance(rec, EdgeRecord):
            subject, predicate, obj = rec.subject, rec.predicate, rec.object
            if PREDICATE_BY_NAME[predicate].symmetric and subject > obj:
                # one stored direction for symmetric links, so A–B and B–A merge
                rec = rec.model_copy(update={"subject": obj, "object": subject})
                subject, obj = obj, subject
            # most links (~1M at 100k nodes) pass at a glance: both ends exist with the right
            # classes, no claims to resolve, no predicate-specific rule; the rest (and every
            # problem with its message) goes through _check_edge
            ends = quick.get(predicate)
            s_node, o_node = nodes.get(subject), nodes.get(obj)
            if not (ends is not None and s_node is not None and o_node is not None
                    and not rec.claims and s_node.category in ends[0]
                    and o_node.category in ends[1]) \
                    and not _check_edge(rec, nodes, item, problems):
                continue
            key = (subject, predicate, obj)
            prev = edges.get(key)
            if prev is not None and prev.properties.get("basis", "stated") != \
                    rec.properties.get("basis", "stated"):
                problems.append(Problem(
                    item.file, item.line, rec.subject, "basis-conflict",
                    f"{rec.subject} {rec.predicate} {rec.object} is written twice, once as "
                    f"{prev.properties.get('basis')} ({prev.origin}) and once as "
                    f"{rec.properties.get('basis')}",
                    "keep one: a link a document states is not also inferred"))
                continue
            if prev is not None:
                claims = tuple(dict.fromkeys((*prev.claims, *rec.claims)))
                rec = prev.model_copy(update={"claims": claims,
                                              "properties": prev.properties | rec.properties})
            edges[key] = rec
            if claimed is not None and rec.claims:
                claimed.add(key)
    for node in eb.nodes.values():
        _check_node_refs(node, eb.nodes, where, problems)
    return eb


def _suggest(target: str, nodes: dict[str, NodeRecord]) -> str:
    near = difflib.get_close_matches(target, nodes.keys(), n=3, cutoff=0.6)
    return ("did you mean " + " or ".join(repr(n) for n in near) + "?") if near else \
        "add an entry with this id, or correct the reference"


@functools.cache
def _is_a(category: str, allowed: tuple[str, ...]) -> bool:
    """:func:`is_a` memoised: ~20 (class, domain/range) pairs answer a million edge checks."""
    return is_a(category, allowed)


#: Predicates with a rule of their own in :func:`_check_edge` (never take the quick path).
_CHECKED_PREDICATES = frozenset({"broader", "stated_in"})


@functools.cache
def _quick_ends() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """For each predicate that may take :func:`assemble`'s quick path (no rule of its own, not
    an evidence relation): the classes its subject and its object may have, as sets — one
    membership test per end instead of an :func:`is_a` lookup keyed by a tuple. A class not
    in these sets (or a predicate not here) goes through :func:`_check_edge`, which decides
    and words every problem, so the sets can only ever send a link the long way."""
    return {name: (frozenset(c for c in CLASS_BY_NAME if is_a(c, spec.domain)),
                   frozenset(c for c in CLASS_BY_NAME if is_a(c, spec.range)))
            for name, spec in PREDICATE_BY_NAME.items()
            if name not in _CHECKED_PREDICATES and not spec.evidence}


def _check_edge(rec: EdgeRecord, nodes: dict[str, NodeRecord], item: _Parsed,
                problems: list[Problem]) -> bool:
    spec = PREDICATE_BY_NAME[rec.predicate]
    who = rec.subject
    ok = True
    for end, ident, allowed in (("subject", rec.subject, spec.domain),
                                ("object", rec.object, spec.range)):
        node = nodes.get(ident)
        if node is None:
            problems.append(Problem(item.file, item.line, who, "unknown-reference",
                                    f"{rec.predicate} → {ident!r}: no entry has this id"
                                    if end == "object" else f"unknown {end} {ident!r}",
                                    _suggest(ident, nodes)))
            ok = False
        elif not _is_a(node.category, allowed):
            problems.append(Problem(
                item.file, item.line, who, "wrong-target",
                f"{rec.predicate} cannot have a {node.category} ({ident}) as its {end}",
                f"{rec.predicate} {end}s must be one of: {', '.join(allowed)}"))
            ok = False
    if spec.evidence and not rec.claims:
        problems.append(Problem(item.file, item.line, who, "link-without-evidence",
                                f"{rec.subject} {rec.predicate} {rec.object} lists no claims",
                                "add 'claims: [claim:...]' naming the claims that support it"))
        ok = False
    for c in rec.claims:
        node = nodes.get(c)
        if node is None or node.category != "Claim":
            problems.append(Problem(item.file, item.line, who, "unknown-claim",
                                    f"{rec.predicate} → {rec.object} cites {c!r}, "
                                    "which is not a claim", _suggest(c, nodes)))
            ok = False
    if rec.predicate == "broader" and ok:
        a, b = nodes[rec.subject].category, nodes[rec.object].category
        if not (is_a(a, b) or is_a(b, a)):
            problems.append(Problem(item.file, item.line, who, "broader-across-vocabularies",
                                    f"broader links a {a} to a {b}",
                                    "broader/narrower stays inside one vocabulary"))
            ok = False
    if rec.predicate == "stated_in" and ok and \
            nodes[rec.object].properties.get("kind") != "source_document":
        problems.append(Problem(item.file, item.line, who, "stated-in-not-a-document",
                                f"{rec.object} is not one of the curated source documents",
                                "stated_in names a citation with kind: source_document"))
        ok = False
    return ok


def _check_node_refs(node: NodeRecord, nodes: dict[str, NodeRecord],
                     where: dict[str, tuple[str, int | None]], problems: list[Problem]) -> None:
    f, ln = where[node.id]
    for s in node.sources:
        target = nodes.get(s.citation)
        if target is None or target.category != "Citation":
            problems.append(Problem(f, ln, node.id, "unknown-source",
                                    f"source {s.citation!r} is not a citation",
                                    _suggest(s.citation, nodes)))
    for li in node.properties.get("listed_in", []):
        target = nodes.get(li["citation"])
        if target is None or target.category != "Citation":
            problems.append(Problem(f, ln, node.id, "unknown-source",
                                    f"listed_in {li['citation']!r} is not a citation",
                                    _suggest(li["citation"], nodes)))


#: Problems that stop a whole file from being read; every entry in it is then missing.
FILE_RULES = frozenset({"yaml-syntax", "yaml-alias", "too-large", "too-deep", "encoding",
                        "unreadable", "file-shape"})
#: Problems that follow from a missing entry (a reference to an id that could not be read).
REFERENCE_RULES = frozenset({"unknown-reference", "unknown-claim", "unknown-source"})


def fold_cascade(problems: list[Problem]) -> list[Problem]:
    """When a file could not be read, its references fail everywhere; fold them into one line.

    One YAML syntax error used to produce 141 problems with the real one 135th: the file's
    entries were missing, so every link to them failed too. The file problem stays; dangling
    references become one summary problem telling the user to fix the file first.
    """
    broken = [p for p in problems if p.rule in FILE_RULES]
    if not broken:
        return problems
    folded = [p for p in problems if p.rule in REFERENCE_RULES]
    if not folded:
        return problems
    kept = [p for p in problems if p.rule not in REFERENCE_RULES]
    files = ", ".join(dict.fromkeys(p.file for p in broken))
    n = len(folded)
    kept.append(Problem(
        folded[0].file, None, None, "follow-on",
        f"{n} reference{'s' if n != 1 else ''} to ids not found (not listed): the entries they "
        f"name may be in {files}, which could not be read",
        "fix the problem(s) above first, then validate again"))
    return kept


def check_evidence_links(eb: EvidenceBase, problems: list[Problem],
                         claimed: set[tuple[str, str, str]] | None = None) -> None:
    """Derived invariants: a claim backing a link should be about an end of that link.

    ``claimed``: the keys of every link with claims, when known (:func:`assemble` fills it):
    then only those records are read, in the same order, instead of all ~1M of a 100k base."""
    about: dict[str, set[str]] = {}
    for (s, p, o) in eb.edges:
        if p == "about":
            about.setdefault(s, set()).add(o)
    edges = eb.edges
    with_claims = edges.values() if claimed is None else \
        [edges[k] for k in edges if k in claimed]
    for rec in with_claims:
        for c in rec.claims:
            targets = about.get(c, set())
            if rec.subject not in targets and rec.object not in targets:
                node = eb.nodes[c]
                file, _, line = (node.origin or "").rpartition(":")
                problems.append(Problem(
                    file or (node.origin or "?"), int(line) if line.isdigit() else None, c,
                    "claim-not-about-link",
                    f"supports {rec.subject} {rec.predicate} {rec.object} but is about neither",
                    f"add {rec.subject} or {rec.object} to the claim's 'about'"))


def _fingerprint(files: list[Path]) -> str:
    """Content hash of the evidence files and the shapes they are checked against."""
    from ontology.build import SHAPES_FILE

    h = hashlib.sha256()
    for f in [*files, SHAPES_FILE]:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _cache_marker(fingerprint: str) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "intersections" / f"shacl-ok-{fingerprint[:32]}"


@contextlib.contextmanager
def paused_gc(*, freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk load.

    Loading allocates millions of long-lived containers; every generation-2 collection walks all
    of them, which made parsing superlinear (108 s instead of ~25 s at 100k nodes, see
    BENCHMARKS.md). Reference counting still frees everything that is not a cycle; collection
    resumes (and catches up) when the block ends.

    ``freeze``: for data that lives as long as the process (the embedded graph), move
    everything out of the collector's reach (``gc.freeze()``) *before* collection resumes —
    otherwise the first allocation after the block walks every object just made (~0.4 s per
    million objects). Nested blocks resume nothing: only the outermost one re-enables.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        elif was_enabled and gc.get_freeze_count() == 0:
            # Hand what the block made to the oldest generation without a pass over it (the
            # first allocation after gc.enable() would otherwise walk all of it as "young": ~2 s
            # at 100k nodes). Cycles among it are still found by the next full collection.
            # Skipped when something is frozen already: unfreeze() would thaw that too.
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def load_evidence_base(path: Path | str | None = None, *, shacl: bool = True,
                       use_cache: bool = True, write_cache: bool = True) -> EvidenceBase:
    """Read, check and return the evidence base; raise ValidationFailed listing every problem.

    SHACL is the slowest check (seconds); when the very same files already passed it, a marker
    in the user cache lets read-only uses (CLI queries, the explorer) skip it. ``validate`` and
    every loader that writes pass ``use_cache=False``. Large bases get SHACL on a sample (see
    :mod:`loaders.shacl` for the policy).

    A base that passed is written to the base cache (:mod:`loaders.basecache`) unless
    ``write_cache=False``: for a caller that writes it itself with
    :func:`loaders.basecache.put_columns` under ``eb.key`` (the embedded graph, which builds
    from the same columns).
    """
    with paused_gc():
        return _load_evidence_base(path, shacl=shacl, use_cache=use_cache,
                                   write_cache=write_cache)


def _load_evidence_base(path: Path | str | None, *, shacl: bool,
                        use_cache: bool, write_cache: bool = True) -> EvidenceBase:
    source = EvidenceBaseSource(path)
    key = _base_key(source, shacl)
    if use_cache and key is not None:
        cached = basecache.get(key)
        if cached is not None:  # the very same bytes passed every check before
            cached.origin = str(source.path)
            cached.key = key
            return cached
    parsed = source._parse_all()
    problems = list(source.problems)
    if not parsed and not problems:
        raise ValidationFailed([source.empty_problem()])
    claimed: set[tuple[str, str, str]] = set()
    eb = assemble(parsed, problems, claimed=claimed)
    problems = fold_cascade(problems)
    if not problems:
        check_evidence_links(eb, problems, claimed)
    if not problems and shacl:
        marker = _cache_marker(_fingerprint(source.files())) if use_cache else None
        if marker is None or not marker.exists():
            from loaders.shacl import shacl_problems

            problems.extend(shacl_problems(eb))
            if not problems and use_cache and marker is not None:
                with contextlib.suppress(OSError):
                    marker.parent.mkdir(parents=True, exist_ok=True)
                    marker.touch()
    if problems:
        raise ValidationFailed(problems)
    eb.origin = str(source.path)
    eb.key = key
    if key is not None and write_cache:  # checked as asked (the key says whether SHACL ran)
        basecache.put(key, eb)
    return eb


def cache_key(path: Path | str | None = None, *, shacl: bool = True) -> str | None:
    """The base-cache key of an evidence folder as :func:`load_evidence_base` reads it."""
    return _base_key(EvidenceBaseSource(path), shacl)


def _base_key(source: EvidenceBaseSource, shacl: bool) -> str | None:
    """Content key of the files this source reads (None: cache off or files unreadable here;
    the full load then reports the problem)."""
    if not basecache.enabled():
        return None
    try:
        files = source.files()
        root = source.path if source.path.is_dir() else source.path.parent
        return basecache.base_key(files, root, shacl=shacl)
    except (ValidationFailed, OSError):
        return None
