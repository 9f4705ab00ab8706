"""``python -m cli`` runs the ``intersections`` command."""

from cli import main

main()
