"""Search text: normalisation and ranking, shared by every backend so results agree."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Case- and accent-insensitive form: 'Niños — Foster-Care' → 'ninos foster care'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.casefold()).strip()


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def score_text(query: str, text: str) -> int:
    """How well one normalised ``text`` matches a normalised ``query`` (0 = not at all).

    100 exact · 80 prefix · 60 every query word starts a word of the text · 40 substring ·
    30 every query word occurs inside some word of the text.
    """
    if not query or not text:
        return 0
    if text == query:
        return 100
    if text.startswith(query):
        return 80
    words = text.split()
    q_words = query.split()
    if all(any(w.startswith(q) for w in words) for q in q_words):
        return 60
    if query in text:
        return 40
    if all(any(q in w for w in words) for q in q_words):
        return 30
    return 0


def best_match(query: str, label: str, alt_labels: Iterable[str]) -> tuple[int, str]:
    """Best score over the preferred label and synonyms; synonyms rank a little lower."""
    best = (score_text(query, normalize(label)), label)
    for alt in alt_labels:
        s = score_text(query, normalize(alt)) - 5
        if s > best[0]:
            best = (s, alt)
    return best if best[0] > 0 else (0, "")
