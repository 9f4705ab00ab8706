"""Program spreadsheet: CSV/XLSX import with row/column errors, export and round trip."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from graph.nx_backend import NetworkxBackend
from loaders.errors import ValidationFailed
from loaders.importers.sheet import COLUMNS, export_sheet, import_sheet
from tests.fixtures.importers.support import HERE, mini_copy, snapshot


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


def test_csv_import_resolves_labels_synonyms_and_ids(ev: Path) -> None:
    r = import_sheet(HERE / "programs.csv", ev)
    assert r.written and r.counts == {"citations": 1, "organizations": 1, "regions": 1,
                                      "interventions": 2}
    g = NetworkxBackend.load(ev)
    van = {(n.predicate, n.node.id) for n in g.neighbors("int:youth-outreach-van")}
    assert {("provided_by", "org:health-dept"), ("implements", "strat:early-intervention"),
            ("addresses", "risk:running-away"),  # 'runaway' is a synonym
            ("addresses", "harm:domestic-minor-sex-trafficking"),  # 'DMST'
            ("serves", "pop:youth"), ("operates_in", "region:minnesota")} <= van
    assert g.node("int:youth-outreach-van").properties["url"] == "https://example.org/van"
    assert g.node("org:lakes-advocacy-center").category == "Organization"
    assert g.node("region:lake-county").category == "Region"
    assert any("new region region:lake-county" in w for w in r.warnings)
    # the new programs show up on the service-gap map
    cov = g.coverage("Harm", "PreventionStrategy", via="Intervention")
    cell = cov.cell("harm:domestic-minor-sex-trafficking", "strat:early-intervention")
    assert "int:youth-outreach-van" in {i.id for i in cell.items}


def test_errors_point_to_row_and_column(ev: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,description,kind,addresses,populations,regions,year\n"
                   "A,Does a.,program,foster kare,Youth,Minnesota,2020\n"
                   "B,,rocket,IPV,pop:nobody,Minesota,20x0\n"
                   "A,Again.,program,,,,\n", encoding="utf-8")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_sheet(bad, ev)
    got = {(p.line, p.record, p.rule) for p in exc.value.problems}
    assert (2, "column D (addresses)", "unknown-value") in got
    assert (3, "column B (description)", "missing-value") in got
    assert (3, "column C (kind)", "bad-kind") in got
    assert (4, "column A (name)", "duplicate-program") in got
    msg = str(exc.value)
    assert "Foster care placement (risk:foster-care-placement)" in msg  # did-you-mean
    assert snapshot(ev) == before


def test_near_miss_place_is_an_error_not_a_new_region(ev: Path, tmp_path: Path) -> None:
    bad = tmp_path / "typo.csv"
    bad.write_text("name,description,regions\nA,Does a.,Minesota\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        import_sheet(bad, ev)
    assert "did you mean 'Minnesota (region:minnesota)'" in str(exc.value)


def test_existing_intervention_is_not_overwritten(ev: Path, tmp_path: Path) -> None:
    p = tmp_path / "dup.csv"
    p.write_text("name,description\nHotel Training Law,Something.\n", encoding="utf-8")
    p2 = tmp_path / "dup2.csv"
    p2.write_text("name,description,id\nX,Something.,int:hotel-training-law\n", encoding="utf-8")
    for f in (p, p2):
        with pytest.raises(ValidationFailed, match="already exists"):
            import_sheet(f, ev)


def test_export_and_reimport_xlsx_round_trip(ev: Path, tmp_path: Path) -> None:
    import_sheet(HERE / "programs.csv", ev)
    out = tmp_path / "programs.xlsx"
    n = export_sheet(out, ev)
    assert n == 4  # two from mini + two imported
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Programs", "Help", "Lists"]
    rows = list(wb["Programs"].iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    van = next(r for r in rows if r[0] == "Youth Outreach Van")
    assert "Youth (pop:youth)" in van[COLUMNS.index("populations")]
    # a fresh base: only the exported rows of the imported programs are new
    ev2 = mini_copy(tmp_path / "second")
    src = tmp_path / "only-new.xlsx"
    wb2 = openpyxl.Workbook()
    ws = wb2.active
    ws.title = "Programs"
    ws.append(list(rows[0]))
    ws.append([c for c in van])
    wb2.save(src)
    r = import_sheet(src, ev2, name="from-export")
    assert r.written
    g = NetworkxBackend.load(ev2)
    assert {n.node.id for n in g.neighbors("int:youth-outreach-van")} >= {
        "pop:youth", "risk:running-away", "region:minnesota", "org:health-dept"}


def test_template_lists_allowed_values(ev: Path, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    export_sheet(out, ev, template=True)
    wb = openpyxl.load_workbook(out)
    assert wb["Programs"].max_row == 1
    lists = {(r[0], r[2]) for r in wb["Lists"].iter_rows(min_row=2, values_only=True)}
    assert ("populations", "pop:youth") in lists and ("addresses", "tactic:isolation") in lists
    csv_out = tmp_path / "template.csv"
    export_sheet(csv_out, ev, template=True)
    assert csv_out.read_text().strip() == ",".join(COLUMNS)


def test_shipped_template_and_sample_are_importable_shapes() -> None:
    from tests.fixtures.importers.support import SAMPLES

    header = (SAMPLES / "programs-template.csv").read_text().strip().split(",")
    assert header == list(COLUMNS)
    wb = openpyxl.load_workbook(SAMPLES / "programs-template.xlsx")
    assert [c.value for c in wb["Programs"][1]] == list(COLUMNS)
