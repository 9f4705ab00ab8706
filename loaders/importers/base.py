"""What every importer shares: stable ids, the existing base, rendering, validate-then-write.

The evidence-base YAML folder is the source of truth. An import becomes one YAML file
(``<evidence>/imports/<format>-<slug>.yaml``) written by :func:`write_import`, which first parses
and validates the WHOLE resulting evidence base in memory (the existing files, minus an earlier
version of the same import, plus the new content) and only then replaces the file atomically
(temp file + ``os.replace``). Any problem raises :class:`~loaders.errors.ValidationFailed` and
leaves the folder untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from loaders.entries import FAMILY_MODELS, dump_value
from loaders.errors import IntersectionsError, Problem, ValidationFailed
from loaders.evidence import (
    EvidenceBaseSource,
    assemble,
    check_evidence_links,
    default_evidence_dir,
)
from loaders.limits import MAX_REMOVAL_SHARE, check_import_size, depth_problem, removal_allowed
from loaders.records import NodeRecord
from loaders.text import normalize
from loaders.workspace import check_writable, own_evidence_dir
from loaders.yamlio import load_yaml

#: Order of families in a written import file (sources first, then what points at them).
FAMILY_ORDER = ("citations", "organizations", "regions", "populations", "interventions",
                "claims", "links")

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


# --------------------------------------------------------------------------- ids and text
def slugify(text: str, max_len: int = 60) -> str:
    """ASCII, lowercase, dash-separated; fits the local part of an entry id ('' if nothing left)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = decomposed.encode("ascii", "ignore").decode().casefold()
    slug = _SLUG_JUNK.sub("-", ascii_text).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug.strip("-")


def short_hash(*parts: object, length: int = 6) -> str:
    """A short, stable hex digest of the parts (for ids that must not change between runs)."""
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return h[:length]


def make_id(prefix: str, *words: str, fallback: str = "entry") -> str:
    """``prefix:slug-of-words`` (an id matching ontology.schema.ID_PATTERN)."""
    slug = slugify("-".join(w for w in words if w)) or fallback
    return f"{prefix}:{slug}"


def clean_text(value: Any) -> str | None:
    """Collapse whitespace; None for empty values."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# --------------------------------------------------------------------------- results
@dataclass
class ImportResult:
    """What an import did (or would do): counts, merged duplicates, warnings, the file."""

    fmt: str
    source: str
    target: Path
    text: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    unchanged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.fmt, "source": self.source, "target": str(self.target),
                "written": self.written, "unchanged": self.unchanged, "counts": self.counts,
                "merged": self.merged, "warnings": self.warnings}


# --------------------------------------------------------------------------- existing base
def evidence_dir(evidence: Path | str | None) -> Path:
    path = Path(evidence) if evidence else default_evidence_dir()
    if not path.is_dir():
        raise IntersectionsError(f"{path}: not an evidence folder (no such directory) — pass "
                                 "--evidence with the folder that holds the YAML files")
    return path


def import_target(evidence: Path, fmt: str, input_path: Path | str) -> Path:
    """``<evidence>/imports/<fmt>-<slug of the input's name>.yaml``."""
    p = Path(input_path)
    name = p.name if p.is_dir() else p.stem
    slug = (slugify(name) or "input").removeprefix(f"{fmt}-") or "input"
    return own_evidence_dir(evidence) / "imports" / f"{fmt}-{slug}.yaml"


class _Overlay(EvidenceBaseSource):
    """The evidence folder as it would be with ``replacements`` (path → YAML text) in place."""

    def __init__(self, path: Path, replacements: dict[Path, str | None],
                 scratch: Path) -> None:
        super().__init__(path)
        self._real: dict[Path, Path] = {}
        self._skip = {p.resolve() for p in replacements}
        self._extra: list[Path] = []
        for i, (target, text) in enumerate(sorted(replacements.items())):
            if text is None:
                continue
            tmp = scratch / f"{i}.yaml"
            tmp.write_text(text, encoding="utf-8")
            self._real[tmp] = target
            self._extra.append(tmp)

    def files(self) -> list[Path]:
        base = [p for p in super().files() if p.resolve() not in self._skip]
        return base + self._extra

    def _display(self, p: Path) -> str:
        return super()._display(self._real.get(p, p))


def existing_nodes(evidence: Path, exclude: Iterable[Path] = ()) -> dict[str, NodeRecord]:
    """Nodes of the evidence folder (leniently parsed), leaving out the files in ``exclude``.

    Used to deduplicate and to resolve labels; the strict check happens in :func:`write_import`.
    """
    with tempfile.TemporaryDirectory() as scratch:
        src = _Overlay(evidence, {p: None for p in exclude}, Path(scratch))
        out: dict[str, NodeRecord] = {}
        for rec in src.parse():
            if isinstance(rec, NodeRecord):
                out.setdefault(rec.id, rec)
    return out


def validate_overlay(evidence: Path, replacements: dict[Path, str | None],
                     what: str) -> None:
    """Validate the evidence base as it would be after the replacements; raise on any problem."""
    from loaders.shacl import shacl_problems

    with tempfile.TemporaryDirectory() as scratch:
        src = _Overlay(evidence, replacements, Path(scratch))
        parsed = src._parse_all()
        problems = list(src.problems)
    eb = assemble(parsed, problems)
    if not problems:
        check_evidence_links(eb, problems)
    if not problems:
        problems.extend(shacl_problems(eb))
    if problems:
        raise ValidationFailed(problems, what)


