"""Which sources a set of results rests on, rendered for exports (CSV, JSON, BibTeX).

Given the node and claim ids an export contains, :func:`sources_for` collects

* for claims: the citations that **support** them and the source document that **states** them
  (with its locator), lists claims that have no supporting citation, and explains each
  quality flag the claims carry (the text comes from ``ontology.schema.QUALITY_FLAGS``);
* for concepts and other entries: the citations in their ``sources`` (with locators);
* for citations in the result: the citation itself and the source document that lists it.

Any export — query results, the explorer's tables, CLI output — calls :func:`export_csv`,
:func:`export_json` or :func:`export_bibtex` so that what it hands out carries its citations.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from graph.models import CitationInfo
from ontology.schema import QUALITY_FLAGS, flag_explanation

if TYPE_CHECKING:
    from graph.backend import GraphBackend
    from graph.sparql import QueryResult

#: How to cite the project (kept identical to CITATION.cff; a test checks they agree).
PROJECT_TITLE = "Intersections"
PROJECT_VERSION = "0.1.0"
PROJECT_AUTHORS = "Intersections contributors"
PROJECT_CITATION = (
    f"{PROJECT_AUTHORS}. {PROJECT_TITLE}: a knowledge graph and evidence explorer on human "
    f"trafficking, intimate partner violence, sexual violence and child welfare "
    f"(version {PROJECT_VERSION}) [software and evidence base]. MIT License."
)
#: Cap on how many ids one export resolves (keeps a huge export bounded).
MAX_IDS = 20_000


@dataclass
class SourceEntry:
    """One citation and why it is listed (which claims/entries it backs, where inside it)."""

    citation: CitationInfo
    supports: list[str] = field(default_factory=list)  # claim ids it supports
    states: list[str] = field(default_factory=list)  # claim ids stated in it (source document)
    source_of: list[str] = field(default_factory=list)  # entries whose definition cites it
    lists: list[str] = field(default_factory=list)  # citations this document lists
    in_result: bool = False
    locators: list[str] = field(default_factory=list)

    def roles(self) -> str:
        parts = []
        if self.supports:
            parts.append("supports " + ", ".join(self.supports))
        if self.states:
            parts.append("states " + ", ".join(self.states))
        if self.source_of:
            parts.append("source of " + ", ".join(self.source_of))
        if self.lists:
            parts.append("lists " + ", ".join(self.lists))
        if self.in_result:
            parts.append("in the result")
        if self.locators:
            parts.append("at " + "; ".join(self.locators))
        return " · ".join(parts)


@dataclass
class Sources:
    """The "Sources" block of an export."""

    entries: list[SourceEntry] = field(default_factory=list)
    unsourced_claims: list[str] = field(default_factory=list)
    #: quality flag → the claims in the result that carry it (explained in every export)
    flags: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def ids(self) -> list[str]:
        return [e.citation.id for e in self.entries]

    def lines(self) -> list[str]:
        """Numbered, human-readable reference lines (with why each is listed)."""
        out = [f"[{i}] {format_reference(e.citation)} ({e.citation.id}; {e.roles()})"
               for i, e in enumerate(self.entries, 1)]
        if self.unsourced_claims:
            out.append("Flagged: no supporting citation for " + ", ".join(self.unsourced_claims)
                       + " (stated in a source document only)")
        for flag, claims in self.flags.items():
            out.append(f"Flag {flag} — {flag_explanation(flag)} Claims: " + ", ".join(claims))
        return out

    def flags_json(self) -> list[dict[str, Any]]:
        """The flags in the result, each with its label, explanation and claims."""
        return [{"flag": f, "label": QUALITY_FLAGS[f].label if f in QUALITY_FLAGS else f,
                 "explanation": QUALITY_FLAGS[f].explanation if f in QUALITY_FLAGS else "",
                 "claims": claims} for f, claims in self.flags.items()]

    def to_json(self) -> list[dict[str, Any]]:
        rows = []
        for e in self.entries:
            c = e.citation
            rows.append({"id": c.id, "reference": format_reference(c), "title": c.title,
                         "authors": list(c.authors), "year": c.year, "kind": c.kind,
                         "venue": c.venue, "doi": c.doi, "url": c.url,
                         "publisher": c.properties.get("publisher"),
                         "supports": e.supports, "states": e.states, "source_of": e.source_of,
                         "lists": e.lists, "locators": e.locators})
        return rows

    def to_bibtex(self) -> str:
        """The Sources as BibTeX (:mod:`graph.citations`); each note says what it backs."""
        from graph.citations import export_bibtex

        return export_bibtex([e.citation for e in self.entries],
                             {e.citation.id: e.roles() for e in self.entries})


def format_reference(c: CitationInfo) -> str:
    """An APA-like one-line reference."""
    publisher = c.properties.get("publisher")
    who = "; ".join(c.authors) if c.authors else (publisher or "")
    year = f" ({c.year})." if c.year else " (n.d.)."
    parts = [f"{who}{year}" if who else (f"({c.year})." if c.year else "(n.d.)."),
             f"{c.title.rstrip('.')}."]
    if c.venue:
        vol = c.properties.get("volume")
        issue = c.properties.get("issue")
        pages = c.properties.get("pages")
        v = c.venue + (f", {vol}" if vol else "") + (f"({issue})" if issue else "") + (
            f", {pages}" if pages else "")
        parts.append(v + ".")
    elif publisher and c.authors:
        parts.append(f"{publisher}.")
    if c.doi:
        parts.append(f"https://doi.org/{c.doi}")
    elif c.url:
        parts.append(c.url)
    return " ".join(parts)


def sources_for(backend: GraphBackend, ids: Iterable[str]) -> Sources:
    """The citations the given nodes/claims rest on (unknown ids are ignored)."""
    wanted = list(dict.fromkeys(ids))[:MAX_IDS]
    data = backend.node_data(wanted)
    by_cite: dict[str, SourceEntry] = {}
    pending: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def add(cite: str, role: str, what: str | None = None, locator: str | None = None) -> None:
        p = pending[cite]
        if what is not None:
            p[role].append(what)
        if locator:
            p["locators"].append(locator)
        if role == "in_result":
            p["in_result"].append("yes")

    claims = [i for i in wanted if i in data and data[i]["category"] == "Claim"]
    supported: set[str] = set()
    if claims:
        for e in backend.edges_of(claims, frozenset({"supported_by", "stated_in"})):
            if e.subject not in data:
                continue
            if e.predicate == "supported_by":
                add(e.object, "supports", e.subject)
                supported.add(e.subject)
            else:
                loc = (e.properties or {}).get("locator")
                add(e.object, "states", e.subject, f"{e.subject}: {loc}" if loc else None)
    for i in wanted:
        d = data.get(i)
        if d is None:
            continue
        if d["category"] == "Citation":
            add(i, "in_result")
            for li in d.get("listed_in") or ():
                add(li["citation"], "lists", i)
            continue
        if d["category"] == "Claim":
            continue
        for s in d.get("sources") or ():
            loc = s.get("locator")
            add(s["citation"], "source_of", i, f"{i}: {loc}" if loc else None)
    infos = {c.id: c for c in backend.citations(pending)}
    for cid, roles in pending.items():
        if cid not in infos:
            continue
        by_cite[cid] = SourceEntry(
            infos[cid], supports=list(dict.fromkeys(roles.get("supports", []))),
            states=list(dict.fromkeys(roles.get("states", []))),
            source_of=list(dict.fromkeys(roles.get("source_of", []))),
            lists=list(dict.fromkeys(roles.get("lists", []))),
            in_result=bool(roles.get("in_result")),
            locators=list(dict.fromkeys(roles.get("locators", []))))
    ordered = sorted(by_cite.values(), key=lambda e: (
        e.citation.kind != "source_document", format_reference(e.citation).casefold(),
        e.citation.id))
    flagged: dict[str, list[str]] = defaultdict(list)
    for c in sorted(claims):
        for f in data[c].get("flags") or ():
            flagged[f].append(c)
    order = {f: i for i, f in enumerate(QUALITY_FLAGS)}
    return Sources(ordered, sorted(set(claims) - supported),
                   {f: flagged[f] for f in sorted(flagged, key=lambda f: (order.get(f, 99), f))})


# ------------------------------------------------------------------------------- exports
def _header(result: QueryResult, query: str | None) -> list[str]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Intersections query export, {stamp}; {result.message}"]
    if query:
        lines.append(f"query ({result.language}): " + " ".join(query.split()))
    return lines


def export_csv(result: QueryResult, backend: GraphBackend, query: str | None = None) -> str:
    """The rows as CSV, preceded by a ``#`` comment block: the query, the Sources, how to cite.

    Read it back with ``pandas.read_csv(path, comment="#")`` or skip the leading ``#`` lines.
    """
    return sources_block(backend, result.node_ids, _header(result, query)) + result.to_csv()


def sources_block(backend: GraphBackend, ids: Iterable[str], heading: list[str]) -> str:
    """A ``#`` comment block for the top of a CSV export: heading lines, the Sources the listed
    ids rest on, and how to cite. Any export (query results, the explorer's tables) uses it."""
    src = sources_for(backend, ids)
    block = [*heading, "Sources:", *(src.lines() or ["(none)"]),
             f"How to cite: {PROJECT_CITATION}"]
    return "".join("# " + line.replace("\n", " ") + "\n" for line in block)


def export_json(result: QueryResult, backend: GraphBackend, query: str | None = None) -> str:
    src = sources_for(backend, result.node_ids)
    doc = {"query": query, **result.to_dict(), "sources": src.to_json(),
           "unsourced_claims": src.unsourced_claims, "flags": src.flags_json(),
           "how_to_cite": PROJECT_CITATION}
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def export_bibtex(result: QueryResult, backend: GraphBackend) -> str:
    """The Sources of a result as BibTeX (one entry per citation, note says what it backs)."""
    return sources_for(backend, result.node_ids).to_bibtex()
