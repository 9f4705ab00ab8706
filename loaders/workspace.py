"""A coalition's workspace: its own evidence over the shipped base, its imports and its settings.

The evidence base shipped inside the package is read-only (in a wheel it sits in
site-packages, in the Docker image it belongs to root). Everything a user adds lives in a
workspace folder made by ``intersections init DIR``::

    DIR/intersections.toml     backend and Neo4j settings (never a password: NEO4J_PASSWORD)
    DIR/evidence/              the coalition's own YAML, loaded over the shipped base
    DIR/evidence/imports/      what ``intersections import …`` writes
    DIR/evidence/accepted/     what ``intersections accept`` writes
    DIR/reviews/               what ``intersections ingest`` writes (outside evidence/: not loaded)
    DIR/exports/               default target of export-citations / export-sheet

Overlay rule: the base is every shipped ``*.yaml`` plus every workspace ``evidence/**/*.yaml``; a
workspace file at the same relative path as a shipped one (``evidence/sources/ncap.yaml``)
replaces it. Removing a workspace file removes its entries (and brings a replaced shipped file
back). A folder is a workspace when it holds ``intersections.toml``; every command that takes
``--evidence`` takes ``--workspace`` (the same option) and ``INTERSECTIONS_WORKSPACE``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from loaders.errors import IntersectionsError

CONFIG_NAME = "intersections.toml"
ENV_VAR = "INTERSECTIONS_WORKSPACE"
EVIDENCE, REVIEWS, EXPORTS = "evidence", "reviews", "exports"

HOW_TO_CREATE = (
    "create a workspace for your own data: `intersections init my-workspace`, then pass "
    "`--workspace my-workspace` or `export INTERSECTIONS_WORKSPACE=$PWD/my-workspace`")


class ReadOnlyBase(IntersectionsError):
    """A command tried to write into the package (the shipped base is read-only)."""

    exit_code = 1


class NotAWorkspace(IntersectionsError):
    """A path given as a workspace has no ``intersections.toml``."""

    exit_code = 2


def shipped_evidence_dir() -> Path:
    """The evidence base shipped inside the package (works from a wheel or a checkout)."""
    return Path(str(resources.files("loaders") / "data" / "evidence"))


def package_data_dir() -> Path:
    """Everything under ``loaders/data`` (evidence, samples, schemas): never written."""
    return Path(str(resources.files("loaders") / "data"))


def is_workspace(path: Path | str | None) -> bool:
    return path is not None and (Path(path) / CONFIG_NAME).is_file()


def own_evidence_dir(path: Path | str) -> Path:
    """Where entries are written: ``DIR/evidence`` for a workspace, the folder itself else."""
    p = Path(path)
    return p / EVIDENCE if is_workspace(p) else p


def active_workspace() -> Path | None:
    """The workspace named by ``INTERSECTIONS_WORKSPACE`` (checked), or None."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    p = Path(value).expanduser()
    if not is_workspace(p):
        raise NotAWorkspace(f"{ENV_VAR}={value}: not a workspace (no {CONFIG_NAME}) — "
                            f"create it with `intersections init {value}`")
    return p


def check_writable(target: Path | str) -> None:
    """Refuse any write inside the package's data folder (the shipped base is read-only)."""
    t = Path(target).resolve()
    data = package_data_dir().resolve()
    if t == data or data in t.parents:
        raise ReadOnlyBase(f"{target}: the shipped evidence base and samples are read-only "
                           f"(they belong to the installed package) — {HOW_TO_CREATE}")


def default_output(evidence: Path | str | None, kind: str, name: str) -> Path:
    """``DIR/<kind>/<name>`` of the workspace in use (``evidence`` or the environment)."""
    ws = Path(evidence) if evidence is not None and is_workspace(evidence) \
        else active_workspace()
    if ws is None:
        raise ReadOnlyBase(f"no --out given and no workspace to write {name} into — pass --out "
                           f"PATH, or {HOW_TO_CREATE}")
    return ws / kind / name


def overlay_files(root: Path | str) -> list[Path]:
    """The YAML files a workspace loads: shipped base files not replaced, then its own."""
    root = Path(root)
    own_dir, base_dir = root / EVIDENCE, shipped_evidence_dir()
    own = sorted(p for p in own_dir.rglob("*.yaml") if p.is_file()) if own_dir.is_dir() else []
    replaced = {p.relative_to(own_dir) for p in own}
    base = sorted(p for p in base_dir.rglob("*.yaml")
                  if p.is_file() and p.relative_to(base_dir) not in replaced)
    return base + own


