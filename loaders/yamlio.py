"""Reading YAML with line numbers, so every message can point at the offending entry.

Parsing uses PyYAML's libyaml composer (C) and builds plain dicts and lists that remember the
line of each key and item. That is ~20× faster than a pure-Python round-trip parser, which
matters for large evidence bases (see BENCHMARKS.md), and keeps exact positions for messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from loaders.errors import Problem

try:  # libyaml when available (it ships in PyYAML's wheels)
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_scalar = SafeConstructor()


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int | None = None
    item_lines: list[int]


_STR_TAG = "tag:yaml.org,2002:str"


def _build(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        # most values are strings: take them as is instead of through the constructor
        # machinery (same result as construct_yaml_str, ~5x less time per scalar)
        if node.tag == _STR_TAG:
            return node.value
        return _scalar.construct_object(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for k_node, v_node in node.value:
            key = _build(k_node)
            if isinstance(key, list | dict):
                raise ConstructorError(None, None, "a key must be a plain value",
                                       k_node.start_mark)
            if key in out:
                raise ConstructorError(None, None, f"duplicate key {key!r}",
                                       k_node.start_mark)
            out[key] = _build(v_node)
            out.key_lines[key] = k_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LineList(_build(n) for n in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [n.start_mark.line + 1 for n in node.value]
        return seq
    return _scalar.construct_object(node, deep=True)


def load_yaml(path: Path, display: str) -> tuple[Any, list[Problem]]:
    """Parse a YAML file keeping positions; a syntax error becomes a Problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(display, None, None, "encoding", f"not UTF-8 text ({exc.reason})",
                              "save the file as UTF-8")]
    try:
        node = yaml.compose(text, Loader=_Loader)
        return (_build(node) if node is not None else None), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = (exc.problem or exc.context or "malformed YAML").strip()
        return None, [Problem(display, line, None, "yaml-syntax", what,
                              "check indentation, colons and quotes around this line")]
    except yaml.YAMLError as exc:
        return None, [Problem(display, None, None, "yaml-syntax", str(exc).strip(),
                              "check the file is valid YAML")]


def line_of(node: Any, key: str | int | None = None) -> int | None:
    """1-based line of a mapping/sequence, or of one of its keys/items, when known."""
    if key is None:
        return getattr(node, "line", None)
    if isinstance(node, LineDict):
        return node.key_lines.get(key)
    if isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node.item_lines):
        return node.item_lines[key]
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
    """LineDict/LineList → plain dicts and lists (for pydantic)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    return node
