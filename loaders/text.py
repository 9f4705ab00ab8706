"""Text normalisation shared by the loaders (ids, de-duplication) and the graph layer (search).

It lives here, in the lower layer, so that importers never import from ``graph``.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Case- and accent-insensitive form: 'Niños — Foster-Care' → 'ninos foster care'."""
    if text.isascii():  # the common case: no accents to strip (10x faster, same result)
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    # e.g. a label ending in '…' (NFKD: '...'): nothing left to strip, skip the per-char loop
    stripped = decomposed if decomposed.isascii() else \
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.casefold()).strip()
