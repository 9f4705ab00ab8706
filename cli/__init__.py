"""The ``intersections`` command line (``[project.scripts] intersections = "cli:main"``).

The top layer, next to the explorer: ``ontology ← loaders ← graph ← {explorer, cli}``. One
module per command group (:mod:`cli.evidence`, :mod:`cli.browse`, :mod:`cli.neo4jdb`,
:mod:`cli.serve`, :mod:`cli.imports`, :mod:`cli.query`, :mod:`cli.queries`; ``bench`` comes from
:mod:`benchmarks.cli`), each command thin: parse options, call a plain function of a lower
layer, print. What they share (consoles, exit codes, common options, the backend list) is in
:mod:`cli.helpers`. Heavy libraries (Dash, the Neo4j driver, PDF and bibliography parsers) are
imported inside the commands that need them, so ``intersections --help`` stays quick.
"""

from cli.app import app, main

__all__ = ["app", "main"]
