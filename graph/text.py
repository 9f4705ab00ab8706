"""Search text ranking, shared by every backend so results agree.

:func:`normalize` itself lives in :mod:`loaders.text` (the importers need it too) and is
re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable

from loaders.text import normalize

__all__ = ["best_match", "best_match_texts", "normalize", "score_text", "search_texts", "tokens"]


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def score_text(query: str, text: str, words: tuple[str, ...] | None = None) -> int:
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
    words = words if words is not None else tuple(text.split())
    q_words = query.split()
    if all(any(w.startswith(q) for w in words) for q in q_words):
        return 60
    if query in text:
        return 40
    if all(any(q in w for w in words) for q in q_words):
        return 30
    return 0


#: (normalised text, text as written, penalty, its words): a label has penalty 0, a synonym 5.
SearchText = tuple[str, str, int, tuple[str, ...]]


def _prepared(text: str, penalty: int) -> SearchText:
    norm = normalize(text)
    return (norm, text, penalty, tuple(norm.split()))


def search_texts(label: str, alt_labels: Iterable[str]) -> tuple[SearchText, ...]:
    """What search compares a query with; backends may precompute it once per node."""
    return (_prepared(label, 0), *(_prepared(a, 5) for a in alt_labels))


def best_match_texts(query: str, texts: Iterable[SearchText]) -> tuple[int, str]:
    """Best score over prepared texts; synonyms rank a little lower than the label."""
    best = (0, "")
    for norm, original, penalty, words in texts:
        s = score_text(query, norm, words)
        if s and s - penalty > best[0]:
            best = (s - penalty, original)
    return best


def best_match(query: str, label: str, alt_labels: Iterable[str]) -> tuple[int, str]:
    """Best score over the preferred label and synonyms; synonyms rank a little lower."""
    return best_match_texts(query, search_texts(label, alt_labels))
