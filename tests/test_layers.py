"""One-way layers: ontology ← loaders ← graph ← {explorer, cli}. Nothing imports upward.

Every module of the five packages is parsed; every ``import`` (module level, inside functions,
under ``TYPE_CHECKING``) must name the module's own package or a lower layer. The two top
packages are ordered too: ``cli`` may start the explorer (``intersections serve``), the explorer
never imports ``cli``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: package → its rank; a module may import packages of its own or a lower rank only.
LAYERS = {"ontology": 0, "loaders": 1, "graph": 2, "explorer": 3, "cli": 4}


def back_imports(package: str, source: str, filename: str = "<source>") -> list[str]:
    """'file:line imports X' for every import of a higher or sibling layer in ``source``."""
    bad = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside the package
        for name in names:
            top = name.partition(".")[0]
            if top in LAYERS and top != package and LAYERS[top] >= LAYERS[package]:
                bad.append(f"{filename}:{node.lineno} imports {name}")
    return bad


def test_no_module_imports_upward() -> None:
    bad = []
    modules = 0
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules += 1
            bad += back_imports(package, path.read_text(encoding="utf-8"),
                                str(path.relative_to(ROOT)))
    assert modules > 50  # the walk really found the packages
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_the_check_catches_a_planted_back_import() -> None:
    planted = "import os\n\ndef f():\n    from graph.api import open_backend\n    import cli.app\n"
    assert back_imports("loaders", planted) == ["<source>:4 imports graph.api",
                                                "<source>:5 imports cli.app"]
    assert back_imports("explorer", "import cli.helpers\n") == ["<source>:1 imports cli.helpers"]
    assert back_imports("graph", "import explorer.app as a\n") == [
        "<source>:1 imports explorer.app"]
    assert back_imports("cli", "from explorer.serve import serve\nimport loaders\n") == []
    assert back_imports("graph", "from loaders.text import normalize\n") == []
