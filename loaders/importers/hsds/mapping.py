"""The taxonomy mapping file: a directory's taxonomy terms → our ids and intervention kinds.

A small YAML file (``terms:``, ``kinds:``, ``regions:``) relates a coalition's directory
vocabulary to harms, risk factors, populations, strategies and regions, so its services land on
the service-gap map. Every id is checked to exist and to fit the relation it feeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from loaders.entries import InterventionEntry
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.importers.hsds.rows import HsdsTerm
from loaders.importers.resolve import LabelIndex
from loaders.text import normalize
from loaders.yamlio import line_of, load_yaml, to_plain

KINDS = get_args(InterventionEntry.model_fields["kind"].annotation)
#: relation of an intervention → classes a mapped id may have
RELATION_FOR: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("addresses", ("RiskFactor", "Harm", "Barrier", "ControlTactic")),
    ("serves", ("Population",)),
    ("implements", ("PreventionStrategy", "Practice")),
    ("operates_in", ("Region",)),
)


class TaxonomyMapping(BaseModel):
    """Directory taxonomy terms → our ids and intervention kinds; place names → regions."""

    terms: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    regions: dict[str, str] = {}
    lines: dict[tuple[str, str], int] = {}

    def ids_for(self, term: HsdsTerm) -> tuple[list[str], bool]:
        for key in _term_keys(term):
            if key in self.terms:
                return self.terms[key], True
        return [], False

    def kind_for(self, term: HsdsTerm) -> str | None:
        for key in _term_keys(term):
            if key in self.kinds:
                return self.kinds[key]
        return None


def _term_keys(term: HsdsTerm) -> list[str]:
    return [normalize(k) for k in (term.code, term.id, term.name) if k]


def load_mapping(path: Path | None, index: LabelIndex) -> TaxonomyMapping:
    """Read and check the mapping file: every id must exist and fit the relation it feeds."""
    if path is None:
        return TaxonomyMapping()
    path = Path(path)
    if not path.is_file():
        raise IntersectionsError(f"{path}: no such mapping file — check the --mapping path")
    doc, problems = load_yaml(path, str(path))
    if problems:
        raise ValidationFailed(problems, "taxonomy mapping")
    if doc is None:
        return TaxonomyMapping()
    if not isinstance(doc, dict):
        raise ValidationFailed([Problem(str(path), 1, None, "mapping-shape",
                                        "the mapping file must be a YAML mapping",
                                        "write 'terms:' with 'TERM: [our:id, ...]' under it")],
                               "taxonomy mapping")
    sections = doc if any(k in doc for k in ("terms", "kinds", "regions")) else {"terms": doc}
    for k in sections:
        if k not in ("terms", "kinds", "regions"):
            problems.append(Problem(str(path), line_of(sections, k), str(k), "mapping-shape",
                                    f"unknown section {k!r}", "use terms, kinds, regions"))
    out = TaxonomyMapping()
    allowed = tuple(c for _, cs in RELATION_FOR for c in cs)
    terms = sections.get("terms") or {}
    if not isinstance(terms, dict):
        problems.append(Problem(str(path), line_of(sections, "terms"), "terms", "mapping-shape",
                                "'terms' must map term codes to lists of ids", None))
        terms = {}
    for key, ids in terms.items():
        ln = line_of(terms, key)
        ids = to_plain(ids)
        ids = [ids] if isinstance(ids, str) else ids
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            problems.append(Problem(str(path), ln, str(key), "mapping-shape",
                                    "expected a list of ids", "write [harm:..., pop:...]"))
            continue
        good = []
        for i in ids:
            hit, why = index.resolve(i, allowed)
            if hit is None:
                problems.append(Problem(str(path), ln, str(key), "mapping-id", why or i,
                                        "map terms to harms, risk factors, barriers, tactics, "
                                        "populations, strategies, practices or regions"))
            else:
                good.append(hit)
        out.terms[normalize(str(key))] = good
    kinds = sections.get("kinds") or {}
    for key, kind in (kinds.items() if isinstance(kinds, dict) else ()):
        if kind not in KINDS:
            problems.append(Problem(str(path), line_of(kinds, key), str(key), "mapping-kind",
                                    f"unknown intervention kind {kind!r}",
                                    "use one of: " + ", ".join(KINDS)))
        out.kinds[normalize(str(key))] = str(kind)
    regions = sections.get("regions") or {}
    for key, rid in (regions.items() if isinstance(regions, dict) else ()):
        hit, why = index.resolve(str(rid), ("Region",))
        if hit is None:
            problems.append(Problem(str(path), line_of(regions, key), str(key), "mapping-id",
                                    why or str(rid), "map place names to region ids"))
        else:
            out.regions[normalize(str(key))] = hit
    if problems:
        raise ValidationFailed(problems, "taxonomy mapping")
    return out
