"""A synthetic, valid evidence base at any scale, deterministic for a given seed.

The output is a folder of YAML files in the evidence-base format (:mod:`loaders.entries`), so a
benchmark of "validate + load" measures the real path users take. Proportions follow the shipped
base and how real bases grow:

* vocabularies (risk factors, harms, tactics, indicators, regions…) grow with the square root of
  the size (a research group has more categories than a coalition, not 200× more), starting from
  the shipped base's counts per class;
* claims, citations (the bibliography), interventions and organizations (a 211 directory) take
  the rest, 50 / 20 / 20 / 10 %;
* every relation the curators use appears, on the classes the ontology allows, with each
  source's out-degree drawn from a Pareto tail and each target chosen with Zipf weights, so a few
  hubs ("human trafficking", a statewide hotline, one big review article) collect most links —
  the power-law-ish degree distribution real knowledge graphs have;
* evidence links (``increases_risk_of``, ``co_occurs_with``, ``uses_tactic``) are ``links:``
  entries with claims that are about one of their ends, claims are stated in a curated source
  document and cite citations or carry ``unsourced_figure`` / ``descriptive``, SKOS
  hierarchies are trees inside one vocabulary — i.e. every rule the loader enforces holds.

At the default density, 100k nodes give about 1M relationships (the size of a research group's
base in the performance issue).
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ontology.schema import CLASS_BY_NAME, EVIDENCE_CLASSES, PREDICATE_BY_NAME, subclasses

#: Nodes per vocabulary class in the shipped base (``intersections stats``), the growth base.
SHIPPED_VOCABULARY: dict[str, int] = {
    "Barrier": 7, "ControlTactic": 29, "Harm": 15, "Indicator": 36, "PerpetratorType": 11,
    "Population": 31, "Practice": 33, "PreventionStrategy": 26, "Region": 7, "Right": 6,
    "RiskFactor": 30, "Setting": 26, "TraffickingType": 14, "Collection": 11,
}
SHIPPED_NODES = 464
#: Share of the non-vocabulary nodes per class.
LINEAR_SHARES: dict[str, float] = {"Claim": 0.50, "Citation": 0.20, "Intervention": 0.20,
                                   "Organization": 0.10}
#: Share of citations that are curated source documents (what claims are stated in).
SOURCE_DOCUMENT_SHARE = 0.02
ROOT_SHARE = 0.15
ZIPF_EXPONENT = 0.9
ENTRIES_PER_FILE = 2_000

#: (class, relation) → mean out-degree at density 1. Inline relations only; evidence links and
#: the claim relations are generated separately.
INLINE_RELATIONS: dict[str, list[tuple[str, float]]] = {
    "Harm": [("occurs_in", 1.5), ("perpetrated_by", 1.0)],
    "TraffickingType": [("occurs_in", 2.0), ("perpetrated_by", 1.5)],
    "Indicator": [("indicates", 2.0)],
    "Barrier": [("hinders_exit_from", 2.0)],
    "PreventionStrategy": [("addresses", 3.0), ("serves", 2.0)],
    "Practice": [("addresses", 2.0), ("applies_to", 2.0)],
    "Right": [("established_by", 1.0), ("applies_to", 2.0)],
    "Intervention": [("implements", 2.0), ("addresses", 7.0), ("serves", 4.0),
                     ("operates_in", 2.0), ("provided_by", 1.0)],
    "Organization": [("operates_in", 3.0), ("serves", 3.0), ("part_of", 0.3)],
    "Collection": [("members", 8.0)],
}
CLAIM_ABOUT_MEAN = 7.0
CLAIM_CITES_MEAN = 4.0
UNSOURCED_SHARE = 0.15
#: evidence links per claim, and claims per evidence link
LINKS_PER_CLAIM = 0.12
EVIDENCE_LINKS = {"increases_risk_of": 0.45, "co_occurs_with": 0.2, "uses_tactic": 0.35}

_WORD_TEXT = (
    "housing instability foster care placement runaway homelessness substance use debt "
    "immigration status disability isolation coercion threats surveillance documents wages "
    "agriculture construction domestic work hospitality massage online recruitment gang family "
    "partner caregiver peer school rural urban tribal border youth adolescent adult elder "
    "migrant worker survivor advocacy shelter hotline legal aid counseling screening training "
    "prevention outreach case management healthcare mental health trauma economic education "
    "employment transportation childcare language access culturally specific coordinated "
    "response task force referral protocol community county state regional statewide program "
    "service network coalition clinic court probation welfare protective emergency transitional "
    "long term safety planning confidentiality consent disclosure stigma fear shame dependency "
    "control manipulation grooming debt bondage sexual exploitation labor commercial minors "
    "runaway sexual violence intimate abuse neglect maltreatment emotional physical financial "
    "digital stalking pornography escort strip club truck stop motel street residential brothel"
)
WORDS = tuple(_WORD_TEXT.split())
QUALIFIERS = ("early", "chronic", "repeated", "prior", "severe", "hidden", "online", "local",
              "regional", "informal", "organized", "family-based", "peer", "structural",
              "community", "youth", "adult", "rural", "urban", "cross-border")
CLASS_NOUN = {
    "RiskFactor": "risk", "Harm": "abuse", "TraffickingType": "trafficking",
    "ControlTactic": "tactic", "Indicator": "sign", "Barrier": "barrier", "Setting": "setting",
    "PerpetratorType": "recruiter", "PreventionStrategy": "strategy", "Practice": "practice",
    "Right": "right", "Intervention": "program", "Organization": "services",
    "Population": "people", "Region": "county", "Collection": "list",
}
KIND_CHOICES = {
    "Indicator": ("red_flag", "screening_question", "identification_context", "vulnerability"),
    "Practice": ("principle", "engagement_technique", "safety_practice", "systems_change"),
    "Intervention": ("program", "service", "law", "policy", "task_force", "training",
                     "hotline", "resource"),
    "Organization": ("nonprofit", "coalition", "government", "university", "network"),
    "Setting": ("industry", "venue"),
    "Region": ("state", "county", "city", "service_area", "tribal_nation"),
}
EVIDENCE_KINDS = ("qualitative_interviews", "administrative_data", "survey", "government_report",
                  "hotline_data", "practice_guidance", "literature_review", "unknown")


@dataclass
class Synthetic:
    """What was generated: counts per class and relation, and where."""

    path: Path
    seed: int
    nodes: int
    relationships: int
    by_class: dict[str, int] = field(default_factory=dict)
    by_relation: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    #: a few ids the runner uses as query starting points (hubs and ordinary nodes)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "seed": self.seed, "nodes": self.nodes,
                "relationships": self.relationships, "files": self.files, "bytes": self.bytes,
                "by_class": self.by_class, "by_relation": self.by_relation,
                "samples": self.samples}


def class_counts(nodes: int) -> dict[str, int]:
    """How many nodes of each class a base of ``nodes`` nodes has (sums to ``nodes``)."""
    if nodes < 200:
        raise ValueError("generate at least 200 nodes (every class needs a few entries)")
    growth = math.sqrt(nodes / SHIPPED_NODES)
    counts = {c: max(3, round(n * growth)) for c, n in SHIPPED_VOCABULARY.items()}
    rest = nodes - sum(counts.values())
    linear = {c: max(3, int(rest * share)) for c, share in LINEAR_SHARES.items()}
    linear["Claim"] += nodes - sum(counts.values()) - sum(linear.values())
    return counts | linear


class _Picker:
    """Zipf-weighted choice over a fixed, shuffled population (hubs at the front)."""

    def __init__(self, ids: Sequence[str], rng: random.Random) -> None:
        self.ids = list(ids)
        rng.shuffle(self.ids)
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** ZIPF_EXPONENT
                                             for i in range(len(self.ids))))

    def pick(self, rng: random.Random, k: int, exclude: str | None = None) -> list[str]:
        """Up to ``k`` distinct ids (fewer when the population is small)."""
        k = min(k, len(self.ids) - (1 if exclude in self.ids[:1] else 0))
        if k <= 0:
            return []
        out: dict[str, None] = {}
        total = self.cum[-1]
        tries = 0
        while len(out) < k and tries < 6 * k + 10:
            tries += 1
            i = bisect.bisect_left(self.cum, rng.random() * total)
            x = self.ids[min(i, len(self.ids) - 1)]
            if x != exclude:
                out[x] = None
        return list(out)

    @property
    def hubs(self) -> list[str]:
        return self.ids[:5]


def _degree(rng: random.Random, mean: float, cap: int) -> int:
    """A heavy-tailed out-degree with the given mean (Pareto, shape 2, rounded)."""
    if mean <= 0:
        return 0
    if mean < 1:
        return 1 if rng.random() < mean else 0
    return max(1, min(cap, round(mean * 0.5 * rng.paretovariate(2.0))))


class _Names:
    """Readable, unique labels and ids built from a domain word list."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def label(self, cls: str, words: int = 2) -> str:
        for attempt in itertools.count():
            parts = [self.rng.choice(QUALIFIERS), *self.rng.sample(WORDS, words),
                     CLASS_NOUN.get(cls, "item")]
            text = " ".join(parts)
            if attempt > 3:
                text += f" {attempt}"
            if text not in self.used:
                self.used.add(text)
                return text[0].upper() + text[1:]
        raise AssertionError("unreachable")

    def title(self) -> str:
        n = self.rng.randint(5, 11)
        return " ".join(self.rng.choice(WORDS) for _ in range(n)).capitalize()


