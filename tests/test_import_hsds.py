"""HSDS service directories: CSV data package and JSON → organizations, interventions, regions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph.nx_backend import NetworkxBackend
from loaders.errors import ValidationFailed
from loaders.importers.hsds import import_hsds
from tests.fixtures.importers.support import HERE, SAMPLES, mini_copy, snapshot

PKG = SAMPLES / "hsds-lakes-region"
JSON = SAMPLES / "hsds-lakes-region.json"
MAP = HERE / "hsds-mini-mapping.yaml"


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


def test_csv_package_import(ev: Path) -> None:
    r = import_hsds(PKG, MAP, ev)
    assert r.written and r.target.name == "hsds-lakes-region.yaml"
    assert r.counts == {"citations": 1, "organizations": 5, "regions": 6, "interventions": 7}
    assert any("Food Pantries (FOOD-PANTRY)" in w for w in r.warnings)  # unmapped: a warning
    assert any("not active" in w and "Foster Parent" in w for w in r.warnings)
    g = NetworkxBackend.load(ev)
    ref = next(n for n in g.nodes("Intervention")
               if n.label == "24-Hour Domestic Violence Crisis Line")
    hotline = g.node(ref.id)
    assert hotline.properties["kind"] == "hotline"  # from the mapping's kinds
    assert hotline.definition.startswith("Confidential crisis line")
    assert "555-0100" in hotline.properties["contact"]
    links = {(n.predicate, n.node.id) for n in g.neighbors(hotline.id)}
    assert ("addresses", "harm:intimate-partner-violence") in links
    assert ("operates_in", "region:minnesota") in links  # service area matched by label
    assert any(p == "provided_by" and g.node(i).label == "Lakes Region Domestic Abuse Project"
               for p, i in links)
    # a location's city becomes a region under its state (MN → Minnesota)
    mpls = next(n for n in g.nodes("Region") if n.label == "Minneapolis, MN")
    assert g.node(mpls.id).properties["kind"] == "city"
    assert ("broader", "region:minnesota") in {(n.predicate, n.node.id)
                                               for n in g.neighbors(mpls.id)}
    # the directory feeds the gap map
    cov = g.coverage("Harm", "PreventionStrategy", via="Intervention")
    cell = cov.cell("harm:domestic-minor-sex-trafficking", "strat:early-intervention")
    assert {i.label for i in cell.items} >= {"Safe Harbor Navigator – Lake County"}
    # every imported node points at the directory's citation
    cite = g.citation("cite:hsds-lakes-region-community")
    assert cite.kind == "dataset" and cite.title == "Lakes Region Community Resource Directory"


def test_json_form_gives_the_same_nodes(ev: Path, tmp_path: Path) -> None:
    a = import_hsds(PKG, MAP, ev, dry_run=True)
    b = import_hsds(JSON, MAP, ev, dry_run=True)

    def ids(text: str) -> list[str]:
        return [ln.split("id: ")[1] for ln in text.splitlines() if ln.startswith("  - id: ")]

    assert ids(a.text) == ids(b.text) and ids(a.text)
    assert a.target == b.target


def test_reimport_is_identical(ev: Path) -> None:
    first = import_hsds(PKG, MAP, ev)
    before = snapshot(ev)
    again = import_hsds(PKG, MAP, ev)
    assert again.unchanged and again.text == first.text and snapshot(ev) == before


def test_mapping_errors_name_the_line(ev: Path, tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("terms:\n  DV-HOTLINE: [harm:intimate-partner-violenc]\n"
                   "  YOUTH-RHY: [cite:doc-brief]\nkinds:\n  DV-HOTLINE: helpline\n",
                   encoding="utf-8")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_hsds(PKG, bad, ev)
    got = {(p.line, p.rule) for p in exc.value.problems}
    assert got == {(2, "mapping-id"), (3, "mapping-id"), (5, "mapping-kind")}
    assert "harm:intimate-partner-violence" in str(exc.value)  # suggestion
    assert snapshot(ev) == before


def test_broken_directory_rows_are_reported_with_file_and_row(ev: Path,
                                                               tmp_path: Path) -> None:
    pkg = tmp_path / "dir"
    shutil.copytree(PKG, pkg)
    svc = pkg / "services.csv"
    lines = svc.read_text().splitlines()
    lines[2] = lines[2].replace("6f1c2a90-3b8e-4d1a-9c55-0a1e2b3c4d01", "no-such-org", 1)
    svc.write_text("\n".join(lines) + "\n")
    org = pkg / "organizations.csv"
    olines = org.read_text().splitlines()
    olines[3] = ",".join(["x-id", ""] + olines[3].split(",")[2:])
    org.write_text("\n".join(olines) + "\n")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_hsds(pkg, MAP, ev)
    got = {(Path(p.file).name, p.line, p.rule) for p in exc.value.problems}
    assert ("services.csv", 3, "hsds-reference") in got
    assert ("organizations.csv", 4, "hsds-schema") in got
    assert snapshot(ev) == before


def test_unknown_json_shape_is_clean_error(ev: Path, tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ValidationFailed, match="HSDS"):
        import_hsds(p, None, ev)
