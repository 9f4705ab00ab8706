"""Reading YAML with line numbers, so every message can point at the offending entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from loaders.errors import Problem


def load_yaml(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """Parse a YAML file keeping positions; a syntax error becomes a Problem with its line."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(display, None, None, "encoding", f"not UTF-8 text ({exc.reason})",
                              "save the file as UTF-8")]
    try:
        return yaml.load(text), []
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = (exc.problem or exc.context or "malformed YAML").strip()
        return None, [Problem(display, line, None, "yaml-syntax", what,
                              "check indentation, colons and quotes around this line")]


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """1-based line of a mapping/sequence, or of one of its keys/items, when known."""
    try:
        if key is None:
            return node.lc.line + 1
        if isinstance(node, CommentedMap) and key in node:
            return node.lc.key(key)[0] + 1
        if isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            return node.lc.item(key)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return None


def locate(entry: Any, loc: tuple[Any, ...]) -> int | None:
    """Best line for a pydantic error location inside an entry (deepest position we know)."""
    best = line_of(entry)
    node = entry
    for part in loc:
        line = line_of(node, part)
        if line is None:
            break
        best = line
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return best


def to_plain(node: Any) -> Any:
    """ruamel's commented containers → plain dicts/lists (for pydantic)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    return node
