"""Every Cypher statement Intersections sends to Neo4j, and how values are stored there.

Each builder returns ``(query, params)``. Values always travel as parameters; labels and
relationship types are spliced into the text only after :func:`ontology.schema.neo4j_label(s)` /
:func:`ontology.schema.neo4j_rel_type` accepted them, so no user text can reach a query as
Cypher. The one label that is not an ontology class, :data:`LOAD_STATE_LABEL`, is a constant.

Stored shape (what the loader writes and the backend reads back):

* a node per entry, labels ``Entity`` + the class lineage (``Entity:Harm:TraffickingType``),
  properties ``id``, ``category``, ``label``, ``alt_labels``, ``definition``, ``sources`` and the
  entry's own properties; scalars and lists of one scalar type are native Neo4j values, anything
  else (dicts, lists of dicts, mixed lists) is a JSON string whose key is listed in ``_json``,
  keys whose value is null are listed in ``_nulls`` and keys whose value is an empty list are
  listed in ``_empty`` (not stored: ``neo4j-admin database import`` cannot write an empty array,
  and a bulk-imported database must equal a loaded one — server Cypher reads list properties
  through ``coalesce(x, [])``) — so the backend returns exactly the Python values the embedded
  graph holds;
* a relationship per link, type from the predicate, with the link's properties and its
  ``claims`` (absent, not listed in ``_empty``, when there are none — most links);
* bookkeeping properties, all starting with ``_``: ``_dataset`` (which load owns it),
  ``_version`` (hash of the loaded content; older versions are pruned), ``_search`` (normalised
  label + synonyms, text-indexed to find search candidates), ``_label_norm`` / ``_alt_norm``
  (the normalised label and each normalised synonym, in order, so search ranks on the server),
  ``_label_fold`` (the casefolded label, so paths order claims by label on the server);
* one ``(:_LoadState {dataset})`` node per dataset: ``status`` (``loading`` / ``complete``),
  ``version``, ``run_id``, timestamps and counts. Readers refuse a dataset that is not complete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.text import normalize
from ontology.schema import CLASSES, PREDICATES, neo4j_label, neo4j_labels, neo4j_rel_type

Statement = tuple[str, dict[str, Any]]

ENTITY = neo4j_label("Entity")
#: Internal label of the per-dataset load bookkeeping node (not an ontology class).
LOAD_STATE_LABEL = "_LoadState"
#: Property names the loader owns; entry properties may not use them.
RESERVED_KEYS = frozenset({"id"})
INTERNAL_PREFIX = "_"
JSON_KEYS = "_json"
NULL_KEYS = "_nulls"
EMPTY_KEYS = "_empty"
SEARCH_KEY = "_search"
LABEL_NORM_KEY = "_label_norm"
LABEL_FOLD_KEY = "_label_fold"
ALT_NORM_KEY = "_alt_norm"
DATASET_KEY = "_dataset"
VERSION_KEY = "_version"
#: Load-state properties: the nodes some ``about`` link into which carries claims, and the
#: ``run_id`` of the load that wrote that list (a load by an older version leaves the list
#: behind; it counts only while the run ids agree).
WITH_CLAIMS_KEY = "about_with_claims"
WITH_CLAIMS_RUN_KEY = "about_with_claims_run"
_INT64 = (-(2**63), 2**63 - 1)

ALL_REL_TYPES = tuple(neo4j_rel_type(p.name) for p in PREDICATES)
ALL_CLASS_LABELS = tuple(neo4j_label(c.name) for c in CLASSES)


# --------------------------------------------------------------------------- values
_SCALARS = (bool, str, float)  # a tuple: isinstance with a `bool | str | float` union is slower


def _native_scalar(v: Any) -> bool:
    if isinstance(v, _SCALARS):
        return True
    return isinstance(v, int) and _INT64[0] <= v <= _INT64[1]


def _native(v: Any) -> bool:
    """True when Neo4j stores ``v`` as-is and gives back an equal Python value."""
    if _native_scalar(v):
        return True
    if isinstance(v, (list, tuple)):  # noqa: UP038 - tuple form is the fast path
        if not v:
            return True
        kinds = {bool if isinstance(x, bool) else type(x) for x in v}
        return len(kinds) == 1 and all(_native_scalar(x) for x in v)
    return False


def encode_properties(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Python attributes → a Neo4j property map (JSON for nested values, nulls remembered)."""
    out: dict[str, Any] = {}
    as_json: list[str] = []
    nulls: list[str] = []
    empty: list[str] = []
    for key, value in attrs.items():
        if key in RESERVED_KEYS or key.startswith(INTERNAL_PREFIX):
            raise ValueError(f"property name {key!r} is reserved for the Neo4j loader")
        if value is None:
            nulls.append(key)
        elif isinstance(value, (list, tuple)) and not value:  # noqa: UP038 - fast path
            empty.append(key)
        elif _native(value):
            out[key] = list(value) if isinstance(value, tuple) else value
        else:
            out[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
            as_json.append(key)
    if as_json:
        out[JSON_KEYS] = sorted(as_json)
    if nulls:
        out[NULL_KEYS] = sorted(nulls)
    if empty:
        out[EMPTY_KEYS] = sorted(empty)
    return out


def decode_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`encode_properties`; drops ``id`` and bookkeeping (``_*``) keys."""
    json_keys = set(props.get(JSON_KEYS) or ())
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key in RESERVED_KEYS or key.startswith(INTERNAL_PREFIX):
            continue
        out[key] = json.loads(value) if key in json_keys else value
    for key in props.get(NULL_KEYS) or ():
        out[key] = None
    for key in props.get(EMPTY_KEYS) or ():
        out[key] = []
    return out


def search_text(label: str, alt_labels: Iterable[str]) -> str:
    """The normalised words of a label and its synonyms, space separated (for CONTAINS)."""
    return " ".join(t for t in (normalize(label), *(normalize(a) for a in alt_labels)) if t)


def search_properties(label: str, alt_labels: Iterable[str]) -> dict[str, Any]:
    """The bookkeeping search reads: the candidate text and each text ranking compares.

    ``_alt_norm`` keeps one entry per synonym (empty when a synonym normalises to nothing) so
    the index of the best text maps back to the synonym as written; without synonyms it is left
    out (an empty list is never stored, see the module docstring).
    """
    alts = list(alt_labels)
    out: dict[str, Any] = {SEARCH_KEY: search_text(label, alts), LABEL_NORM_KEY: normalize(label),
                           LABEL_FOLD_KEY: label.casefold()}
    if alts:
        out[ALT_NORM_KEY] = [normalize(a) for a in alts]
    return out


# --------------------------------------------------------------------------- schema
def schema_statements() -> list[str]:
    """Constraints and indexes, created before the first write (idempotent)."""
    return [
        f"CREATE CONSTRAINT intersections_entity_id IF NOT EXISTS "
        f"FOR (n:{ENTITY}) REQUIRE n.id IS UNIQUE",
        f"CREATE CONSTRAINT intersections_load_state IF NOT EXISTS "
        f"FOR (s:{LOAD_STATE_LABEL}) REQUIRE s.dataset IS UNIQUE",
        f"CREATE INDEX intersections_entity_category IF NOT EXISTS "
        f"FOR (n:{ENTITY}) ON (n.category)",
        f"CREATE INDEX intersections_entity_dataset IF NOT EXISTS "
        f"FOR (n:{ENTITY}) ON (n.{DATASET_KEY})",
        f"CREATE TEXT INDEX intersections_entity_search IF NOT EXISTS "
        f"FOR (n:{ENTITY}) ON (n.{SEARCH_KEY})",
    ]


def await_indexes(seconds: int = 120) -> Statement:
    return "CALL db.awaitIndexes($seconds)", {"seconds": seconds}


# --------------------------------------------------------------------------- writes
_TAG_KEY = re.compile(r"_?[A-Za-z][A-Za-z0-9_]*")


def _tagged(props: str, tags: Mapping[str, Any]) -> str:
    """``props`` (a map variable) plus every tag read from ``$tags``, as one map expression.

    Entities and links get their properties and tags in ONE ``SET x = map``: the old
    ``SET x = row.props, x += $tags`` first removed ``_dataset``/``_version`` (not in the row)
    and then added them back — a real change on every node and link of a reload, where one
    replacing map leaves unchanged values untouched (~40% less server CPU per link at 100k).
    Tag keys are spliced into the text, so only plain identifiers are accepted.
    """
    keys = list(tags)
    for key in keys:
        if not _TAG_KEY.fullmatch(key):
            raise ValueError(f"tag name {key!r} is not a plain identifier")
    return f"{props}{{.*{''.join(f', {k}: $tags.{k}' for k in keys)}}}"


def merge_nodes(category: str, rows: Sequence[Mapping[str, Any]], *,
                tags: Mapping[str, Any] | None = None, create: bool = False) -> Statement:
    """Upsert nodes of one class: replace all properties, set its labels, drop stale labels.

    Each row is ``{"id": ..., "props": {...}}`` where ``props`` already holds ``id``; only the
    property maps travel (``$rows``: one map per node, not a row map around it — the client
    packs a third fewer maps). ``tags`` (``_dataset``, ``_version``) are the same for every
    row, so they travel once per batch and are set together with the properties
    (:func:`_tagged`). ``create=True`` is the first load into a database without entities:
    ``CREATE``, no lookup, no stale labels to drop.
    """
    labels = neo4j_labels(category)
    for lab in labels:
        neo4j_label(lab)
    tags = dict(tags or {})
    params = {"rows": [row["props"] for row in rows], "tags": tags}
    if create:
        query = (
            "UNWIND $rows AS props\n"
            f"CREATE (n:{':'.join(dict.fromkeys([ENTITY, *labels]))})\n"
            f"SET n = {_tagged('props', tags)}\n"
            "RETURN count(n) AS written"
        )
        return query, params
    stale = [lab for lab in ALL_CLASS_LABELS if lab not in labels]
    remove = f"\nREMOVE n:{':'.join(stale)}" if stale else ""
    query = (
        "UNWIND $rows AS props\n"
        f"MERGE (n:{ENTITY} {{id: props.id}})\n"
        f"SET n = {_tagged('props', tags)}\n"
        f"SET n:{':'.join(labels)}"
        f"{remove}\n"
        "RETURN count(n) AS written"
    )
    return query, params


def merge_edges(predicate: str, rows: Sequence[Mapping[str, Any]], *,
                tags: Mapping[str, Any] | None = None, create: bool = False) -> Statement:
    """Upsert links of one relation; each row is ``{"s": id, "o": id, "props": {...}}``.

    The batch travels as columns: ``$s`` and ``$o`` (end ids), ``$p`` (per link, the index of
    its property map in ``$props``) and ``$props`` — each distinct map object once. Most links
    of a base carry one of a few maps (the collector shares equal ones, see
    :meth:`graph.neo4j.loader.Neo4jRows.write_edge`): packing 10,000 nested row maps cost the
    client ~44 ms per batch, the columns ~4 ms, and the server unpacks 10,000 fewer maps.
    Properties and ``tags`` are set in one replacing map (:func:`_tagged`).

    ``create=True`` (first load into an empty database; the writer already refused duplicate
    links) creates without looking for an existing link.
    """
    rel = neo4j_rel_type(predicate)
    tags = dict(tags or {})
    index: dict[int, int] = {}
    maps: list[Mapping[str, Any]] = []
    which: list[int] = []
    for row in rows:
        props = row["props"]
        i = index.get(id(props))
        if i is None:
            i = index[id(props)] = len(maps)
            maps.append(props)
        which.append(i)
    query = (
        "UNWIND range(0, size($s) - 1) AS i\n"
        f"MATCH (s:{ENTITY} {{id: $s[i]}})\n"
        f"MATCH (o:{ENTITY} {{id: $o[i]}})\n"
        f"{'CREATE' if create else 'MERGE'} (s)-[r:{rel}]->(o)\n"
        "WITH r, $props[$p[i]] AS props\n"
        f"SET r = {_tagged('props', tags)}\n"
        "RETURN count(r) AS written"
    )
    return query, {"s": [row["s"] for row in rows], "o": [row["o"] for row in rows],
                   "p": which, "props": maps, "tags": tags}


def set_node_properties(rows: Sequence[Mapping[str, Any]]) -> Statement:
    """Add properties to existing entities; each row is ``{"id": ..., "props": {...}}`` (the
    few values a bulk import's CSV cannot carry, set after the import)."""
    query = (
        "UNWIND $rows AS row\n"
        f"MATCH (n:{ENTITY} {{id: row.id}})\n"
        "SET n += row.props"
    )
    return query, {"rows": list(rows)}


def set_edge_properties(predicate: str, rows: Sequence[Mapping[str, Any]]) -> Statement:
    """Add properties to existing links of one relation; rows ``{"s", "o", "props"}``."""
    rel = neo4j_rel_type(predicate)
    query = (
        "UNWIND $rows AS row\n"
        f"MATCH (:{ENTITY} {{id: row.s}})-[r:{rel}]->(:{ENTITY} {{id: row.o}})\n"
        "SET r += row.props"
    )
    return query, {"rows": list(rows)}


def count_entities() -> Statement:
    """Whether the database holds any entity at all (a first load may then CREATE)."""
    return f"MATCH (n:{ENTITY}) RETURN count(n) AS n", {}


def prune_edges(dataset: str, version: str, limit: int) -> Statement:
    """Delete (a batch of) this dataset's links that the current version no longer has."""
    query = (
        f"MATCH (:{ENTITY})-[r]->(:{ENTITY})\n"
        f"WHERE r.{DATASET_KEY} = $dataset AND r.{VERSION_KEY} <> $version\n"
        "WITH r LIMIT $limit\n"
        "DELETE r\n"
        "RETURN count(*) AS deleted"
    )
    return query, {"dataset": dataset, "version": version, "limit": limit}


def prune_nodes(dataset: str, version: str, limit: int) -> Statement:
    """Delete (a batch of) this dataset's nodes that the current version no longer has."""
    query = (
        f"MATCH (n:{ENTITY})\n"
        f"WHERE n.{DATASET_KEY} = $dataset AND n.{VERSION_KEY} <> $version\n"
        "WITH n LIMIT $limit\n"
        "DETACH DELETE n\n"
        "RETURN count(*) AS deleted"
    )
    return query, {"dataset": dataset, "version": version, "limit": limit}


def delete_dataset_nodes(dataset: str, limit: int) -> Statement:
    """Delete (a batch of) every node of a dataset (for unloading)."""
    query = (
        f"MATCH (n:{ENTITY})\n"
        f"WHERE n.{DATASET_KEY} = $dataset\n"
        "WITH n LIMIT $limit\n"
        "DETACH DELETE n\n"
        "RETURN count(*) AS deleted"
    )
    return query, {"dataset": dataset, "limit": limit}


def delete_load_state(dataset: str) -> Statement:
    return (f"MATCH (s:{LOAD_STATE_LABEL} {{dataset: $dataset}}) DELETE s",
            {"dataset": dataset})


def set_load_state(dataset: str, props: Mapping[str, Any]) -> Statement:
    """Create or update the bookkeeping node of a dataset (``props`` are merged in)."""
    query = (
        f"MERGE (s:{LOAD_STATE_LABEL} {{dataset: $dataset}})\n"
        "SET s += $props\n"
        "RETURN properties(s) AS state"
    )
    return query, {"dataset": dataset, "props": dict(props)}


# --------------------------------------------------------------------------- reads
def load_state(dataset: str) -> Statement:
    return (f"MATCH (s:{LOAD_STATE_LABEL} {{dataset: $dataset}}) RETURN properties(s) AS state",
            {"dataset": dataset})


def all_load_states() -> Statement:
    return (f"MATCH (s:{LOAD_STATE_LABEL}) RETURN properties(s) AS state ORDER BY s.dataset",
            {})


def node_data(ids: Sequence[str]) -> Statement:
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})\n"
        "RETURN n.id AS id, properties(n) AS props"
    )
    return query, {"ids": list(ids)}