def _slug(text: str, n: int) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
    return "-".join(words[:4] + [str(n)])


def _q(value: Any) -> str:
    """A YAML scalar or flow collection (JSON is valid YAML flow syntax)."""
    return json.dumps(value, ensure_ascii=True)


def _entry(fields: dict[str, Any]) -> str:
    lines = []
    for i, (k, v) in enumerate(fields.items()):
        if v in (None, [], {}):
            continue
        lines.append(("- " if i == 0 else "  ") + f"{k}: {_q(v)}")
    return "\n".join(lines)


def generate(out: Path | str, nodes: int = 1_000, *, seed: int = 7,
             density: float = 1.0) -> Synthetic:
    """Write a synthetic evidence base of about ``nodes`` nodes into ``out`` (replaced).

    ``density`` scales every mean out-degree (1.0 → about 10 relationships per node at 100k).
    """
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "vocabulary").mkdir(parents=True)
    (out / "sources").mkdir(parents=True)
    rng = random.Random(seed)
    names = _Names(rng)
    counts = class_counts(nodes)
    ids: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for cls, n in counts.items():
        spec = CLASS_BY_NAME[cls]
        tag = "tt" if cls == "TraffickingType" else "x"
        lst = []
        for i in range(n):
            if cls == "Claim":
                nid = f"claim:syn-{i}"
            elif cls == "Citation":
                nid = f"cite:syn-{i}"
            else:
                lab = names.label(cls, 1 if cls in SHIPPED_VOCABULARY else 2)
                nid = f"{spec.prefix}:{tag}-{_slug(lab, i)}"
                labels[nid] = lab
            lst.append(nid)
        ids[cls] = lst
    docs = ids["Citation"][:max(1, round(len(ids["Citation"]) * SOURCE_DOCUMENT_SHARE))]
    doc_set = set(docs)
    pickers: dict[tuple[str, ...], _Picker] = {}

    def picker(classes: Iterable[str]) -> _Picker:
        key = tuple(sorted(set(classes)))
        if key not in pickers:
            # classes the generator does not make (e.g. Collection) have no nodes to pick
            pickers[key] = _Picker([i for c in key for i in ids.get(c, ())], rng)
        return pickers[key]

    def concrete(names_: Iterable[str]) -> list[str]:
        return sorted({s for n in names_ for s in subclasses(n)} - EVIDENCE_CLASSES)

    rel_count: Counter[str] = Counter()
    doc_pick = _Picker(docs, rng)
    cite_pick = _Picker(ids["Citation"], rng)
    entries: dict[str, list[str]] = defaultdict(list)

    def sources_for() -> list[dict[str, str]]:
        return [{"citation": d, "locator": f"p. {rng.randint(1, 120)}"}
                for d in doc_pick.pick(rng, 1 + (rng.random() < 0.3))]

    # -- vocabularies, interventions, organizations -----------------------------------------
    for cls, lst in ids.items():
        if cls in EVIDENCE_CLASSES:
            continue
        spec = CLASS_BY_NAME[cls]
        roots = max(1, round(len(lst) * ROOT_SHARE))
        for i, nid in enumerate(lst):
            lab = labels[nid]
            f: dict[str, Any] = {"id": nid, "label": lab}
            if rng.random() < 0.2:
                f["alt_labels"] = [" ".join(rng.sample(WORDS, 2)) + f" {i}"]
            f["definition"] = f"{lab}: {names.title().lower()}."
            f["sources"] = sources_for()
            if cls == "RiskFactor":
                f["ecological_level"] = rng.choice(("individual", "relationship", "community",
                                                    "societal"))
            elif cls == "PerpetratorType":
                f["organization_level"] = rng.randint(1, 5)
            elif cls in KIND_CHOICES:
                f["kind"] = rng.choice(KIND_CHOICES[cls])
            if cls in SHIPPED_VOCABULARY and i >= roots and cls != "Collection":
                # a tree inside the vocabulary; trafficking types hang under harms too
                pool = lst[:i] if cls != "TraffickingType" or rng.random() < 0.7 else ids["Harm"]
                f["broader"] = [pool[min(len(pool) - 1, int(rng.paretovariate(1.2)) - 1)]]
                rel_count["broader"] += 1
            for pred, mean in INLINE_RELATIONS.get(cls, []):
                rng_classes = concrete(PREDICATE_BY_NAME[pred].range)
                targets = picker(rng_classes).pick(rng, _degree(rng, mean * density, 300),
                                                   exclude=nid)
                if targets:
                    f[pred] = targets
                    rel_count[pred] += len(targets)
            if cls == "Intervention" and rng.random() < 0.5:
                f["url"] = f"https://example.org/programs/{i}"
            entries[spec.family].append(_entry(f))

    # -- evidence links and claims ------------------------------------------------------------
    claims = ids["Claim"]
    claim_about: dict[str, dict[str, None]] = {c: {} for c in claims}
    link_entries: list[str] = []
    seen_links: set[tuple[str, str, str]] = set()
    n_links = round(len(claims) * LINKS_PER_CLAIM * density)
    preds = list(EVIDENCE_LINKS)
    weights = list(EVIDENCE_LINKS.values())
    claim_pick = _Picker(claims, rng)
    for _ in range(n_links):
        pred = rng.choices(preds, weights)[0]
        spec = PREDICATE_BY_NAME[pred]
        s = picker(concrete(spec.domain)).pick(rng, 1)[0]
        o = picker(concrete(spec.range)).pick(rng, 1, exclude=s)
        if not o:
            continue
        o0 = o[0]
        if spec.symmetric and s > o0:
            s, o0 = o0, s
        if (s, pred, o0) in seen_links:
            continue
        seen_links.add((s, pred, o0))
        backing = claim_pick.pick(rng, 1 + (rng.random() < 0.4))
        for c in backing:
            claim_about[c][s if rng.random() < 0.6 else o0] = None
        link_entries.append(_entry({"subject": s, "predicate": pred, "object": o0,
                                    "claims": backing}))
        rel_count[pred] += 1
    about_pick = picker(concrete(PREDICATE_BY_NAME["about"].range))
    for i, cid in enumerate(claims):
        about = claim_about[cid]
        for t in about_pick.pick(rng, _degree(rng, CLAIM_ABOUT_MEAN * density, 400)):
            about[t] = None
        if not about:
            about[about_pick.pick(rng, 1)[0]] = None
        topic = labels.get(next(iter(about)), "this topic").lower()
        stmt = (f"Finding {i}: {topic} is linked to {names.title().lower()} "
                f"({rng.randint(2, 95)}% of {rng.randint(20, 5000)} participants).")
        f = {"id": cid, "statement": stmt, "about": list(about)}
        unsourced = rng.random() < UNSOURCED_SHARE
        if not unsourced:
            f["supported_by"] = cite_pick.pick(
                rng, _degree(rng, CLAIM_CITES_MEAN * density, 200))
            rel_count["supported_by"] += len(f["supported_by"])
        f["stated_in"] = {"citation": doc_pick.pick(rng, 1)[0],
                          "locator": f"section {rng.randint(1, 30)}"}
        if rng.random() < 0.3:
            f["statistics"] = [{"value": rng.randint(2, 95), "unit": "percent",
                                "text": f"{rng.randint(2, 95)} percent"}]
        no_source = "unsourced_figure" if "statistics" in f else "descriptive"
        flags = ([no_source] if unsourced else []) + (
            ["secondary"] if rng.random() < 0.1 else [])
        f["flags"] = flags
        f["evidence_kind"] = rng.choice(EVIDENCE_KINDS)
        rel_count["about"] += len(about)
        rel_count["stated_in"] += 1
        entries["claims"].append(_entry(f))

    # -- citations (the bibliography) ---------------------------------------------------------
    for i, cid in enumerate(ids["Citation"]):
        f = {"id": cid, "title": names.title() + f" ({i})"}
        if cid in doc_set:
            f |= {"kind": "source_document",
                  "document_kind": rng.choice(("research_summary", "brief", "training_slides",
                                               "strategy_sheet")),
                  "publisher": "Synthetic Publisher", "year": rng.randint(2000, 2025)}
        else:
            f |= {"authors": [f"Author{rng.randint(1, 5000)}, {chr(65 + rng.randint(0, 25))}."
                              for _ in range(rng.randint(1, 4))],
                  "year": rng.randint(1990, 2025),
                  "kind": rng.choice(("journal_article", "report", "book", "web_page")),
                  "venue": rng.choice(("Journal of Interpersonal Violence", "Child Maltreatment",
                                       "Violence Against Women", "Trauma, Violence & Abuse")),
                  "doi": f"10.5555/syn.{seed}.{i}" if rng.random() < 0.5 else None,
                  "listed_in": [{"citation": d, "number": rng.randint(1, 200)}
                                for d in doc_pick.pick(rng, 1)] if rng.random() < 0.6 else []}
        entries["citations"].append(_entry(f))

    # -- files ---------------------------------------------------------------------------------
    n_files = total_bytes = 0
    for family, items in sorted(entries.items()):
        folder = "sources" if family in ("claims", "citations") else "vocabulary"
        for start in range(0, len(items), ENTRIES_PER_FILE):
            chunk = items[start:start + ENTRIES_PER_FILE]
            text = f"# synthetic evidence base (seed {seed})\n{family}:\n" + "\n".join(
                "  " + line for e in chunk for line in e.split("\n")) + "\n"
            p = out / folder / f"{family}-{start // ENTRIES_PER_FILE:04d}.yaml"
            p.write_text(text, encoding="utf-8")
            n_files += 1
            total_bytes += len(text)
    for start in range(0, len(link_entries), ENTRIES_PER_FILE):
        chunk = link_entries[start:start + ENTRIES_PER_FILE]
        text = "links:\n" + "\n".join("  " + line for e in chunk for line in e.split("\n")) + "\n"
        (out / "sources" / f"links-{start // ENTRIES_PER_FILE:04d}.yaml").write_text(
            text, encoding="utf-8")
        n_files += 1
        total_bytes += len(text)

    harm_like = picker(["Harm", "TraffickingType"])
    samples = {
        "hubs": harm_like.hubs[:3] + picker(["RiskFactor"]).hubs[:2],
        "risk_factors": picker(["RiskFactor"]).ids[:50],
        "harms": harm_like.ids[:50],
        "interventions": picker(["Intervention"]).ids[:50],
        "claims": claims[:50],
        "words": sorted({w for lab in list(labels.values())[:400] for w in lab.lower().split()
                         if w.isalpha() and len(w) > 3})[:80],
    }
    return Synthetic(path=out, seed=seed, nodes=sum(counts.values()),
                     relationships=sum(rel_count.values()), by_class=dict(sorted(counts.items())),
                     by_relation=dict(sorted(rel_count.items())), files=n_files,
                     bytes=total_bytes, samples=samples)
