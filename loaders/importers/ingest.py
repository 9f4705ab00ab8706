"""New documents → candidate claims a curator reviews → accepted claims in the evidence base.

``ingest`` extracts the text of a PDF (pypdf), plain-text or Markdown report, splits it into
paragraphs (with page numbers for PDFs, section headings for Markdown) and sentences, finds
mentions of known concepts by label and synonym, and statistics (percentages and ranges,
"1 in N", "N times", counts with their units). Sentences that carry a statistic or link two or
more concepts become candidate claims in a human-editable YAML **review file**, each with its
locator (page/section, paragraph) and the concepts it mentions.

``accept`` moves the entries a curator marked ``status: accept`` into
``<evidence>/accepted/<document>.yaml`` (with a ``source_document`` citation for the document)
after validating the whole evidence base. Our standard is that statements are in the curators'
own words, so an accepted entry whose statement still equals the sentence as found is refused
(``--allow-verbatim`` accepts it, noting it is a quote). Re-running accept on the same review
file rewrites the same file: ids are stable (document slug + hash of the sentence).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from loaders.entries import CitationEntry, ClaimEntry, EvidenceKind, QualityFlag, Statistic
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.importers.base import (
    ImportResult,
    atomic_write,
    build_entry,
    evidence_dir,
    existing_nodes,
    read_text,
    short_hash,
    slugify,
    write_import,
)
from loaders.limits import check_import_size, time_limit
from loaders.records import NodeRecord
from loaders.text import normalize
from loaders.workspace import (
    REVIEWS,
    active_workspace,
    check_writable,
    default_output,
    is_workspace,
    own_evidence_dir,
)
from loaders.yamlio import load_yaml, locate, to_plain
from ontology.schema import NO_CITATION_FLAGS

#: Closest existing ``document_kind`` literal for a generic report (see report to the lead).
DEFAULT_DOCUMENT_KIND = "report"
SKIP_CATEGORIES = frozenset({"Claim", "Citation"})


# --------------------------------------------------------------------------- text
@dataclass
class Paragraph:
    text: str
    page: int | None
    number: int  # paragraph number (within the page for PDFs, within the document otherwise)
    section: str | None = None

    @property
    def locator(self) -> str:
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.section:
            parts.append(f"section '{self.section}'")
        parts.append(f"paragraph {self.number}")
        return ", ".join(parts)


@dataclass
class Document:
    path: Path
    title: str
    paragraphs: list[Paragraph]
    sha256: str
    meta: dict[str, Any] = field(default_factory=dict)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"(\*\*|__|\*|_|`)")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _paragraphs(text: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [" ".join(b.split()) for b in blocks if b.strip()]


def read_document(path: Path | str, title: str | None = None) -> Document:
    """Extract paragraphs (with page/section) from a .pdf, .txt or .md file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise IntersectionsError(f"{path}: no such file — check the path")
    check_import_size(path, "document")
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise IntersectionsError(f"{path}: cannot read ({exc.strerror})") from None
    paras: list[Paragraph] = []
    meta: dict[str, Any] = {}
    if suffix == ".pdf":
        paras, meta = _read_pdf(path)
        found_title = meta.get("title")
    elif suffix in (".md", ".markdown"):
        paras, found_title = _read_markdown(read_text(path, "Markdown"))
    elif suffix in (".txt", ".text"):
        blocks = _paragraphs(read_text(path, "text"))
        paras = [Paragraph(b, None, i) for i, b in enumerate(blocks, 1)]
        found_title = blocks[0] if blocks and len(blocks[0]) < 150 and \
            not blocks[0].endswith(".") else None
    else:
        raise IntersectionsError(f"{path}: unsupported document type {suffix!r} — ingest reads "
                                 ".pdf, .txt and .md")
    if not any(p.text for p in paras):
        raise ValidationFailed([Problem(str(path), None, None, "no-text",
                                        "no text could be extracted",
                                        "for a scanned PDF, run OCR first; otherwise save it "
                                        "as .txt")], "document")
    return Document(path, title or found_title or path.stem.replace("-", " "), paras, digest,
                    meta)