def _rel_pattern(predicates: Iterable[str] | None) -> str:
    names = sorted(predicates) if predicates is not None else [p.name for p in PREDICATES]
    return "|".join(neo4j_rel_type(p) for p in names)


def edges_of(ids: Sequence[str], predicates: Iterable[str] | None = None) -> Statement:
    """Every link (of the given relations) touching any of the nodes, either direction."""
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})-[r:{_rel_pattern(predicates)}]-(:{ENTITY})\n"
        "RETURN DISTINCT startNode(r).id AS s, type(r) AS t, endNode(r).id AS o, "
        "properties(r) AS props"
    )
    return query, {"ids": list(ids)}


def node_refs(ids: Sequence[str]) -> Statement:
    """Id, class and label only (not the whole property map) of some nodes."""
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})\n"
        "RETURN n.id AS id, n.category AS category, n.label AS label"
    )
    return query, {"ids": list(ids)}


def walk_edges(ids: Sequence[str], predicates: Iterable[str] | None = None, *,
               to_classes: Iterable[str] | None = None, to_others: bool = False) -> Statement:
    """Like :func:`edges_of`, but only what a path walk reads of a link (its claims, basis
    and the curator's note), not its sources and other properties; with the far node's id,
    class and label (``m``, ``mc``, ``ml``) so the walk need not look it up.

    ``to_classes``: only links whose far node is of one of these classes (``to_others``: only
    links whose far node is not) — one level of a path walk asks for the links that reach a
    destination first (:meth:`graph.backend.GraphBackend._walk_level`).

    One row: ``rows``, a list of ``[s, t, o, props, m, mc, ml]`` (a hub's thousands of links
    decode far faster as lists than as one record each).
    """
    where = ""
    params: dict[str, Any] = {"ids": list(ids)}
    if to_classes is not None:
        where = ("WHERE m.category IS NULL OR NOT m.category IN $to\n" if to_others
                 else "WHERE m.category IN $to\n")
        params["to"] = sorted(to_classes)
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})-[r:{_rel_pattern(predicates)}]-(m:{ENTITY})\n"
        f"{where}"
        "WITH DISTINCT startNode(r).id AS s, type(r) AS t, endNode(r).id AS o, "
        "{claims: r.claims, basis: r.basis, basis_note: r.basis_note} AS props, "
        "m.id AS m, m.category AS mc, m.label AS ml\n"
        "RETURN collect([s, t, o, props, m, mc, ml]) AS rows"
    )
    return query, params


