"""Counts in words: "1 claim", "2 claims" — never "1 claims" or "intervention(s)".

Used by every page and by :mod:`explorer.elements` (which cannot import the components module),
so it lives on its own with no explorer imports.
"""

from __future__ import annotations

#: irregular plurals of the nouns the explorer counts
_IRREGULAR = {"study": "studies", "category": "categories", "strategy": "strategies",
              "is": "are", "was": "were", "this": "these"}


def plural(n: int, one: str, many: str | None = None) -> str:
    """``plural(1, "claim")`` → ``"1 claim"``; ``plural(2, "claim")`` → ``"2 claims"``.

    Numbers get thousands separators; ``many`` overrides the plural form.
    """
    return f"{n:,} {noun(n, one, many)}"


def noun(n: int, one: str, many: str | None = None) -> str:
    """The noun alone, in the form that agrees with ``n``."""
    if n == 1:
        return one
    if many:
        return many
    if one in _IRREGULAR:
        return _IRREGULAR[one]
    if one.endswith("y") and one[-2:-1] not in "aeiou":
        return one[:-1] + "ies"
    if one.endswith(("s", "sh", "ch", "x")):
        return one + "es"
    return one + "s"