def _read_pdf(path: Path) -> tuple[list[Paragraph], dict[str, Any]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ValidationFailed([Problem(str(path), None, None, "pdf-encrypted",
                                            "the PDF is encrypted",
                                            "save an unprotected copy first")], "document")
        meta: dict[str, Any] = {}
        info = reader.metadata
        if info and info.title and str(info.title).strip():
            meta["title"] = " ".join(str(info.title).split())
        paras: list[Paragraph] = []
        for pno, page in enumerate(reader.pages, 1):
            text = page.extract_text() or ""
            for i, block in enumerate(_pdf_paragraphs(text), 1):
                paras.append(Paragraph(block, pno, i))
        return paras, meta
    except ValidationFailed:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, IndexError) as exc:
        raise ValidationFailed([Problem(str(path), None, None, "pdf",
                                        f"cannot read the PDF ({type(exc).__name__}: {exc})",
                                        "check the file is a PDF; re-save or print it to PDF")],
                               "document") from None


def _pdf_paragraphs(text: str) -> list[str]:
    """Paragraphs of a PDF page. Blank lines separate them when present; otherwise a line
    that ends a sentence well short of the full line width (or a short line without final
    punctuation, such as a heading) ends a paragraph — PDFs rarely keep blank lines."""
    if re.search(r"\n\s*\n", text.strip()):
        return _paragraphs(text)
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines:
        return []
    width = max(len(ln) for ln in lines)
    out: list[str] = []
    buf: list[str] = []
    for ln in lines:
        buf.append(ln.strip())
        short = len(ln) < 0.8 * width
        ends = ln.rstrip().endswith((".", "!", "?", ":", '"', "”"))
        if short and (ends or len(ln) < 0.6 * width):
            out.append(" ".join(" ".join(buf).split()))
            buf = []
    if buf:
        out.append(" ".join(" ".join(buf).split()))
    return out


def _read_markdown(text: str) -> tuple[list[Paragraph], str | None]:
    section: str | None = None
    title: str | None = None
    paras: list[Paragraph] = []
    n = 0
    buf: list[str] = []
    in_code = False

    def flush() -> None:
        nonlocal n
        if buf:
            n += 1
            body = _MD_MARK.sub("", _MD_LINK.sub(r"\1", " ".join(buf)))
            paras.append(Paragraph(" ".join(body.split()), None, n, section))
            buf.clear()

    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip().startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            flush()
            heading = _MD_MARK.sub("", m.group(2)).strip()
            if m.group(1) == "#" and title is None:
                title = heading
            section = heading
            n = 0
            continue
        if not line.strip():
            flush()
            continue
        if _MD_LIST.match(line):
            flush()
            line = _MD_LIST.sub("", line)
        buf.append(line.strip())
    flush()
    return paras, title