def top_claims_about(ids: Sequence[str], keep: int) -> Statement:
    """The ``about`` links into some nodes that path ranking can need, in one read (see
    :meth:`graph.backend.GraphBackend._walk_edges`): per node, when every link into it is plain
    (from a Claim, no claims of its own, not inferred), its first ``keep`` claims by casefolded
    label then id, otherwise all of them; then every ``about`` link from a kept claim into any
    of the nodes. A hub's thousands of claims stay on the server."""
    about = neo4j_rel_type("about")
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (f:{ENTITY} {{id: id}})<-[r:{about}]-(c:{ENTITY})\n"
        f"WITH f, r, c ORDER BY c.{LABEL_FOLD_KEY}, c.id\n"
        "WITH f, collect(c) AS claims, "
        "sum(CASE WHEN size(coalesce(r.claims, [])) > 0 OR r.basis = 'inferred' "
        "OR c.category <> 'Claim' THEN 1 ELSE 0 END) AS special\n"
        "UNWIND (CASE WHEN special = 0 THEN claims[..$keep] ELSE claims END) AS c\n"
        "WITH DISTINCT c\n"
        f"MATCH (c)-[r:{about}]->(f:{ENTITY})\n"
        "WHERE f.id IN $ids\n"
        "RETURN c.id AS s, type(r) AS t, f.id AS o, "
        "{claims: r.claims, basis: r.basis, basis_note: r.basis_note} AS props, "
        "c.id AS m, c.category AS mc, c.label AS ml"
    )
    return query, {"ids": list(ids), "keep": int(keep)}


