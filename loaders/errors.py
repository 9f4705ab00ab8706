"""User-facing errors: what is wrong, where, and how to fix it.

Loaders collect every :class:`Problem` they find before anything is written, then raise one
:class:`ValidationFailed` carrying them all. The CLI prints them one per line; nothing is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input: file, line, record id, the rule broken, and a hint."""

    file: str
    line: int | None
    record: str | None
    rule: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        who = f" [{self.record}]" if self.record else ""
        fix = f" — fix: {self.hint}" if self.hint else ""
        return f"{where}{who} {self.rule}: {self.message}{fix}"


#: Rules listed before all others: the file could not be read, so later problems follow from it.
_FIRST = frozenset({"yaml-syntax", "yaml-alias", "too-large", "too-deep", "too-slow", "encoding",
                    "unreadable", "file-shape", "no-entries", "missing"})


class IntersectionsError(Exception):
    """Base class for errors that are the user's to fix (shown without a traceback)."""


class ValidationFailed(IntersectionsError):
    """The input is invalid; nothing was written."""

    def __init__(self, problems: list[Problem], what: str = "evidence base") -> None:
        # a file that could not be read at all comes first: it explains the rest
        self.problems = sorted(problems, key=lambda p: (p.rule not in _FIRST, p.rule == "follow-on",
                                                        p.file, p.line or 0, p.rule))
        n = len(self.problems)
        super().__init__(
            f"{what} is invalid ({n} problem{'s' if n != 1 else ''}); nothing was loaded:\n"
            + "\n".join(f"  {p}" for p in self.problems)
        )