_ABBREV = re.compile(r"\b(?:e\.g|i\.e|et al|etc|vs|Dr|Mr|Ms|Mrs|No|Fig|U\.S|U\.K|St)\.$")


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping common abbreviations (e.g., U.S., et al.)."""
    parts = re.split(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])", text)
    out: list[str] = []
    for p in parts:
        if out and _ABBREV.search(out[-1]):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return [s.strip() for s in out if s.strip()]


# --------------------------------------------------------------------------- concepts
class ConceptMatcher:
    """Finds known concepts in text by label and synonym (longest match wins).

    Matching is on normalised text (case/accent/punctuation-insensitive) at word boundaries;
    short all-capital synonyms (IPV, DV, CSE…) must match exactly in the original text, so
    'dv' inside ordinary words or the pronoun 'US' do not count.
    """

    def __init__(self, nodes: list[NodeRecord]) -> None:
        self.terms: list[tuple[str, str, str]] = []  # (normalised term, id, written form)
        self.acronyms: list[tuple[re.Pattern[str], str, str]] = []
        self.nodes = {n.id: n for n in nodes}
        for n in nodes:
            if n.category in SKIP_CATEGORIES:
                continue
            for text in (n.label, *n.alt_labels):
                stripped = text.strip()
                if stripped.isupper() and len(stripped) <= 5:
                    self.acronyms.append((re.compile(rf"(?<![A-Za-z]){re.escape(stripped)}"
                                                     r"(?![A-Za-z])"), n.id, stripped))
                    continue
                key = normalize(text)
                if len(key) >= 4:
                    self.terms.append((key, n.id, text))
        self.terms.sort(key=lambda t: -len(t[0]))

    def find(self, text: str) -> list[tuple[str, str]]:
        """``[(id, matched text)]`` in order of first appearance, one per concept."""
        norm = f" {normalize(text)} "
        spans: list[tuple[int, int, str, str]] = []
        for key, cid, written in self.terms:
            start = norm.find(f" {key} ")
            while start != -1:
                s, e = start + 1, start + 1 + len(key)
                if not any(a <= s and e <= b for a, b, _, _ in spans):
                    spans.append((s, e, cid, written))
                start = norm.find(f" {key} ", start + 1)
        for pat, cid, written in self.acronyms:
            m = pat.search(text)
            if m:
                spans.append((10_000 + m.start(), 10_000 + m.end(), cid, written))
        out: dict[str, str] = {}
        for _, _, cid, written in sorted(spans):
            out.setdefault(cid, written)
        return list(out.items())


# --------------------------------------------------------------------------- statistics
_NUM_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
              "twenty": 20, "hundred": 100, "a": 1}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PCT = r"(?:\s?%|\s?percent\b|\s?per\s?cent\b)"
_RANGE_PCT = re.compile(rf"\b(?P<a>{_NUM}){_PCT}?\s*(?:-|–|—|to|and)\s*(?P<b>{_NUM}){_PCT}")
_PERCENT = re.compile(rf"(?<![\d.,])(?P<v>{_NUM}){_PCT}")
_ONE_IN = re.compile(r"\b(?P<a>\d+|one|two|three|four|five|a)\s+(?:in|out\s+of)\s+"
                     r"(?P<b>\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"fifteen|twenty|hundred)\b(?!\s*%)", re.I)
_TIMES = re.compile(rf"\b(?P<v>{_NUM}|twice|three|four|five)\s*(?:times|x)\s+(?:more|as|"
                    r"higher|greater|less|the)\b", re.I)
_PEOPLE = ("people", "persons", "individuals", "youth", "young people", "survivors", "victims",
           "women", "men", "children", "girls", "boys", "adults", "adolescents", "teens",
           "participants", "respondents", "clients", "students", "families", "minors",
           "parents", "households", "advocates", "professionals", "interviewees")
_UNITS: dict[str, str] = {**{w: "people" for w in _PEOPLE}, "cases": "cases",
                          "case": "cases", "calls": "contacts", "contacts": "contacts",
                          "texts": "contacts", "chats": "contacts", "hours": "hours",
                          "years": "years", "sessions": "sessions", "reports": "count",
                          "incidents": "count", "arrests": "count", "referrals": "count",
                          "programs": "count", "counties": "count", "states": "count"}
_COUNT = re.compile(rf"(?<![\d.,$])(?P<v>{_NUM})\s+(?P<adj>(?:[A-Za-z-]+\s+){{0,2}}?)"
                    rf"(?P<unit>{'|'.join(sorted(map(re.escape, _UNITS), key=len, reverse=True))})"
                    r"\b", re.I)


def _num(s: str) -> float:
    s = s.lower()
    if s in _NUM_WORDS:
        return float(_NUM_WORDS[s])
    if s == "twice":
        return 2.0
    return float(s.replace(",", ""))


def find_statistics(sentence: str) -> list[dict[str, Any]]:
    """Statistics in a sentence as Statistic-shaped dicts (value, unit, text, …)."""
    out: list[tuple[int, dict[str, Any]]] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(a < m.end() and m.start() < b for a, b in taken)

    def add(m: re.Match[str], stat: dict[str, Any]) -> None:
        taken.append((m.start(), m.end()))
        out.append((m.start(), {**stat, "text": m.group(0).strip()}))

    for m in _RANGE_PCT.finditer(sentence):
        a, b = _num(m["a"]), _num(m["b"])
        if a < b <= 100:
            add(m, {"value": a, "value_max": b, "unit": "percent"})
    for m in _PERCENT.finditer(sentence):
        if free(m):
            add(m, {"value": _num(m["v"]), "unit": "percent"})
    for m in _ONE_IN.finditer(sentence):
        a, b = _num(m["a"]), _num(m["b"])
        if free(m) and 0 < a < b:
            add(m, {"value": round(100 * a / b, 1), "unit": "percent"})
    for m in _TIMES.finditer(sentence):
        if free(m):
            add(m, {"value": _num(m["v"]), "unit": "ratio"})
    for m in _COUNT.finditer(sentence):
        if not free(m):
            continue
        v = _num(m["v"])
        unit_word = m["unit"].lower()
        unit = _UNITS.get(unit_word, "count")
        stat: dict[str, Any] = {"value": v, "unit": unit}
        if unit in ("people", "count", "cases", "contacts"):
            stat["measure"] = " ".join((m["adj"] + m["unit"]).split())
        add(m, stat)
    return [s for _, s in sorted(out, key=lambda t: t[0])]


# --------------------------------------------------------------------------- review file
Status = Literal["pending", "accept", "reject"]


class Candidate(BaseModel):
    """One candidate claim in a review file (what the curator edits)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str
    status: Status = "pending"
    statement: str
    source_text: str
    needs_rewrite: bool = True
    about: list[str] = []
    mentions: list[str] = []
    statistics: list[Statistic] = []
    locator: str
    supported_by: list[str] = []
    flags: list[QualityFlag] = []
    evidence_kind: EvidenceKind = "unknown"
    reason: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_flag(cls, data: Any) -> Any:
        """Review files written before the flags were split say ``unsourced``."""
        if isinstance(data, dict) and "unsourced" in (data.get("flags") or []):
            new = "unsourced_figure" if data.get("statistics") else "descriptive"
            data = {**data, "flags": [new if f == "unsourced" else f for f in data["flags"]]}
        return data

    @model_validator(mode="after")
    def _flag_when_uncited(self) -> Candidate:
        """Until the curator adds citations, a figure is flagged as having no source and any
        other statement as descriptive (both say what the document does, see ClaimEntry)."""
        if not self.supported_by and not set(self.flags) & set(NO_CITATION_FLAGS):
            self.flags = [*self.flags,
                          "unsourced_figure" if self.statistics else "descriptive"]
        return self


class ReviewDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    path: str
    sha256: str
    slug: str
    citation: dict[str, Any]


class ReviewFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: ReviewDocument
    candidates: list[Candidate] = Field(default_factory=list)


@dataclass
class IngestResult:
    review_file: Path
    review: ReviewFile
    concepts: set[str]

    def summary(self) -> dict[str, Any]:
        return {"review_file": str(self.review_file), "document": self.review.document.path,
                "candidates": len(self.review.candidates),
                "with_statistics": sum(1 for c in self.review.candidates if c.statistics),
                "concepts": len(self.concepts), "concept_ids": sorted(self.concepts)}


REVIEW_HEADER = """\
Review file written by `intersections ingest`. For each candidate:
  * read source_text (the sentence as found) and its locator;
  * rewrite `statement` in your own words (accept refuses statements identical to the source);
  * check `about` (ids of the concepts the claim is about; `mentions` lists what was found);
  * add `supported_by` citation ids when the document cites a source for it, and then drop
    the `unsourced_figure` / `descriptive` flag; fix `statistics` if needed (a figure the
    document gives without a source keeps `unsourced_figure`, and its statement says so:
    "The <document> states …; it gives no source");
  * set `status: accept` or `status: reject` (pending entries are left for later).
Then run: intersections accept THIS_FILE   (edit document.citation to correct title/year)."""