def claims_into(every: Sequence[str], plain: Sequence[str], inferred: Sequence[str],
                frontier: Sequence[str], n: int | None, exclude: Sequence[str]) -> Statement:
    """One event of an ordered claims level (:meth:`graph.backend.GraphBackend._claims_into`)
    in one read: the claims (not in ``exclude``) with an ``about`` link into a node of ``every``
    (any link), ``plain`` (no claims of its own, not inferred) or ``inferred`` (no claims,
    inferred), best casefolded label then id first, at most ``n`` of them (``n`` None: all);
    then every ``about`` link from those claims into ``frontier``. Each row carries the claim's
    casefolded label (``fold``) so the caller can find the last label and its ties."""
    about = neo4j_rel_type("about")
    limit = "" if n is None else "LIMIT $n\n"
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (f:{ENTITY} {{id: id}})<-[r:{about}]-(c:{ENTITY})\n"
        "WHERE NOT c.id IN $exclude AND (id IN $every OR (size(coalesce(r.claims, [])) = 0 "
        "AND CASE WHEN r.basis = 'inferred' THEN id IN $inferred ELSE id IN $plain END))\n"
        f"WITH DISTINCT c ORDER BY c.{LABEL_FOLD_KEY}, c.id\n"
        f"{limit}"
        f"MATCH (c)-[r:{about}]->(f:{ENTITY})\n"
        "WHERE f.id IN $frontier\n"
        "RETURN c.id AS s, type(r) AS t, f.id AS o, "
        "{claims: r.claims, basis: r.basis, basis_note: r.basis_note} AS props, "
        f"c.id AS m, c.category AS mc, c.label AS ml, c.{LABEL_FOLD_KEY} AS fold"
    )
    params: dict[str, Any] = {"ids": [*every, *plain, *inferred], "every": list(every),
                              "plain": list(plain), "inferred": list(inferred),
                              "frontier": list(frontier), "exclude": list(exclude)}
    if n is not None:
        params["n"] = int(n)
    return query, params


