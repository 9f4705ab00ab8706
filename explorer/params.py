"""Reading page state from the URL's query string (every view's state lives in the URL)."""

from __future__ import annotations

from typing import Any


def csv_list(value: Any) -> list[str]:
    """``"a,b"`` or ``["a", "b"]`` (repeated parameter) → ``["a", "b"]``; None → []."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[str] = []
    for item in items:
        out += [x.strip() for x in str(item).split(",") if x.strip()]
    return list(dict.fromkeys(out))


def as_int(value: Any, default: int, lo: int | None = None, hi: int | None = None) -> int:
    """An int from the URL, clamped; ``default`` when missing or not a number."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return default
    if lo is not None:
        n = max(lo, n)
    if hi is not None:
        n = min(hi, n)
    return n


def as_bool(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "yes", "on")
