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
from loaders.limits import MAX_DEPTH, depth_problem, max_file_bytes, size_problem

try:  # libyaml when available (it ships in PyYAML's wheels)
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

_scalar = SafeConstructor()


class _Composer(_Loader):  # type: ignore[misc,valid-type]
    """The loader :func:`load_yaml` composes with: tags resolved as the loader resolves them,
    without running its implicit-type regular expressions again for a plain value already seen
    in this file (keys repeat on every entry: millions of calls at 100k nodes).

    A quoted scalar is always a string (``!!str``); a plain one's tag depends only on its text
    (the resolvers are fixed per class), so the memo is exact. Path resolvers (none are
    registered here) would depend on position: with any, every call goes to the loader's own
    ``resolve``. One memo per file, dropped with the loader.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._plain_tags: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        if not implicit[0]:  # quoted (or block) scalar: never an implicit type
            return str(self.DEFAULT_SCALAR_TAG)
        tag = self._plain_tags.get(value)
        if tag is None:
            tag = self._plain_tags[value] = str(super().resolve(kind, value, implicit))
        return tag


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int | None = None
    item_lines: list[int]


_STR_TAG = "tag:yaml.org,2002:str"


class _AliasFound(Exception):
    """An alias (``*name``) reuses a node: refused, so a 1 KB file cannot expand to gigabytes."""

    def __init__(self, line: int) -> None:
        self.line = line


class _TooDeep(Exception):
    pass


def _build(node: yaml.Node, seen: set[int], where: yaml.Mark, depth: int = 0) -> Any:
    """Node tree → LineDict/LineList/scalars, refusing aliases and excessive nesting.

    The composer shares one node object between an anchor and each of its aliases, so a node
    met twice *is* an alias; ``where`` is the mark of the key or item that refers to it.
    """
    if id(node) in seen:
        raise _AliasFound(where.line + 1)
    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(node, yaml.ScalarNode):
        seen.add(id(node))
        # most values are strings: take them as is instead of through the constructor
        # machinery (same result as construct_yaml_str, ~5x less time per scalar)
        if node.tag == _STR_TAG:
            return node.value
        return _scalar.construct_object(node, deep=True)
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for k_node, v_node in node.value:
            key = _build(k_node, seen, k_node.start_mark, depth + 1)
            if isinstance(key, list | dict):
                raise ConstructorError(None, None, "a key must be a plain value",
                                       k_node.start_mark)
            if key in out:
                raise ConstructorError(None, None, f"duplicate key {key!r}",
                                       k_node.start_mark)
            out[key] = _build(v_node, seen, k_node.start_mark, depth + 1)
            out.key_lines[key] = k_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        prev = node.start_mark
        for n in node.value:
            items.append(_build(n, seen, prev, depth + 1))
            prev = n.start_mark
        seq = LineList(items)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [n.start_mark.line + 1 for n in node.value]
        return seq
    return _scalar.construct_object(node, deep=True)


_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode


def _build_unaliased(node: yaml.Node, depth: int = 0) -> Any:
    """:func:`_build` for a text that holds no ``*`` at all, hence no alias: same result, same
    depth limit and key checks, without tracking every node met (a third of parsing a large
    base) and with plain string values taken inline instead of through a call each."""
    if depth > MAX_DEPTH:
        raise _TooDeep
    kind = type(node)
    if kind is _SCALAR:
        return node.value if node.tag == _STR_TAG else _scalar.construct_object(node, deep=True)
    inner = depth + 1
    inline = inner <= MAX_DEPTH  # a string child one level down is within the limit too
    if kind is _MAPPING:
        out = LineDict()
        out.line = node.start_mark.line + 1
        lines: dict[Any, int] = {}
        out.key_lines = lines
        for k_node, v_node in node.value:
            if inline and type(k_node) is _SCALAR and k_node.tag == _STR_TAG:
                key = k_node.value
            else:
                key = _build_unaliased(k_node, inner)
                if isinstance(key, list | dict):
                    raise ConstructorError(None, None, "a key must be a plain value",
                                           k_node.start_mark)
            if key in out:
                raise ConstructorError(None, None, f"duplicate key {key!r}",
                                       k_node.start_mark)
            if inline and type(v_node) is _SCALAR and v_node.tag == _STR_TAG:
                out[key] = v_node.value
            else:
                out[key] = _build_unaliased(v_node, inner)
            lines[key] = k_node.start_mark.line + 1
        return out
    if kind is _SEQUENCE:
        seq = LineList(n.value if inline and type(n) is _SCALAR and n.tag == _STR_TAG
                       else _build_unaliased(n, inner) for n in node.value)
        seq.line = node.start_mark.line + 1
        seq.item_lines = [n.start_mark.line + 1 for n in node.value]
        return seq
    return _scalar.construct_object(node, deep=True)


def _first_alias(text: str, fallback: int) -> tuple[int, str]:
    """Line and name of the first alias event (the composer does not keep alias positions)."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1, str(event.anchor)
    except yaml.YAMLError:
        pass
    return fallback, "name"


def load_yaml(path: Path, display: str, max_bytes: int | None = None) -> tuple[Any, list[Problem]]:
    """Parse a YAML file keeping positions; every failure becomes ONE Problem with its line.

    Bounded: files over the size limit (:mod:`loaders.limits`) are not read; aliases
    (``*name``) are refused as ``yaml-alias``; nesting beyond ``MAX_DEPTH``, recursion and memory
    errors become one-line problems instead of tracebacks.
    """
    limit = max_bytes if max_bytes is not None else max_file_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [size_problem(display, size, limit, "INTERSECTIONS_MAX_FILE_MB",
                                       "the file")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(display, None, None, "encoding", f"not UTF-8 text ({exc.reason})",
                              "save the file as UTF-8")]
    except OSError as exc:
        return None, [Problem(display, None, None, "unreadable",
                              f"cannot read the file ({exc.strerror or exc})",
                              "check it exists and that you may read it")]
    if "\x00" in text:
        return None, [Problem(display, None, None, "encoding",
                              "contains NUL bytes (a binary file?)", "save the file as text")]
    try:
        node = yaml.compose(text, Loader=_Composer)
        if node is None:
            return None, []
        if "*" not in text:  # an alias is always written *name: none can be in this file
            return _build_unaliased(node), []
        return _build(node, set(), node.start_mark), []
    except _AliasFound as exc:
        alias_line, name = _first_alias(text, exc.line)
        return None, [Problem(display, alias_line, None, "yaml-alias",
                              f"YAML alias *{name} refers to an anchor: aliases (*name) and "
                              "anchors (&name) are not accepted",
                              "write the value out in full where it is used")]
    except (_TooDeep, RecursionError):
        return None, [depth_problem(display, "YAML")]
    except MemoryError:
        return None, [Problem(display, None, None, "too-large",
                              "ran out of memory while reading the file",
                              "split it into smaller files")]
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
    if isinstance(node, dict):  # (strings, most values, are taken as they are: no call each)
        return {k if type(k) is str else str(k): v if type(v) is str else to_plain(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [v if type(v) is str else to_plain(v) for v in node]
    return node