def _hub_neighbours(links: Iterable[str], include_inferred: bool, carry: str = "s") -> str:
    """The start ``s``'s walkable first-level neighbours ``x`` (not of the classes ``$to``),
    with their links from ``s`` as ``rs`` — what one level of a path walk takes from ``s``;
    ``carry`` is the variable kept beside them."""
    inferred = "" if include_inferred else " AND (r.basis IS NULL OR r.basis <> 'inferred')"
    return (
        f"MATCH (s:{ENTITY} {{id: $source}})-[r:{_rel_pattern(links)}]-(x:{ENTITY})\n"
        f"WHERE x <> s AND (x.category IS NULL OR NOT x.category IN $to){inferred}\n"
        f"WITH {carry}, x, collect(r) AS rs\n"
    )


_LINK_ROW = ("[startNode(q).id, type(q), endNode(q).id, "
             "{claims: q.claims, basis: q.basis, basis_note: q.basis_note}]")


def hub_level(dataset: str, source: str, links: Iterable[str], to: Iterable[str],
              include_inferred: bool, evidence: Iterable[str], whole_below: int) -> Statement:
    """A start's first level summarised in one read (:meth:`graph.backend.GraphBackend.
    _hub_level`): ``n`` walkable neighbours, ``evidence`` of them of the ``evidence``
    classes, whether some ordinary neighbour has a plain link (``plain``) or only inferred
    ones (``inferred``), and ``nodes``: for each *special* neighbour — a link from the start
    carries claims, or one of its ``about`` links does (the load state's
    :data:`WITH_CLAIMS_KEY`) — its id, class, label, whether it is in that list and every link
    from the start as a lean row. A level of fewer than ``whole_below`` neighbours lists every
    neighbour so (it is not a hub: the walk takes it whole). ``listed`` is false when the
    dataset's load stored no such list (loaded before it existed): nothing else is usable."""
    query = (
        f"OPTIONAL MATCH (st:{LOAD_STATE_LABEL} {{dataset: $dataset}})\n"
        f"WITH CASE WHEN st.{WITH_CLAIMS_RUN_KEY} = st.run_id THEN st.{WITH_CLAIMS_KEY} END "
        "AS listed_ids\n"
        + _hub_neighbours(links, include_inferred, carry="listed_ids")
        + "WITH listed_ids, x, rs, x.id IN coalesce(listed_ids, []) AS wc, "
        "any(q IN rs WHERE size(coalesce(q.claims, [])) > 0) AS lc, "
        "any(q IN rs WHERE q.basis IS NULL OR q.basis <> 'inferred') AS pl\n"
        "WITH listed_ids, collect([x, rs, wc, lc, pl]) AS level\n"
        "WITH listed_ids, level, size(level) < $whole_below AS whole\n"
        "RETURN listed_ids IS NOT NULL AS listed, size(level) AS n, whole, "
        "size([e IN level WHERE e[0].category IN $evidence]) AS evidence, "
        "any(e IN level WHERE NOT (e[2] OR e[3]) AND e[4]) AS plain, "
        "any(e IN level WHERE NOT (e[2] OR e[3]) AND NOT e[4]) AS inferred, "
        "[e IN level WHERE whole OR e[2] OR e[3] | [e[0].id, e[0].category, e[0].label, e[2], "
        f"[q IN e[1] | {_LINK_ROW}]]] AS nodes"
    )
    return query, {"dataset": dataset, "source": source, "to": sorted(to),
                   "evidence": sorted(evidence), "whole_below": int(whole_below)}