def ingest_document(path: Path | str, evidence: Path | str | None = None, *,
                    out: Path | str | None = None, title: str | None = None) -> IngestResult:
    """Write a review file of candidate claims found in a document."""
    path = Path(path)
    ev = evidence_dir(evidence)
    # default: the workspace's reviews/ (never next to a document inside the package)
    review_path = Path(out) if out else (
        default_output(ev, REVIEWS, f"{path.stem}.review.yaml")
        if is_workspace(ev) or active_workspace() else path.with_name(f"{path.stem}.review.yaml"))
    check_writable(review_path)
    if own_evidence_dir(ev).resolve() in review_path.resolve().parents:
        raise IntersectionsError(f"{review_path}: the review file may not live inside the "
                                 f"evidence folder {ev} (every .yaml there is loaded) — pass "
                                 "--out with another path")
    with time_limit(path, "document"):
        doc = read_document(path, title)
    nodes = list(existing_nodes(ev).values())
    matcher = ConceptMatcher(nodes)
    slug = slugify(doc.title, 40) or slugify(path.stem, 40) or "document"
    cite = {"id": f"cite:doc-{slug}", "title": doc.title, "kind": "source_document",
            "document_kind": DEFAULT_DOCUMENT_KIND}
    candidates: list[Candidate] = []
    seen: set[str] = set()
    concepts: set[str] = set()
    for para in doc.paragraphs:
        for sent in sentences(para.text):
            mentions = matcher.find(sent)
            stats = find_statistics(sent)
            concepts.update(cid for cid, _ in mentions)
            if not stats and len(mentions) < 2:
                continue
            cid = f"claim:{slug}-{short_hash(normalize(sent))}"
            if cid in seen:
                continue
            seen.add(cid)
            reason = ("statistic" if stats else "") + (
                " + " if stats and len(mentions) >= 2 else "") + (
                "links concepts" if len(mentions) >= 2 else "")
            candidates.append(Candidate(
                id=cid, statement=sent, source_text=sent, about=[c for c, _ in mentions],
                mentions=[f"{matcher.nodes[c].label} ({c}) ← '{w}'" for c, w in mentions],
                statistics=[Statistic.model_validate(s) for s in stats],
                locator=para.locator, reason=reason))
    review = ReviewFile(document=ReviewDocument(path=str(path), sha256=doc.sha256, slug=slug,
                                                citation=cite), candidates=candidates)
    text = render_review(review)
    atomic_write(review_path, text)
    return IngestResult(review_path, review, concepts)


def render_review(review: ReviewFile) -> str:
    import io

    from ruamel.yaml import YAML

    data = review.model_dump(mode="json", exclude_none=True)
    for c in data["candidates"]:
        c["statistics"] = [{k: v for k, v in s.items() if v not in (None, [])}
                           for s in c["statistics"]]
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(data, buf)
    return "".join(f"# {ln}".rstrip() + "\n" for ln in REVIEW_HEADER.splitlines()) + \
        buf.getvalue()


def load_review(path: Path) -> tuple[ReviewFile, Any]:
    if not path.is_file():
        raise IntersectionsError(f"{path}: no such review file — run `intersections ingest` "
                                 "first")
    doc, problems = load_yaml(path, str(path))
    if problems:
        raise ValidationFailed(problems, "review file")
    try:
        return ReviewFile.model_validate(to_plain(doc)), doc
    except ValidationError as exc:
        probs = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            rec = None
            if len(loc) >= 2 and loc[0] == "candidates" and isinstance(loc[1], int):
                try:
                    rec = str(doc["candidates"][loc[1]].get("id"))
                except (KeyError, IndexError, TypeError, AttributeError):
                    rec = None
            probs.append(Problem(str(path), locate(doc, loc) if isinstance(doc, dict) else None,
                                 rec, "review-schema",
                                 f"{'.'.join(str(x) for x in loc) or '(file)'}: {err['msg']}",
                                 "status is pending, accept or reject" if "status" in loc
                                 else None))
        raise ValidationFailed(probs, "review file") from None


