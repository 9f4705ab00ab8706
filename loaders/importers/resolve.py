"""Resolving what people write (an id, a label, a synonym, 'Label (id)') to evidence-base ids.

Planners do not know our ids: a spreadsheet cell may say ``foster care`` or
``Foster care placement (risk:foster-care-placement)``. :class:`LabelIndex` answers with the id,
or with a clear reason and the nearest labels when it cannot.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from loaders.records import NodeRecord
from loaders.text import normalize
from ontology.schema import ID_PATTERN, is_a

_TRAILING_ID = re.compile(r"^(?P<label>.*?)\s*[(\[](?P<id>[a-z]+:[a-z0-9][a-z0-9.-]*)[)\]]\s*$")


class LabelIndex:
    """Labels and synonyms of existing nodes → ids, per class."""

    def __init__(self, nodes: Iterable[NodeRecord]) -> None:
        self.nodes: dict[str, NodeRecord] = {}
        self.by_text: dict[str, set[str]] = {}
        for n in nodes:
            self.add(n)

    def add(self, node: NodeRecord) -> None:
        self.nodes[node.id] = node
        for text in (node.label, *node.alt_labels):
            key = normalize(text)
            if key:
                self.by_text.setdefault(key, set()).add(node.id)

    def of_classes(self, ids: Iterable[str], classes: tuple[str, ...]) -> list[str]:
        return sorted(i for i in ids if i in self.nodes and
                      is_a(self.nodes[i].category, classes))

    def resolve(self, value: str, classes: tuple[str, ...]) -> tuple[str | None, str | None]:
        """``(id, None)`` when ``value`` names exactly one node of ``classes``, else
        ``(None, reason-with-suggestions)``."""
        text = value.strip()
        m = _TRAILING_ID.match(text)
        if m:
            text = m["id"]
        if ID_PATTERN.match(text):
            node = self.nodes.get(text)
            if node is None:
                return None, f"no entry has the id {text!r}" + self._near(text, classes)
            if not is_a(node.category, classes):
                return None, (f"{text} is a {node.category}, expected "
                              + " or ".join(classes))
            return text, None
        hits = self.of_classes(self.by_text.get(normalize(text), ()), classes)
        if len(hits) == 1:
            return hits[0], None
        if len(hits) > 1:
            return None, (f"{value!r} is ambiguous: "
                          + ", ".join(f"{self.nodes[h].label} ({h})" for h in hits)
                          + " — write the id instead")
        return None, f"{value!r} is not a known {' or '.join(classes)}" + self._near(
            text, classes)

    def near(self, text: str, classes: tuple[str, ...], cutoff: float = 0.6) -> list[str]:
        """Ids of nodes of ``classes`` whose label, synonym or id is close to ``text``."""
        key = normalize(text)
        candidates: dict[str, str] = {}
        for t, ids in self.by_text.items():
            for i in self.of_classes(ids, classes):
                candidates.setdefault(t, i)
        for i in self.of_classes(self.nodes, classes):
            candidates.setdefault(i, i)
        near = difflib.get_close_matches(key if ":" not in text else text, candidates,
                                         n=3, cutoff=cutoff)
        return list(dict.fromkeys(candidates[n] for n in near))

    def _near(self, text: str, classes: tuple[str, ...]) -> str:
        """The did-you-mean tail of a message (empty when nothing is close)."""
        near = self.near(text, classes)
        if not near:
            return ""
        return "; did you mean " + " or ".join(
            f"'{self.nodes[i].label} ({i})'" for i in near) + "?"