def hub_claims(source: str, links: Iterable[str], to: Iterable[str], include_inferred: bool,
               special: Sequence[str], every: Sequence[str], plain: Sequence[str],
               inferred: Sequence[str], plain_groups: Sequence[str],
               inferred_groups: Sequence[str], n: int | None,
               exclude: Sequence[str]) -> Statement:
    """One event of a hub's second level (:meth:`graph.backend.GraphBackend._hub_claims`) in
    one read, as :func:`claims_into` reads one, where the first level is a pattern, not ids:
    the neighbours ``x`` of the start outside ``special`` form group ``P`` (some plain link
    from the start) or ``I`` (only inferred ones), and a plain / inferred ``about`` link into
    ``x`` counts when ``x`` is in ``plain`` / ``inferred`` or its group is in ``plain_groups``
    / ``inferred_groups``. Each row is an ``about`` link from a chosen claim into a first-level
    neighbour (``s, t, o, props, m, mc, ml, fold``), that neighbour's class and label
    (``fc``, ``fl``) and every walkable link from the start to it (``via``, lean rows)."""
    about = neo4j_rel_type("about")
    limit = "" if n is None else "LIMIT $n\n"
    inferred_r = "" if include_inferred else " WHERE q.basis IS NULL OR q.basis <> 'inferred'"
    counts = ("(x.id IN $every OR (size(coalesce(a.claims, [])) = 0 AND CASE WHEN "
              "a.basis = 'inferred' THEN x.id IN $inferred{ig} ELSE x.id IN $plain{pg} END))")
    if plain_groups or inferred_groups:
        # the groups are the start's whole first level, walked on the server
        head = (
            _hub_neighbours(links, include_inferred)
            + "WITH x, CASE WHEN x.id IN $special THEN '' "
            "WHEN any(q IN rs WHERE q.basis IS NULL OR q.basis <> 'inferred') THEN 'P' "
            "ELSE 'I' END AS g\n"
            f"MATCH (x)<-[a:{about}]-(c:{ENTITY})\n"
            "WHERE NOT c.id IN $exclude AND "
            f"{counts.format(ig=' OR g IN $ig', pg=' OR g IN $pg')}\n"
        )
    else:
        # only listed neighbours (the few special ones): start from them
        head = (
            "UNWIND $every + $plain + $inferred AS id\n"
            f"MATCH (x:{ENTITY} {{id: id}})<-[a:{about}]-(c:{ENTITY})\n"
            f"WHERE NOT c.id IN $exclude AND {counts.format(ig='', pg='')}\n"
        )
    query = (
        head
        + f"WITH DISTINCT c ORDER BY c.{LABEL_FOLD_KEY}, c.id\n"
        f"{limit}"
        f"MATCH (s:{ENTITY} {{id: $source}})\n"
        f"MATCH (c)-[a:{about}]->(f:{ENTITY})\n"
        "WHERE f <> s AND (f.category IS NULL OR NOT f.category IN $to)\n"
        f"WITH c, a, f, [(s)-[q:{_rel_pattern(links)}]-(f){inferred_r} | {_LINK_ROW}] AS via\n"
        "WHERE size(via) > 0\n"
        "RETURN c.id AS s, type(a) AS t, f.id AS o, "
        "{claims: a.claims, basis: a.basis, basis_note: a.basis_note} AS props, "
        f"c.id AS m, c.category AS mc, c.label AS ml, c.{LABEL_FOLD_KEY} AS fold, "
        "f.category AS fc, f.label AS fl, via"
    )
    params: dict[str, Any] = {"source": source, "to": sorted(to), "special": list(special),
                              "every": list(every), "plain": list(plain),
                              "inferred": list(inferred), "pg": list(plain_groups),
                              "ig": list(inferred_groups), "exclude": list(exclude)}
    if n is not None:
        params["n"] = int(n)
    return query, params


def about_with_claims() -> Statement:
    """Every node some ``about`` link into which carries claims of its own, in one scan of the
    ``about`` links (rare; the ordered claims walk reads their claims whole)."""
    about = neo4j_rel_type("about")
    query = (
        f"MATCH (:{ENTITY})-[r:{about}]->(f:{ENTITY})\n"
        "WHERE size(coalesce(r.claims, [])) > 0\n"
        "RETURN DISTINCT f.id AS id"
    )
    return query, {}


def coverage_members(via: Iterable[str], targets: Sequence[str], *,
                     structural: Iterable[str], rollup: bool,
                     include_inferred: bool) -> Statement:
    """Each row/column node → the ``via`` nodes (e.g. interventions) that count for it, in one
    query that starts from the rows and columns, not from every ``via`` node.

    ``via`` (closed under subclasses, as :func:`ontology.schema.expand_classes` gives them) is
    tested by label, not by reading each neighbour's ``category``: a node carries the labels of
    its class lineage, so it has one of these labels exactly when its class is one of them.

    A ``via`` node counts for a node when one of its structural links reaches the node or, with
    ``rollup``, a node up to 6 ``broader`` steps below it — the rule of
    :meth:`graph.backend.GraphBackend._coverage_cells`; the client pairs rows with columns. Only
    the links into the matrix's own hierarchies are read (an intervention's links to settings,
    organisations … stay untouched), and each row/column ships one id list. A node below several
    rows/columns has its links expanded once (grouped by node first), not once per row above it.
    """
    broader = neo4j_rel_type("broader")
    below = (
        f"OPTIONAL MATCH (d:{ENTITY})-[:{broader}*1..6]->(t)\n"
        "WITH t, [t] + collect(DISTINCT d) AS below\n"
    ) if rollup else "WITH t, [t] AS below\n"
    inferred = "" if include_inferred else (
        "  AND (r.basis IS NULL OR r.basis <> 'inferred')\n")
    query = (
        "UNWIND $targets AS tid\n"
        f"MATCH (t:{ENTITY} {{id: tid}})\n"
        f"{below}"
        "UNWIND below AS b\n"
        "WITH b, collect(t.id) AS tops\n"  # each node's links are expanded once, not per top
        f"MATCH (b)-[r:{_rel_pattern(structural)}]-(i:{ENTITY})\n"
        f"WHERE ({' OR '.join(f'i:{neo4j_label(c)}' for c in sorted(via))})\n"
        f"{inferred}"
        "WITH tops, collect(DISTINCT i.id) AS items\n"
        "UNWIND tops AS node\n"
        "UNWIND items AS item\n"
        "RETURN node, collect(DISTINCT item) AS items"
    )
    return query, {"targets": list(targets)}