def accept_review(review_file: Path | str, evidence: Path | str | None = None, *,
                  allow_verbatim: bool = False, dry_run: bool = False) -> ImportResult:
    """Write accepted candidates (and the document's citation) to ``<evidence>/accepted/``."""
    review_path = Path(review_file)
    ev = evidence_dir(evidence)
    review, raw = load_review(review_path)
    target = own_evidence_dir(ev) / "accepted" / \
        f"{slugify(review.document.slug, 60) or 'document'}.yaml"
    result = ImportResult("accept", str(review_path), target)
    existing = existing_nodes(ev, exclude=[target])
    problems: list[Problem] = []
    cands_raw = raw.get("candidates") or []

    def line(i: int) -> int | None:
        return locate(cands_raw, (i,)) if cands_raw else None

    cite_data = dict(review.document.citation)
    cite_id = str(cite_data.get("id", ""))
    citations: list[CitationEntry] = []
    if cite_id in existing:
        node = existing[cite_id]
        if node.properties.get("kind") != "source_document":
            problems.append(Problem(str(review_path), locate(raw, ("document", "citation")),
                                    cite_id, "not-a-document",
                                    f"{cite_id} exists but is not a source_document citation",
                                    "give document.citation another id"))
        else:
            result.merged.append(f"{cite_id}: document citation already in the evidence base; "
                                 "claims point to it")
    else:
        entry = build_entry(CitationEntry, cite_data,
                            Problem(str(review_path), locate(raw, ("document", "citation")),
                                    cite_id or None, "review-schema", "",
                                    "fix document.citation"), problems)
        if entry is not None:
            citations.append(entry)  # type: ignore[arg-type]
    claims: list[ClaimEntry] = []
    counts = {"accept": 0, "reject": 0, "pending": 0}
    for i, c in enumerate(review.candidates):
        counts[c.status] += 1
        if c.status != "accept":
            continue
        where = Problem(str(review_path), line(i), c.id, "review", "",
                        None)
        verbatim = normalize(c.statement) == normalize(c.source_text)
        note = c.note
        if verbatim and not allow_verbatim:
            problems.append(Problem(where.file, where.line, c.id, "verbatim-statement",
                                    "the statement is still the sentence as found in the "
                                    "document", "rewrite 'statement' in your own words (or "
                                    "pass --allow-verbatim to accept it as a quote)"))
            continue
        if verbatim:
            note = "; ".join(x for x in (note, "Statement quoted verbatim from the source "
                                         "document.") if x)
            result.warnings.append(f"{c.id}: accepted a verbatim statement (quote)")
        for a in c.about:
            if a not in existing:
                problems.append(Problem(where.file, where.line, c.id, "unknown-reference",
                                        f"about → {a!r}: no entry has this id",
                                        "use ids listed under 'mentions' or search with "
                                        "`intersections search`"))
        entry = build_entry(ClaimEntry, {
            "id": c.id, "statement": c.statement, "about": c.about,
            "supported_by": c.supported_by,
            "stated_in": {"citation": cite_id, "locator": c.locator},
            "statistics": [s.model_dump(exclude_none=True) for s in c.statistics],
            "flags": c.flags, "evidence_kind": c.evidence_kind, "note": note},
            Problem(where.file, where.line, c.id, "review-schema", "",
                    "fix this candidate in the review file"), problems)
        if entry is not None:
            claims.append(entry)  # type: ignore[arg-type]
    if problems:
        raise ValidationFailed(problems, f"review file {review_path.name}")
    result.warnings.append(f"{counts['accept']} accepted, {counts['reject']} rejected, "
                           f"{counts['pending']} still pending")
    families: dict[str, list[Any]] = {"citations": citations,
                                      "claims": sorted(claims, key=lambda e: e.id)}
    if not claims:
        families = {}
    header = (f"Claims accepted with `intersections accept` from {review_path.name} "
              f"(document {Path(review.document.path).name}, sha256 "
              f"{review.document.sha256[:12]}…).\nRe-running accept rewrites this file.")
    return write_import(result, ev, families, header, dry_run=dry_run)
