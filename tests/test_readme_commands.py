"""Every command in the README runs as written (issue 15).

Each ```bash and ```python block in README.md is executed here unless the line before its fence
is ``<!-- illustrative: why -->`` (a server that runs until stopped, your own Neo4j, minutes of
benchmarking). In bash blocks, ``intersections …`` lines run the real CLI and ``export VAR=…``
lines set the environment for the lines after them; any other command makes the test fail (mark
the block illustrative, or say in the README how it is tested). Blocks of other languages
(yaml, apache, a diagram) are data, not commands. Everything runs in a temporary folder with a
workspace, so writing commands never touch the package.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ILLUSTRATIVE = re.compile(r"<!--\s*illustrative\b.*-->")


@dataclass
class Block:
    lang: str
    line: int  # 1-based line of the opening fence
    text: str
    illustrative: bool


def readme_blocks() -> list[Block]:
    lines = README.read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        prev = lines[start - 1] if start else ""
        out.append(Block(m.group(1), start + 1, "\n".join(body),
                         bool(ILLUSTRATIVE.search(prev))))
        i += 1
    return out


COMMAND_BLOCKS = [b for b in readme_blocks() if b.lang in ("bash", "python")]
RUN = [b for b in COMMAND_BLOCKS if not b.illustrative]


def test_the_readme_has_runnable_blocks() -> None:
    """Not vacuous: the signature journey, the workspace and the notebook API run."""
    assert len(RUN) >= 3
    joined = "\n".join(b.text for b in RUN)
    for must in ("intersections search", "intersections paths", "intersections init",
                 "open_backend"):
        assert must in joined, must


def _commands(block: Block) -> list[str]:
    cmds = []
    for raw in block.text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            cmds.append(line)
    return cmds


@pytest.mark.parametrize("block", [b for b in RUN if b.lang == "bash"],
                         ids=lambda b: f"README.md:{b.line}")
def test_bash_block_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.api import _embedded

    monkeypatch.chdir(tmp_path)
    for var in ("INTERSECTIONS_WORKSPACE", "INTERSECTIONS_EVIDENCE", "INTERSECTIONS_BACKEND"):
        monkeypatch.delenv(var, raising=False)
    env: dict[str, str] = {"COLUMNS": "120"}
    runner = CliRunner()
    for cmd in _commands(block):
        words = shlex.split(os.path.expandvars(cmd.replace("$PWD", str(tmp_path))))
        if words[0] == "export":
            for assignment in words[1:]:
                name, _, value = assignment.partition("=")
                env[name] = value
                monkeypatch.setenv(name, value)
            continue
        assert words[0] == "intersections", (
            f"README.md:{block.line}: `{cmd}` is not an intersections command — mark the block "
            "<!-- illustrative: why --> or make it runnable here")
        _embedded.cache_clear()  # each README line is a fresh process for the user
        r = runner.invoke(app, words[1:], env=env)
        assert r.exit_code == 0, f"README.md:{block.line}: `{cmd}` exited {r.exit_code}:\n" \
                                 f"{r.output}"
        assert "Traceback" not in r.output


@pytest.mark.parametrize("block", [b for b in RUN if b.lang == "python"],
                         ids=lambda b: f"README.md:{b.line}")
def test_python_block_runs(block: Block, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(block.text, f"README.md:{block.line}", "exec"), {"__name__": "readme"})


def test_illustrative_blocks_say_why() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if ILLUSTRATIVE.search(line):
            why = line.split("illustrative", 1)[1].strip(" :-<>!")
            assert len(why) > 10, f"say why the block is illustrative: {line}"


#: Inline commands that need a server, write into a database or the package's ontology files,
#: or run for minutes; each is covered elsewhere (Neo4j and explorer tests, the benchmark smoke
#: run, tests/test_ontology.py regenerating the ontology).
NOT_INLINE = ("serve", "load", "neo4j-unload", "neo4j-status", "cypher", "ontology", "bench")
PLACEHOLDER = re.compile(r"[A-Z_]{3,}|[|\[…]|\.\.\.|@")


def inline_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    cmds = sorted({m.group(1) for m in re.finditer(r"`(intersections [^`]+)`", text)})
    return [c for c in cmds
            if not PLACEHOLDER.search(c.replace("--help", ""))
            and shlex.split(c)[1] not in NOT_INLINE]


def test_inline_commands_are_found() -> None:
    cmds = inline_commands()
    assert len(cmds) >= 10
    assert any("--prefixes" in c for c in cmds) and any("coverage" in c for c in cmds)


@pytest.mark.parametrize("cmd", inline_commands())
def test_inline_command_runs(cmd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands quoted in the README's text and tables, run from the repository root."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("INTERSECTIONS_WORKSPACE", raising=False)
    r = CliRunner().invoke(app, shlex.split(cmd)[1:], env={"COLUMNS": "120"})
    assert r.exit_code == 0, f"`{cmd}` exited {r.exit_code}:\n{r.output}"
    assert "Traceback" not in r.output
