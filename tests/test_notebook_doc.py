"""docs/notebook.md stays true: every ```python block runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "notebook.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_doc_has_python_blocks() -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 5


def test_every_python_block_runs(capsys) -> None:
    namespace: dict[str, object] = {"__name__": "notebook_doc"}
    for i, code in enumerate(BLOCK.findall(DOC.read_text(encoding="utf-8")), 1):
        try:
            exec(compile(code, f"{DOC.name}[block {i}]", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            raise AssertionError(f"docs/notebook.md block {i} failed: {exc!r}\n{code}") from exc
    out = capsys.readouterr().out
    assert "risk:foster-care-placement" in out
    assert "refused:" in out
