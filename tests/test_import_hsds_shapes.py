"""HSDS 3.0 JSON in every response shape the specification's API defines.

Each shape is built from the shipped sample directory (a paginated service list, as
``GET /services`` returns it), reshaped the way the other endpoints answer: a single service
with its nested organization and service-at-locations (which omit the parent's ids), a single
organization with nested services and locations, a single service-at-location with nested
service and location, paginated organization and service-at-location lists, and a list of
pages. Every shape must import to the entries the CSV package gives for the same records.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from graph.nx_backend import NetworkxBackend
from loaders.errors import ValidationFailed
from loaders.importers.hsds import import_hsds, kind_of
from tests.fixtures.importers.support import HERE, SAMPLES, mini_copy, snapshot

MAP = HERE / "hsds-mini-mapping.yaml"
SAMPLE = json.loads((SAMPLES / "hsds-lakes-region.json").read_text(encoding="utf-8"))
SERVICES: list[dict[str, Any]] = SAMPLE["contents"]
YOUTH = next(s for s in SERVICES if s["name"] == "Youth Drop-In Center")
OUTREACH = next(s for s in SERVICES if s["name"] == "Street Outreach Team")


def page(items: list[Any], number: int = 1, pages: int = 1) -> dict[str, Any]:
    return {"total_items": len(items) * pages, "total_pages": pages, "page_number": number,
            "size": len(items), "first_page": number == 1, "last_page": number == pages,
            "empty": not items, "contents": items}


def bare_service(svc: dict[str, Any]) -> dict[str, Any]:
    """A service as nested under its organization: no organization, no organization_id."""
    out = copy.deepcopy(svc)
    out.pop("organization", None)
    out.pop("organization_id", None)
    return out


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


def write(tmp_path: Path, name: str, data: Any) -> Path:
    p = tmp_path / f"{name}.json"
    p.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return p


def neighbours(ev: Path, label: str) -> tuple[NetworkxBackend, str, set[tuple[str, str]]]:
    g = NetworkxBackend.load(ev)
    ref = next(n for n in g.nodes("Intervention") if n.label == label)
    return g, ref.id, {(n.predicate, n.node.id) for n in g.neighbors(ref.id)}


def test_shapes_are_recognised() -> None:
    assert kind_of(YOUTH) == "service"
    assert kind_of(YOUTH["organization"]) == "organization"
    assert kind_of({"id": "x", "service": YOUTH, "location": {}}) == "service_at_location"
    assert kind_of({"id": "x", "service_id": "a", "location_id": "b"}) == "service_at_location"
    assert kind_of({"id": "x"}) is None


def test_single_service_with_nested_organization_and_locations(ev: Path, tmp_path: Path) -> None:
    svc = copy.deepcopy(YOUTH)
    svc.pop("organization_id")  # implied by the nested organization
    assert all("service_id" not in sal for sal in svc["service_at_locations"])
    r = import_hsds(write(tmp_path, "one-service", svc), MAP, ev, name="lakes")
    assert r.counts["interventions"] == 1 and r.counts["organizations"] == 1
    g, sid, links = neighbours(ev, "Youth Drop-In Center")
    org = next(i for p, i in links if p == "provided_by")
    assert g.node(org).label == YOUTH["organization"]["name"]
    assert any(p == "operates_in" and g.node(i).label == "Minneapolis, MN" for p, i in links)
    assert "The Harbor Youth Drop-In" in g.node(sid).properties["note"]


def test_full_organization_keeps_the_organization_and_its_services(ev: Path,
                                                                    tmp_path: Path) -> None:
    org = copy.deepcopy(YOUTH["organization"])
    loc = copy.deepcopy(YOUTH["service_at_locations"][0]["location"])
    loc.pop("organization_id", None)
    org["services"] = [bare_service(YOUTH), bare_service(OUTREACH)]
    org["locations"] = [loc]
    r = import_hsds(write(tmp_path, "one-org", org), MAP, ev, name="lakes")
    assert r.counts["organizations"] == 1 and r.counts["interventions"] == 2
    g = NetworkxBackend.load(ev)
    org_id = next(n.id for n in g.nodes("Organization") if n.label == org["name"])
    for label in ("Youth Drop-In Center", "Street Outreach Team"):
        _, _, links = neighbours(ev, label)
        assert ("provided_by", org_id) in links


def test_service_at_location_with_nested_service_and_location(ev: Path, tmp_path: Path) -> None:
    sal = copy.deepcopy(YOUTH["service_at_locations"][0])
    svc = copy.deepcopy(YOUTH)
    svc.pop("service_at_locations")
    sal["service"] = svc
    assert "service_id" not in sal and "location_id" not in sal
    r = import_hsds(write(tmp_path, "one-sal", sal), MAP, ev, name="lakes")
    assert r.counts["interventions"] == 1
    g, _, links = neighbours(ev, "Youth Drop-In Center")
    assert any(p == "operates_in" and g.node(i).label == "Minneapolis, MN" for p, i in links)


def test_paginated_organization_list_yields_organizations_not_interventions(
        ev: Path, tmp_path: Path) -> None:
    orgs = list({s["organization"]["id"]: s["organization"] for s in SERVICES}.values())
    r = import_hsds(write(tmp_path, "orgs", page(orgs)), None, ev, name="lakes")
    assert r.counts.get("interventions", 0) == 0
    assert r.counts["organizations"] == len(orgs)
    g = NetworkxBackend.load(ev)
    labels = {n.label for n in g.nodes("Organization")}
    assert {o["name"] for o in orgs} <= labels
    assert not any(n.label == orgs[0]["name"] for n in g.nodes("Intervention"))


def test_paginated_service_at_location_list_merges_repeated_services(ev: Path,
                                                                     tmp_path: Path) -> None:
    svc = copy.deepcopy(YOUTH)
    svc.pop("service_at_locations")
    first = copy.deepcopy(YOUTH["service_at_locations"][0])
    second = copy.deepcopy(SERVICES[1]["service_at_locations"][0])  # another location
    items = [{**first, "service": svc}, {**second, "id": "sal-2", "service": svc}]
    r = import_hsds(write(tmp_path, "sals", page(items)), MAP, ev, name="lakes")
    assert r.counts["interventions"] == 1
    g, sid, _ = neighbours(ev, "Youth Drop-In Center")
    note = g.node(sid).properties["note"]
    assert first["location"]["name"] in note and second["location"]["name"] in note


def test_list_of_pages_equals_the_single_page(ev: Path, tmp_path: Path) -> None:
    whole = import_hsds(SAMPLES / "hsds-lakes-region.json", MAP, ev, name="lakes",
                        dry_run=True)
    half = len(SERVICES) // 2
    pages = [page(SERVICES[:half], 1, 2), page(SERVICES[half:], 2, 2)]
    split = import_hsds(write(tmp_path, "pages", pages), MAP, ev, name="lakes", dry_run=True)

    def ids(text: str) -> list[str]:
        return [ln.split("id: ")[1] for ln in text.splitlines() if ln.startswith("  - id: ")]

    assert ids(split.text) == ids(whole.text) and ids(whole.text)
    one = import_hsds(write(tmp_path, "page1", pages[0]), MAP, ev, name="lakes", dry_run=True)
    assert any("page 1 of 2" in w for w in one.warnings)


def test_every_shape_reimports_byte_identical(ev: Path, tmp_path: Path) -> None:
    org = copy.deepcopy(YOUTH["organization"])
    org["services"] = [bare_service(YOUTH)]
    for name, data in (("svc", YOUTH), ("org", org), ("list", SERVICES)):
        src = write(tmp_path, name, data)
        first = import_hsds(src, MAP, ev, name=f"shape-{name}")
        before = snapshot(ev)
        again = import_hsds(src, MAP, ev, name=f"shape-{name}")
        assert again.unchanged and again.text == first.text and snapshot(ev) == before


def test_schema_errors_name_the_json_path_and_change_nothing(ev: Path, tmp_path: Path) -> None:
    bad = copy.deepcopy(SERVICES[:3])
    bad[1]["status"] = "open"  # not in the HSDS status enum
    del bad[2]["organization"]["description"]  # required by HSDS
    bad[0]["service_areas"] = {"name": "Minnesota"}  # must be a list
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_hsds(write(tmp_path, "bad", page(bad)), MAP, ev, name="lakes")
    where = {p.record for p in exc.value.problems if p.rule == "hsds-schema"}
    assert "$.contents[1].status" in where
    assert "$.contents[2].organization" in where
    assert "$.contents[0].service_areas" in where
    assert snapshot(ev) == before


def test_deviations_in_unread_fields_are_warnings(ev: Path, tmp_path: Path) -> None:
    svc = copy.deepcopy(YOUTH)
    svc["minimum_age"] = "14"  # HSDS says number; the import does not read it
    r = import_hsds(write(tmp_path, "loose", svc), MAP, ev, name="lakes", dry_run=True)
    assert any("$.minimum_age" in w for w in r.warnings)
    assert r.counts["interventions"] == 1


def test_unrecognisable_object_in_a_list_is_a_problem(ev: Path, tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        import_hsds(write(tmp_path, "odd", [YOUTH, {"id": "x", "colour": "blue"}]), MAP, ev)
    assert any(p.record == "$[1]" and p.rule == "hsds-shape" for p in exc.value.problems)
