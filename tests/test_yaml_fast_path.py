"""The alias-free YAML builder (loaders.yamlio._build_unaliased, issue 17 item 3).

A file without a single ``*`` cannot hold an alias, so the loader builds it without tracking
every node. It must give exactly what the alias-checking builder gives — values, types, the line
of every mapping, key and item — and the same refusals (depth limit, duplicate keys, keys that
are not plain values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from loaders.evidence import default_evidence_dir
from loaders.limits import MAX_DEPTH
from loaders.yamlio import (
    LineDict,
    LineList,
    _build,
    _build_unaliased,
    _Composer,
    _Loader,
    _TooDeep,
    load_yaml,
)

MINI = Path(__file__).parent / "fixtures" / "mini"


def _shape(value: Any) -> Any:
    """Everything a caller can see: values, types and every recorded line."""
    if isinstance(value, LineDict):
        return ("map", value.line, [(_shape(k), value.key_lines[k], _shape(v))
                                    for k, v in value.items()])
    if isinstance(value, LineList):
        return ("seq", value.line, value.item_lines, [_shape(v) for v in value])
    return (type(value).__name__, value)


def _both(text: str) -> tuple[Any, Any]:
    node = yaml.compose(text, Loader=_Loader)
    slow = _build(node, set(), node.start_mark)
    fast = _build_unaliased(yaml.compose(text, Loader=_Loader))
    return slow, fast


def _files(tmp_path: Path) -> list[Path]:
    from benchmarks.generator import generate

    gen = tmp_path / "gen"
    generate(gen, 400, seed=5)
    return sorted([*default_evidence_dir().rglob("*.yaml"), *MINI.rglob("*.yaml"),
                   *gen.rglob("*.yaml")])


def test_same_values_types_and_lines_as_the_alias_checking_builder(tmp_path: Path) -> None:
    files = _files(tmp_path)
    assert len(files) > 10
    for f in files:
        text = f.read_text(encoding="utf-8")
        slow, fast = _both(text)
        assert _shape(fast) == _shape(slow), f


@pytest.mark.parametrize("text", [
    "a: 1\nb: [1, 2.5, true, null, '3', x]\nc: {d: e, 7: f}\n",
    "- - - deep\n  - 2\n- {k: [v]}\n",
    "key: &anchor value\nother: plain\n",  # an anchor without an alias is fine
    "a: |\n  block\n  text\nb: >-\n  folded\n",
    "? complex\n: value\n",
    "dates: 2024-01-02\nnum: 0x1F\n",
])
def test_same_result_on_every_kind_of_scalar_and_collection(text: str) -> None:
    slow, fast = _both(text)
    assert _shape(fast) == _shape(slow)


def test_same_depth_limit_at_the_boundary() -> None:
    def nested(levels: int, leaf: str) -> str:
        return "[" * levels + leaf + "]" * levels

    for levels in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1):
        for leaf in ("'text'", "1"):
            text = nested(levels, leaf)
            outcomes = []
            for build in ("slow", "fast"):
                node = yaml.compose(text, Loader=_Loader)
                try:
                    got = _build(node, set(), node.start_mark) if build == "slow" \
                        else _build_unaliased(node)
                    outcomes.append(_shape(got))
                except _TooDeep:
                    outcomes.append("too deep")
            assert outcomes[0] == outcomes[1], (levels, leaf)
    assert outcomes == ["too deep", "too deep"]  # the last case really is over the limit


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "duplicate key"),
    ("[1, 2]: x\n", "a key must be a plain value"),
])
def test_same_refusals_with_the_same_line(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    doc, problems = load_yaml(f, "bad.yaml")
    assert doc is None
    assert len(problems) == 1 and message in problems[0].message
    node = yaml.compose(text, Loader=_Loader)
    with pytest.raises(yaml.constructor.ConstructorError) as slow:
        _build(node, set(), node.start_mark)
    with pytest.raises(yaml.constructor.ConstructorError) as fast:
        _build_unaliased(yaml.compose(text, Loader=_Loader))
    assert str(fast.value) == str(slow.value)


def test_a_file_with_an_alias_still_takes_the_checking_path(tmp_path: Path) -> None:
    f = tmp_path / "alias.yaml"
    f.write_text("a: &x [1, 2]\nb: *x\n")
    doc, problems = load_yaml(f, "alias.yaml")
    assert doc is None and [p.rule for p in problems] == ["yaml-alias"]
    assert problems[0].line == 2


def _tags(node: yaml.Node) -> Any:
    """A composed node tree as (kind, tag, value or children, line, column)."""
    if isinstance(node, yaml.ScalarNode):
        inner: Any = node.value
    elif isinstance(node, yaml.MappingNode):
        inner = [(_tags(k), _tags(v)) for k, v in node.value]
    else:
        inner = [_tags(n) for n in node.value]
    return (type(node).__name__, node.tag, inner, node.start_mark.line, node.start_mark.column)


_MIXED = """\
a: 1
b: '1'
c: 1
d: [true, 'true', true, ~, null, '', 1.5, 1_000, 2024-01-02, 0x1F, yes, no, on, x, 'x', x]
e:
f: !!str 3
g: ! 4
h: "1.5"
i: 1.5
j: |
  1
k: [1, "1", 1, 2024-01-02, '2024-01-02', .inf, -.inf, .nan, 0o17, +12, '+12', 12e3]
"""


@pytest.mark.parametrize("text", [_MIXED, "- 1\n- '1'\n- 1\n", "x\n", "'x'\n", "~\n"])
def test_memoised_tags_are_the_loaders_own(text: str) -> None:
    """The composer remembers each plain value's tag within a file; a value seen quoted and
    plain, or plain twice, must get exactly the tag the loader itself gives every time."""
    assert _tags(yaml.compose(text, Loader=_Composer)) == \
        _tags(yaml.compose(text, Loader=_Loader))


def test_memoised_tags_on_every_shipped_and_generated_file(tmp_path: Path) -> None:
    for f in _files(tmp_path):
        text = f.read_text(encoding="utf-8")
        assert _tags(yaml.compose(text, Loader=_Composer)) == \
            _tags(yaml.compose(text, Loader=_Loader)), f