# ------------------------------------------------------------------------------ config
@dataclass(frozen=True)
class WorkspaceConfig:
    """``intersections.toml``: what backend to use and where Neo4j is (no secrets)."""

    name: str
    backend: str = "embedded"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_username: str = "neo4j"
    neo4j_database: str = ""


_TEMPLATE = """\
# Intersections workspace "{name}" (made by `intersections init`).
# Use it with `--workspace {path}` or `export INTERSECTIONS_WORKSPACE={path}`.
# Your own evidence goes in evidence/ (loaded over the shipped base; a file at the same relative
# path as a shipped one replaces it). Never put a password here: set NEO4J_PASSWORD instead.

[workspace]
name = "{name}"

[backend]
# embedded (no server) or neo4j
kind = "{backend}"

[neo4j]
uri = "{uri}"
username = "{username}"
database = "{database}"   # empty: the server's default database
"""

_README = """\
# {name} — an Intersections workspace

* `evidence/` — your own YAML entries (see docs/curation.md in the Intersections repository);
  `evidence/imports/` and `evidence/accepted/` are written by `intersections import` and
  `intersections accept`. Delete a file here to remove its entries, then reload.
* `reviews/` — review files written by `intersections ingest` (not loaded).
* `exports/` — default place for `export-citations` and `export-sheet`.
* `intersections.toml` — backend and Neo4j settings (the password comes from NEO4J_PASSWORD).

    intersections validate --workspace {path}
    intersections serve --workspace {path}
"""

_SECRET_KEY = re.compile(r"(?im)^\s*(password|secret|token)\s*=")


def init_workspace(path: Path | str, *, name: str | None = None, backend: str = "embedded",
                   uri: str = "bolt://127.0.0.1:7687", username: str = "neo4j",
                   database: str = "") -> Path:
    """Create the workspace folders and config; refuse a non-empty folder or the package."""
    root = Path(path).expanduser()
    check_writable(root / CONFIG_NAME)
    if is_workspace(root):
        raise IntersectionsError(f"{root}: already a workspace ({CONFIG_NAME} exists); "
                                 "nothing changed")
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise IntersectionsError(f"{root}: exists and is not an empty folder — pick a new path")
    if backend not in ("embedded", "neo4j"):
        raise IntersectionsError(f"unknown backend {backend!r}; use embedded or neo4j")
    ws_name = name or root.resolve().name or "workspace"
    for sub in (EVIDENCE, f"{EVIDENCE}/imports", f"{EVIDENCE}/accepted", REVIEWS, EXPORTS):
        (root / sub).mkdir(parents=True, exist_ok=True)
    fields = {"name": _toml_str(ws_name), "path": str(root), "backend": backend,
              "uri": _toml_str(uri), "username": _toml_str(username),
              "database": _toml_str(database)}
    (root / CONFIG_NAME).write_text(_TEMPLATE.format(**fields), encoding="utf-8")
    (root / "README.md").write_text(_README.format(name=ws_name, path=root), encoding="utf-8")
    return root


def _toml_str(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def load_config(path: Path | str) -> WorkspaceConfig:
    """Read ``intersections.toml`` (a password in it is refused: secrets come from the env)."""
    cfg = Path(path) / CONFIG_NAME
    if not cfg.is_file():
        raise NotAWorkspace(f"{path}: not a workspace (no {CONFIG_NAME}) — {HOW_TO_CREATE}")
    text = cfg.read_text(encoding="utf-8")
    if _SECRET_KEY.search(text):
        raise IntersectionsError(f"{cfg}: holds a password/secret/token — remove it and set "
                                 "NEO4J_PASSWORD in the environment instead")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise IntersectionsError(f"{cfg}: not valid TOML ({exc})") from None
    neo = data.get("neo4j", {})
    return WorkspaceConfig(
        name=str(data.get("workspace", {}).get("name", Path(path).name)),
        backend=str(data.get("backend", {}).get("kind", "embedded")),
        neo4j_uri=str(neo.get("uri", "bolt://127.0.0.1:7687")),
        neo4j_username=str(neo.get("username", "neo4j")),
        neo4j_database=str(neo.get("database", "")))
