"""Building the embedded graph compactly: one shared, read-only data dict per distinct link.

At 100k nodes a base has ~1M links but only a few hundred distinct link data
(``{"predicate": "about", "claims": ()}``, ``{"predicate": "serves", "claims": (), "basis":
"stated"}``, …). networkx stores a data dict per link and a ``{key: data}`` dict per node pair;
built naively that is ~600 bytes and three containers per link (1.4 GB RSS at 100k). Here each
distinct data dict — and each distinct ``{key: data}`` dict — exists once and is shared by every
link that has it, and the ids at both ends are the node's own id objects.

Sharing is only safe if nothing can change a shared dict: they are :class:`ReadOnlyDict`
(every mutating method raises ``TypeError``) and ``claims`` is a tuple. The embedded graph is
read-only after loading anyway (the coverage memo relies on it); now a write fails loudly
instead of leaking into a million other links. ``tests/test_nx_build.py`` proves both.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, NoReturn

import networkx as nx


class ReadOnlyDict(dict):  # type: ignore[type-arg]
    """A dict that refuses every change (shared by many links of the embedded graph).

    Reading is a plain dict's (``json.dumps``, ``==``, ``copy()`` → a plain, writable dict);
    pickling and ``copy.deepcopy`` give another read-only dict with the same items.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the embedded graph is read-only: this link data is shared by every "
                        "link with the same values (copy it with dict(...) to change it)")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def copy(self) -> dict[Any, Any]:  # type: ignore[override]
        return dict(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


class GraphBuilder:
    """Fill a MultiDiGraph node by node, then link by link (nodes first, like the writers).

    Same result as ``add_node(id, **attrs)`` / ``add_edge(s, o, key=p, predicate=p,
    claims=claims, **props)`` in the same order — same nodes, links, attributes and iteration
    order — without networkx's per-call overhead and with shared link data.
    """

    def __init__(self) -> None:
        self.graph = nx.MultiDiGraph()
        self._node, self._succ, self._pred = self.graph._node, self.graph._succ, \
            self.graph._pred
        self._ids: dict[str, str] = {}
        self._data: dict[Hashable, ReadOnlyDict] = {}
        self._keyed: dict[int, ReadOnlyDict] = {}

    def node(self, node_id: str, attrs: dict[str, Any]) -> None:
        self._ids[node_id] = node_id
        self._node[node_id] = attrs
        self._succ[node_id] = {}
        self._pred[node_id] = {}

    def edges(self, rows: Iterable[tuple[str, str, str, tuple[str, ...], Hashable]],
              props_of: Callable[[Hashable], dict[str, Any] | None]) -> None:
        """Add links ``(subject, predicate, object, claims, props_key)`` in order.

        ``props_key`` must identify a link's properties exactly (equal keys ⇒ equal properties,
        same order, same types: see :func:`props_key`); ``props_of(props_key)`` gives them,
        called once per distinct link data. One loop with local names: at ~1M links a method
        call per link was a third of a re-open.
        """
        ids, succ, pred = self._ids, self._succ, self._pred
        shared_data, shared_keyed = self._data, self._keyed
        for subject, predicate, obj, claims, pk in rows:
            key = (predicate, claims, pk)
            data = shared_data.get(key)
            if data is None:
                values: dict[str, Any] = {"predicate": predicate, "claims": claims}
                extra = props_of(pk)
                if extra:
                    values.update(extra)
                data = shared_data[key] = ReadOnlyDict(values)
            s, o = ids[subject], ids[obj]  # the nodes' own id objects (KeyError: no node)
            nbrs = succ[s]
            keyed = nbrs.get(o)
            if keyed is None:  # the usual case: one link between two nodes; {key: data} shared
                ident = id(data)  # (data dicts stay alive in shared_data: ids are stable)
                one = shared_keyed.get(ident)
                if one is None:
                    one = shared_keyed[ident] = ReadOnlyDict({predicate: data})
                nbrs[o] = pred[o][s] = one
            else:  # a second predicate between the same two nodes (rare): a dict of its own
                nbrs[o] = pred[o][s] = ReadOnlyDict({**keyed, predicate: data})

    def links_by_row(self, ids: Sequence[str], subjects: Iterable[int], objects: Iterable[int],
                     kinds_of: Iterable[int], kinds: Sequence[tuple[str, tuple[str, ...], Any]],
                     props_of: Callable[[Any], dict[str, Any] | None]) -> None:
        """Add links given by row numbers, in order: ``ids[subjects[i]]`` → ``ids[objects[i]]``
        with the data of ``kinds[kinds_of[i]]`` = (predicate, claims, properties key).

        Same graph as :meth:`edges` over the same links: one shared data dict per kind, one
        shared ``{key: data}`` dict per data; ``ids`` must be the nodes' own id objects, as
        given to :meth:`node`. The kinds are numbered beforehand (the base cache does it in
        numpy, :func:`loaders.basecache._link_columns`), so the loop hashes nothing per link
        but the two ends — the ~1M key tuples of :meth:`edges` were most of a re-open's build.
        """
        datas: list[ReadOnlyDict] = []
        ones: list[ReadOnlyDict] = []
        for predicate, claims, pk in kinds:
            values: dict[str, Any] = {"predicate": predicate, "claims": claims}
            extra = props_of(pk)
            if extra:
                values.update(extra)
            data = ReadOnlyDict(values)
            datas.append(data)
            ones.append(ReadOnlyDict({predicate: data}))
        succ, pred = self._succ, self._pred
        for s, o, k in zip(subjects, objects, kinds_of, strict=True):
            subject, obj = ids[s], ids[o]
            nbrs = succ[subject]
            keyed = nbrs.get(obj)
            if keyed is None:  # the usual case: one link between two nodes
                nbrs[obj] = pred[obj][subject] = ones[k]
            else:  # a second predicate between the same two nodes (rare): a dict of its own
                nbrs[obj] = pred[obj][subject] = ReadOnlyDict({**keyed, kinds[k][0]: datas[k]})

    def finish(self) -> nx.MultiDiGraph:
        self._data.clear()
        self._keyed.clear()
        self._ids.clear()
        return self.graph


def props_key(props: dict[str, Any]) -> Hashable:
    """A hashable key that is equal only for identical properties (values with their types:
    ``1``, ``1.0`` and ``True`` are equal in Python but not the same property)."""
    if all(type(v) in _SCALARS for v in props.values()):
        return tuple((k, type(v), v) for k, v in props.items())
    # lists / dicts (a link's sources): the JSON text, which tells 1, 1.0 and true apart too
    import json

    return ("json", json.dumps(props, ensure_ascii=False, separators=(",", ":")))


_SCALARS = frozenset({str, int, float, bool, type(None)})