def breadth(ids: Sequence[str], max_depth: int) -> Statement:
    """Per node, how many distinct nodes sit below it within ``max_depth`` ``broader`` steps
    (itself not counted) — :meth:`graph.backend.GraphBackend._breadth` in one query. Only
    nodes with something below come back (a walk asks for thousands of nodes, nearly all
    specific ones): a missing id means 0."""
    broader = neo4j_rel_type("broader")
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})\n"
        f"WHERE EXISTS {{ (n)<-[:{broader}]-(:{ENTITY}) }}\n"
        f"MATCH (d:{ENTITY})-[:{broader}*1..{int(max_depth)}]->(n)\n"
        "WHERE d <> n\n"
        "RETURN n.id AS id, count(DISTINCT d) AS below"
    )
    return query, {"ids": list(ids)}


def collection_members(collection_id: str, predicates: Iterable[str]) -> Statement:
    """A collection's items with their class, label and list position, in one read."""
    query = (
        f"MATCH (c:{ENTITY} {{id: $id}})-[r:{_rel_pattern(predicates)}]->(m:{ENTITY})\n"
        "RETURN m.id AS id, m.category AS category, m.label AS label, r.position AS position"
    )
    return query, {"id": collection_id}


def refs_and_claims(ids: Sequence[str]) -> Statement:
    """Id, class, label and the ids of the claims about it, per node (a coverage matrix's
    rows, columns and covering nodes in one read). One row: ``rows``, a list of
    ``[id, category, label, claims]`` (thousands of nodes decode far faster as lists)."""
    about = neo4j_rel_type("about")
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})\n"
        f"WITH n, [(n)<-[:{about}]-(c:{ENTITY}) | c.id] AS claims\n"
        "RETURN collect([n.id, n.category, n.label, claims]) AS rows"
    )
    return query, {"ids": list(ids)}


def claims_about(ids: Sequence[str]) -> Statement:
    """Node → ids of the claims about it (ids only, no link properties)."""
    about = neo4j_rel_type("about")
    query = (
        "UNWIND $ids AS id\n"
        f"MATCH (n:{ENTITY} {{id: id}})<-[:{about}]-(c:{ENTITY})\n"
        "RETURN id, collect(c.id) AS claims"
    )
    return query, {"ids": list(ids)}


def ids_of(categories: Iterable[str]) -> Statement:
    query = (
        f"MATCH (n:{ENTITY})\n"
        "WHERE n.category IN $categories\n"
        "RETURN n.id AS id"
    )
    return query, {"categories": sorted(categories)}


def search_candidates(tokens: Sequence[str]) -> Statement:
    """Nodes whose label/synonym words contain every token (text index on the longest one).

    Returns only what ranking needs (category, label, synonyms) so a short, common token does
    not ship every node's full property map.
    """
    ordered = sorted(tokens, key=len, reverse=True)
    query = (
        f"MATCH (n:{ENTITY})\n"
        f"WHERE n.{SEARCH_KEY} CONTAINS $first\n"
        f"  AND all(t IN $tokens WHERE n.{SEARCH_KEY} CONTAINS t)\n"
        "RETURN n.id AS id, n.category AS category, n.label AS label, "
        "n.alt_labels AS alt_labels"
    )
    return query, {"first": ordered[0], "tokens": ordered}


#: The score of one normalised text ``t`` against the query, exactly
#: :func:`graph.text.score_text` (100 exact · 80 prefix · 60 every query word starts a word of
#: the text · 40 substring · 30 every query word inside some word). Stored texts are normalised
#: (single spaces, no leading or trailing one) and query words hold no space, so "a word of
#: ``t`` starts with w" is ``' ' + t`` containing ``' ' + w``, and "w inside a word of ``t``" is
#: ``t`` containing ``w`` — no ``split`` per candidate.
_SCORE_TEXT = (
    "CASE WHEN t = $q THEN 100 "
    "WHEN t STARTS WITH $q THEN 80 "
    "WHEN all(w IN $spaced WHERE (' ' + t) CONTAINS w) THEN 60 "
    "WHEN t CONTAINS $q THEN 40 "
    "WHEN all(w IN $words WHERE t CONTAINS w) THEN 30 "
    "ELSE 0 END"
)
#: A text scoring at least this (a synonym's 60 − 5) has every query word starting one of its
#: words; every other text scores at most 40. See :func:`search_ranked` (``words_first``).
WORD_PREFIX_MIN = 55


