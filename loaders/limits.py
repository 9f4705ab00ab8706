"""Bounds on everything users hand us: file size, total size, nesting depth, parse time.

Every reader checks its input against these before parsing, so no file — a 1 KB alias bomb,
a 30 MB bibliography, a 100k-deep JSON list — can exhaust memory or hold the machine. Each
limit can be raised for an unusually large (trusted) input through an environment variable;
the message that refuses a file names it.

=============================  ==========  ==================================
limit                          default     environment variable
=============================  ==========  ==================================
one evidence YAML file         16 MB       ``INTERSECTIONS_MAX_FILE_MB``
a whole evidence base          512 MB      ``INTERSECTIONS_MAX_BASE_MB``
one imported file / folder     16 MB       ``INTERSECTIONS_MAX_IMPORT_MB``
time to parse one import       120 s       ``INTERSECTIONS_IMPORT_SECONDS``
rows of a spreadsheet          100,000     ``INTERSECTIONS_MAX_SHEET_ROWS``
=============================  ==========  ==================================

The generated 100k-entry benchmark base is 70 MB in 66 files (~1 MB each), well inside these.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from loaders.errors import Problem, ValidationFailed

MB = 1024 * 1024
#: Deepest nesting accepted in JSON/YAML input (evidence entries are 3-4 levels deep).
MAX_DEPTH = 64


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


def max_file_bytes() -> int:
    return int(_env_number("INTERSECTIONS_MAX_FILE_MB", 16) * MB)


def max_base_bytes() -> int:
    return int(_env_number("INTERSECTIONS_MAX_BASE_MB", 512) * MB)


def max_import_bytes() -> int:
    return int(_env_number("INTERSECTIONS_MAX_IMPORT_MB", 16) * MB)


def import_seconds() -> float:
    return _env_number("INTERSECTIONS_IMPORT_SECONDS", 120)


def max_sheet_rows() -> int:
    return int(_env_number("INTERSECTIONS_MAX_SHEET_ROWS", 100_000))


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def size_problem(display: str, size: int, limit: int, env: str, what: str) -> Problem:
    """The one ``too-large`` problem: how big, the limit, and how to proceed."""
    return Problem(display, None, None, "too-large",
                   f"{what} is {_mb(size)}, over the {_mb(limit)} limit",
                   f"split it into smaller files, or raise the limit with {env}=<MB> "
                   "if you trust the input")


def check_import_size(path: Path, what: str) -> None:
    """Refuse an import input (a file, or all files of a folder) above the per-import limit."""
    limit = max_import_bytes()
    try:
        if path.is_dir():
            size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        else:
            size = path.stat().st_size
    except OSError:
        return  # the reader reports missing/unreadable files in its own words
    if size > limit:
        raise ValidationFailed([size_problem(str(path), size, limit,
                                             "INTERSECTIONS_MAX_IMPORT_MB", f"the {what}")],
                               what)


class ImportTimeout(Exception):
    """Raised inside a parse that ran past :func:`import_seconds`."""


@contextlib.contextmanager
def time_limit(path: Path | str, what: str, seconds: float | None = None) -> Iterator[None]:
    """Stop a parse that runs past the limit with a ``too-slow`` problem.

    Uses a real-time interval timer, so it works only on the main thread (the CLI); elsewhere
    it is a no-op and the size limits are the bound.
    """
    limit = seconds if seconds is not None else import_seconds()
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def _expired(signum: int, frame: object) -> None:
        raise ImportTimeout

    old = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    except ImportTimeout:
        raise ValidationFailed([Problem(
            str(path), None, None, "too-slow",
            f"reading the {what} took longer than {limit:g} s and was stopped",
            "split it into smaller files, or raise INTERSECTIONS_IMPORT_SECONDS if you trust "
            "the input")], what) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def depth_problem(display: str, what: str) -> Problem:
    return Problem(display, None, None, "too-deep",
                   f"the {what} is nested too deeply to read (more than {MAX_DEPTH} levels, "
                   "or a structure that refers to itself)",
                   "flatten the structure; evidence entries need only a few levels")


#: Share of loaded entries a load or re-import may remove without the user naming the count.
MAX_REMOVAL_SHARE = 0.10


def removal_allowed(removing: int, loaded: int, allow_removal: int | None) -> bool:
    """The destructive-change rule: removing up to :data:`MAX_REMOVAL_SHARE` of what is loaded
    is routine (an entry deleted); more needs ``allow_removal`` of at least ``removing``."""
    if removing <= MAX_REMOVAL_SHARE * loaded:
        return True
    return allow_removal is not None and removing <= allow_removal
