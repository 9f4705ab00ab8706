"""The Neo4j load's rows and write statements, without a server: which link property maps are
shared between links (equal values of the same type only), that a batch sent as columns gives
back every row exactly, and that nothing but a plain identifier reaches Cypher as a tag name."""

from __future__ import annotations

import math

import pytest

from graph.neo4j import cypher
from graph.neo4j.loader import Neo4jRows
from loaders.records import EdgeRecord, NodeRecord

ENDS = [f"harm:{i}" for i in range(12)]


def collect(links: list[tuple[dict, tuple[str, ...]]]) -> list[dict]:
    """Rows for one ``co_occurs_with`` link per (properties, claims), each between its own pair
    of nodes, in order."""
    rows = Neo4jRows()
    rows.add_all([NodeRecord(id=i, category="Harm", label=i) for i in ENDS]
                 + [EdgeRecord(subject=ENDS[0], predicate="co_occurs_with", object=ENDS[n + 1],
                               properties=props, claims=claims)
                    for n, (props, claims) in enumerate(links)])
    rows.check()
    out = rows._edges["co_occurs_with"]
    assert [r["o"] for r in out] == ENDS[1:len(links) + 1]
    return [r["props"] for r in out]


def test_equal_link_properties_share_one_map_and_unequal_types_never_do() -> None:
    links = [({"position": 1}, ()), ({"position": 1}, ()),  # 0, 1: equal → one map
             ({"position": 1.0}, ()), ({"position": True}, ()),  # 2, 3: equal to 1 in Python
             ({"w": 0.0}, ()), ({"w": -0.0}, ()),  # 4, 5: equal floats, different values
             ({"position": 1}, ("claim:a",)),  # 6: same properties, other claims
             ({"position": 1}, ("claim:a",)),  # 7: equal to 6
             ({"note": [1, 2]}, ()), ({"note": [1, 2]}, ())]  # 8, 9: lists
    maps = collect(links)
    assert maps[0] is maps[1] and maps[6] is maps[7]
    assert maps[0] is not maps[6]
    assert len({id(m) for m in maps[:4]}) == 3  # 1.0 and True have maps of their own
    assert [type(m["position"]) for m in maps[:4]] == [int, int, float, bool]
    assert math.copysign(1, maps[4]["w"]) == 1 and math.copysign(1, maps[5]["w"]) == -1
    for m, (props, claims) in zip(maps, links, strict=True):  # sharing never changes a value
        assert m == cypher.encode_properties({"claims": list(claims), **props} if claims
                                             else props)
    # a link without claims stores no "claims" (nor an "_empty" entry for it)
    assert "claims" not in maps[0] and cypher.EMPTY_KEYS not in maps[0]
    assert maps[6]["claims"] == ["claim:a"]


def test_link_property_problems_are_still_reported_for_every_link() -> None:
    rows = Neo4jRows()
    rows.add_all([NodeRecord(id=i, category="Harm", label=i) for i in ENDS[:3]]
                 + [EdgeRecord(subject=ENDS[0], predicate="co_occurs_with", object=o,
                               properties={"_version": "x"}) for o in ENDS[1:3]])
    assert [p.rule for p in rows._problems] == ["neo4j-property", "neo4j-property"]


def test_a_batch_of_links_sent_as_columns_gives_back_every_row() -> None:
    stated, inferred = {"basis": "stated"}, {"basis": "inferred", "claims": ["c:1"]}
    rows = [{"s": f"a:{i}", "o": f"b:{i % 4}",
             "props": stated if i % 3 else inferred} for i in range(30)]
    rows.append({"s": "a:x", "o": "b:x", "props": {"basis": "stated"}})  # equal, not shared
    query, params = cypher.merge_edges("co_occurs_with", rows,
                                       tags={"_dataset": "d", "_version": "v"})
    assert len(params["props"]) == 3  # each map object once
    rebuilt = [{"s": s, "o": o, "props": params["props"][i]}
               for s, o, i in zip(params["s"], params["o"], params["p"], strict=True)]
    assert rebuilt == rows
    assert params["tags"] == {"_dataset": "d", "_version": "v"}
    assert "$tags._dataset" in query and "$tags._version" in query and "MERGE" in query


def test_a_batch_of_nodes_sends_the_property_maps_with_their_ids() -> None:
    rows = [{"id": "harm:a", "props": {"id": "harm:a", "label": "A"}},
            {"id": "harm:b", "props": {"id": "harm:b", "label": "B"}}]
    query, params = cypher.merge_nodes("Harm", rows, tags={"_dataset": "d"})
    assert params["rows"] == [r["props"] for r in rows]
    assert "{id: props.id}" in query and "$tags._dataset" in query


@pytest.mark.parametrize("key", ["x}) DETACH DELETE n //", "a b", "1st", "x`", ""])
def test_tag_names_that_are_not_plain_identifiers_are_refused(key: str) -> None:
    with pytest.raises(ValueError, match="plain identifier"):
        cypher.merge_nodes("Harm", [], tags={key: 1})
    with pytest.raises(ValueError, match="plain identifier"):
        cypher.merge_edges("broader", [], tags={key: 1})