def search_ranked(query: str, categories: Iterable[str] | None, evidence: Iterable[str],
                  limit: int, *, words_first: bool = False) -> Statement:
    """Search scored and ranked on the server; the best ``limit`` rows come back.

    ``query`` is already normalised. Each node's texts (label, then synonyms with a penalty of
    5) are scored like :func:`graph.text.best_match_texts` (the best text's score). Rows are
    ordered like :meth:`graph.backend.GraphBackend.search` — score, concepts before evidence,
    shorter label, id — so the client only re-checks them (see ``Neo4jBackend``).
    ``categories`` (None = all) is the wanted classes plus ``Collection``.

    ``words_first``: only nodes where the longest query word starts a word of a text (found
    through the text index: ``_search`` starts with it or contains it after a space) and
    scoring at least :data:`WORD_PREFIX_MIN` — the exact, prefix and word-prefix classes. Every
    other node scores at most 40, so when this returns ``limit`` rows they ARE the top
    ``limit``; a short query that is a substring of thousands of words ("care" in
    "healthcare") then never scores that contains class.
    """
    words = query.split()
    first = max(words, key=len)
    cat_filter = "  AND n.category IN $categories\n" if categories is not None else ""
    if words_first:
        find = (
            "CALL () {\n"
            f"  MATCH (n:{ENTITY}) WHERE n.{SEARCH_KEY} STARTS WITH $first RETURN n\n"
            "  UNION\n"
            f"  MATCH (n:{ENTITY}) WHERE n.{SEARCH_KEY} CONTAINS $spaced_first RETURN n\n"
            "}\n"
            "WITH n\n"
        )
        # one word: the two seeks already found exactly the nodes where it starts a word
        conditions = ([] if len(words) == 1
                      else [f"all(w IN $spaced WHERE (' ' + n.{SEARCH_KEY}) CONTAINS w)"])
        if categories is not None:
            conditions.append("n.category IN $categories")
        if conditions:
            find += "WHERE " + " AND ".join(conditions) + "\n"
        min_score = WORD_PREFIX_MIN
    else:
        find = (
            f"MATCH (n:{ENTITY})\n"
            f"WHERE n.{SEARCH_KEY} CONTAINS $first\n"
            f"  AND all(w IN $words WHERE n.{SEARCH_KEY} CONTAINS w)\n"
            f"{cat_filter}"
        )
        min_score = 1
    query_text = (
        f"{find}"
        f"WITH n, [t IN [n.{LABEL_NORM_KEY}] + coalesce(n.{ALT_NORM_KEY}, []) | "
        f"{_SCORE_TEXT}] AS raw\n"
        "WITH n, [i IN range(0, size(raw) - 1) | "
        "CASE WHEN raw[i] > 0 AND i > 0 THEN raw[i] - 5 ELSE raw[i] END] AS scores\n"
        "WITH n, reduce(b = 0, s IN scores | CASE WHEN s > b THEN s ELSE b END) AS score\n"
        "WHERE score >= $min_score\n"
        "WITH n, score, CASE WHEN n.category IN $evidence THEN 1 ELSE 0 END AS rank\n"
        "ORDER BY score DESC, rank, size(n.label), n.id\n"
        "LIMIT $limit\n"
        "RETURN n.id AS id, n.category AS category, n.label AS label, "
        "n.alt_labels AS alt_labels, score, rank"
    )
    params: dict[str, Any] = {"q": query, "words": words, "spaced": [f" {w}" for w in words],
                              "first": first, "spaced_first": f" {first}",
                              "min_score": min_score, "evidence": sorted(evidence),
                              "limit": int(limit)}
    if categories is not None:
        params["categories"] = sorted(categories)
    return query_text, params


def count_nodes() -> Statement:
    return (f"MATCH (n:{ENTITY}) RETURN n.category AS key, count(*) AS n", {})


def count_edges() -> Statement:
    """Links per type between entities, relations of the ontology only."""
    return (f"MATCH (:{ENTITY})-[r:{_rel_pattern(None)}]->(:{ENTITY}) "
            "RETURN type(r) AS key, count(*) AS n", {})


def count_dataset(dataset: str) -> Statement:
    """Nodes and links a dataset owns (for load reports and status)."""
    query = (
        f"MATCH (n:{ENTITY}) WHERE n.{DATASET_KEY} = $dataset\n"
        "WITH count(n) AS nodes\n"
        f"OPTIONAL MATCH (:{ENTITY})-[r]->(:{ENTITY}) WHERE r.{DATASET_KEY} = $dataset\n"
        "RETURN nodes, count(r) AS relationships"
    )
    return query, {"dataset": dataset}


def count_dataset_version(dataset: str, version: str) -> Statement:
    """All entities, and those of one dataset at one version (a bulk import is checked against
    them: one node scan, no relationship scan)."""
    query = (
        f"MATCH (n:{ENTITY})\n"
        "RETURN count(n) AS entities, count(CASE WHEN n."
        f"{DATASET_KEY} = $dataset AND n.{VERSION_KEY} = $version THEN 1 END) AS nodes"
    )
    return query, {"dataset": dataset, "version": version}


def count_all_relationships() -> Statement:
    """Every relationship in the database (answered from the count store, no scan)."""
    return "MATCH ()-[r]->() RETURN count(r) AS relationships", {}


def count_removals(dataset: str, keep_ids: Sequence[str]) -> Statement:
    """How many of a dataset's nodes a load of ``keep_ids`` would delete, out of how many."""
    query = (
        f"MATCH (n:{ENTITY}) WHERE n.{DATASET_KEY} = $dataset\n"
        "RETURN count(n) AS loaded, count(CASE WHEN NOT n.id IN $ids THEN 1 END) AS removing"
    )
    return query, {"dataset": dataset, "ids": list(keep_ids)}


def count_unowned() -> Statement:
    """Nodes no load owns (a user's own data), which loads never touch."""
    return (f"MATCH (n) WHERE n.{DATASET_KEY} IS NULL AND NOT n:{LOAD_STATE_LABEL} "
            "RETURN count(n) AS n", {})


def server_components() -> Statement:
    return ("CALL dbms.components() YIELD name, versions, edition "
            "RETURN name, versions[0] AS version, edition", {})


def ping() -> Statement:
    return "RETURN 1 AS ok", {}