# --------------------------------------------------------------------------- rendering
def render_yaml(header: str, families: dict[str, list[BaseModel]]) -> str:
    """Entries → YAML text with a comment header; deterministic (same input, same bytes)."""
    data: dict[str, Any] = {}
    order = [f for f in FAMILY_ORDER if f in families] + sorted(
        f for f in families if f not in FAMILY_ORDER)
    for fam in order:
        entries = families[fam]
        if not entries:
            continue
        if fam not in FAMILY_MODELS:
            raise ValueError(f"unknown family {fam!r}")
        data[fam] = [dump_value(e) for e in entries]
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(data, buf)
    lines = "".join(f"# {ln}".rstrip() + "\n" for ln in header.strip().splitlines())
    return lines + buf.getvalue()


def file_mode() -> int:
    """The mode a plain ``open(..., "w")`` would give (0644 under the usual umask 022);
    ``mkstemp`` alone would leave exports and imports private (0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(target: Path, text: str) -> None:
    """Write via a temp file in the same folder and ``os.replace`` (never a half-written file).

    Every file an import, accept, ingest or export writes goes through here (or
    :func:`check_writable` first): nothing is ever written into the package's data folder.
    """
    check_writable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: How many entries of an earlier import the current command may remove (``--allow-removal N``);
#: set by the CLI around one import with :func:`allowing_removal`.
ALLOW_REMOVAL: ContextVar[int | None] = ContextVar("allow_removal", default=None)


@contextlib.contextmanager
def allowing_removal(n: int | None) -> Iterator[None]:
    token = ALLOW_REMOVAL.set(n)
    try:
        yield
    finally:
        ALLOW_REMOVAL.reset(token)


def _guard_removal(target: Path, families: dict[str, list[BaseModel]]) -> None:
    """Refuse a re-import that drops most entries of the file it replaces (a truncated or wrong
    input) unless the user named the count; the earlier file stays as it is."""
    doc, problems = load_yaml(target, str(target))
    if problems or not isinstance(doc, dict):
        return  # an unreadable earlier file is replaced; validation reports the new one
    old_ids = {e.get("id") for items in doc.values() if isinstance(items, list)
               for e in items if isinstance(e, dict) and e.get("id")}
    new_ids = {getattr(e, "id", None) for items in families.values() for e in items}
    removing = len(old_ids - new_ids)
    if not removal_allowed(removing, len(old_ids), ALLOW_REMOVAL.get()):
        raise ValidationFailed([Problem(
            str(target), None, None, "destructive-import",
            f"this import would remove {removing} of the {len(old_ids)} entries the earlier "
            f"import wrote (more than {MAX_REMOVAL_SHARE:.0%}); nothing was written",
            f"check the input is complete; if removing them is intended, re-run with "
            f"--allow-removal {removing}")], "import")


def write_import(result: ImportResult, evidence: Path, families: dict[str, list[BaseModel]],
                 header: str, *, dry_run: bool = False) -> ImportResult:
    """Render, validate the whole resulting base, then write atomically (unless ``dry_run``).

    Nothing new to write (every record merged into existing ones) removes nothing and writes
    nothing; the result says so.
    """
    if not dry_run:
        check_writable(result.target)  # say "read-only" before a long validation, not after
    result.counts = {f: len(v) for f, v in families.items() if v}
    if not any(families.values()):
        result.text = ""
        result.warnings.append("nothing new to import; no file written")
        return result
    result.text = render_yaml(header, families)
    if result.target.exists() and result.target.read_text(encoding="utf-8") == result.text:
        result.unchanged = True
    if result.target.exists() and not result.unchanged:
        _guard_removal(result.target, families)
    validate_overlay(evidence, {result.target: result.text}, f"{result.fmt} import")
    if not dry_run and not result.unchanged:
        atomic_write(result.target, result.text)
        result.written = True
    return result


# --------------------------------------------------------------------------- model checks
def build_entry(model: type[BaseModel], data: dict[str, Any], where: Problem,
                problems: list[Problem]) -> BaseModel | None:
    """Validate ``data`` with an entry model; on failure add one Problem per error at ``where``.

    ``where`` carries the file/line/record of the input row; its ``rule``/``message`` are
    replaced per error.
    """
    try:
        return model.model_validate({k: v for k, v in data.items() if v not in (None, [], "")})
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(entry)"
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(where.file, where.line, where.record, where.rule,
                                    f"{loc}: {msg}", where.hint))
        return None


def read_text(path: Path, what: str) -> str:
    """Read a UTF-8 input file; missing/undecodable/oversized files become a clean error."""
    check_import_size(path, f"{what} file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IntersectionsError(f"{path}: no such file — check the path") from None
    except IsADirectoryError:
        raise IntersectionsError(f"{path}: is a folder, expected a {what} file") from None
    except OSError as exc:
        raise IntersectionsError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed([Problem(str(path), None, None, "encoding",
                                        f"not UTF-8 text (byte {exc.start})",
                                        f"save the {what} file as UTF-8")], what) from None
    if "\x00" in text:
        raise ValidationFailed([Problem(str(path), None, None, "encoding",
                                        "contains NUL bytes (a binary file?)",
                                        f"export the {what} as text")], what)
    return text


def read_json(path: Path, what: str) -> Any:
    """Read and parse a JSON input file: syntax errors (line, column) and nesting too deep for
    the parser become one clean problem, like every other input."""
    text = read_text(path, "JSON")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValidationFailed([depth_problem(str(path), "JSON")], what) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed([Problem(str(path), exc.lineno, None, "json-syntax",
                                        f"{exc.msg} (column {exc.colno})",
                                        "check commas, quotes and brackets")], what) from None


def surname(author: str) -> str:
    """Normalised family name: 'Postmus, J. L.' and 'Judy L. Postmus' → 'postmus'."""
    a = author.strip()
    if "," in a:
        a = a.split(",", 1)[0]
    else:
        parts = a.split()
        a = parts[-1] if parts else ""
    return normalize(a).replace(" ", "")
