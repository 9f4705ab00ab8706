"""Bounded parsing (issue 14 item 2): no input a user hands us can exhaust the machine or end in a
traceback. YAML aliases are refused, sizes/depth/time are capped, one syntax error is reported
first with its cascade folded, and an empty evidence base is refused (issue 14 item 1)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from loaders.errors import IntersectionsError, ValidationFailed
from loaders.evidence import default_evidence_dir, load_evidence_base
from loaders.importers.bibliography import import_bibliography
from loaders.importers.hsds import import_hsds
from loaders.importers.ingest import accept_review, ingest_document
from loaders.importers.sheet import import_sheet
from loaders.yamlio import load_yaml
from tests.fixtures.importers.support import HERE, SAMPLES, mini_copy, snapshot

ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def problems_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [p.rule for p in exc.value.problems]


@pytest.fixture
def ev(tmp_path: Path) -> Path:
    return mini_copy(tmp_path)


# ------------------------------------------------------------------------------ YAML aliases
def test_alias_bomb_in_evidence_is_one_yaml_alias_problem(ev: Path) -> None:
    (ev / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, use_cache=False)
    first = exc.value.problems[0]
    assert first.rule == "yaml-alias" and first.file.endswith("bomb.yaml")
    assert first.line == 2 and "*a" in first.message
    assert len(exc.value.problems) == 1


def test_self_referencing_alias_is_a_problem_not_a_recursion_error(tmp_path: Path) -> None:
    p = tmp_path / "self.yaml"
    p.write_text("risk_factors: &x\n  - *x\n", encoding="utf-8")
    doc, problems = load_yaml(p, "self.yaml")
    assert doc is None and [(x.rule, x.line) for x in problems] == [("yaml-alias", 2)]


def test_anchor_reused_inside_an_entry_is_refused(ev: Path) -> None:
    (ev / "dup.yaml").write_text(
        "risk_factors:\n  - id: risk:aliased\n    label: &l Aliased label\n"
        "    alt_labels: [*l]\n    definition: A risk factor written with an alias.\n",
        encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, use_cache=False)
    assert problems_of(exc) == ["yaml-alias"] and exc.value.problems[0].line == 4


def test_alias_in_hsds_mapping_file_is_refused(ev: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(ALIAS_BOMB, encoding="utf-8")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_hsds(SAMPLES / "hsds-lakes-region.json", mapping, ev)
    assert "yaml-alias" in problems_of(exc)
    assert snapshot(ev) == before


def test_alias_in_review_file_is_refused(ev: Path, tmp_path: Path) -> None:
    review = tmp_path / "r.review.yaml"
    ingest_document(HERE / "report.txt", ev, out=review)
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("candidates:", "x: &x [1]\ny: [*x]\ncandidates:", 1),
                      encoding="utf-8")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        accept_review(review, ev)
    assert problems_of(exc) == ["yaml-alias"]
    assert snapshot(ev) == before


# ------------------------------------------------------------------------------ size and depth
def test_evidence_file_over_the_size_limit(ev: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERSECTIONS_MAX_FILE_MB", "0.004")  # ~4 KB: vocabulary.yaml is ~4.8
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, use_cache=False)
    first = exc.value.problems[0]
    assert first.rule == "too-large" and first.file.endswith("vocabulary.yaml")
    assert "INTERSECTIONS_MAX_FILE_MB" in (first.hint or "")


def test_evidence_base_over_the_total_limit(ev: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERSECTIONS_MAX_BASE_MB", "0.006")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, use_cache=False)
    assert problems_of(exc) == ["too-large"]


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000,
                                  "".join("  " * i + "- \n" for i in range(200))])
def test_deep_yaml_is_one_problem(tmp_path: Path, text: str) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text(text, encoding="utf-8")
    doc, problems = load_yaml(p, "deep.yaml")
    assert doc is None and len(problems) == 1
    assert problems[0].rule in ("too-deep", "yaml-syntax")


def test_unreadable_evidence_file_is_a_problem(ev: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Path.read_text

    def deny(self: Path, *a: object, **k: object) -> str:
        if self.name == "evidence.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", deny)  # tests run as root: chmod 000 would not bite
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, use_cache=False)
    assert exc.value.problems[0].rule == "unreadable"
    assert "Permission denied" in exc.value.problems[0].message


# ------------------------------------------------------------------------------ syntax cascade
def test_first_syntax_error_is_reported_first_and_its_cascade_folded(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    shutil.copytree(default_evidence_dir(), ev)
    f = ev / "vocabulary" / "risk_factors.yaml"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(19, "  - [unclosed\n")
    f.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, use_cache=False)
    probs = exc.value.problems
    assert probs[0].rule == "yaml-syntax" and probs[0].file.endswith("risk_factors.yaml")
    assert probs[0].line is not None and 19 <= probs[0].line <= 22
    assert [p.rule for p in probs].count("follow-on") == 1
    assert not {"unknown-reference", "unknown-claim", "unknown-source"} & {p.rule for p in probs}
    assert len(probs) <= 3
    assert str(exc.value).splitlines()[1].lstrip().startswith(probs[0].file)


# ------------------------------------------------------------------------------ empty base
def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(tmp_path, use_cache=False)
    assert problems_of(exc) == ["no-entries"] and "empty" in exc.value.problems[0].message


def test_folder_with_only_yml_files_is_refused(tmp_path: Path) -> None:
    shutil.copy(HERE.parent / "mini" / "vocabulary.yaml", tmp_path / "vocabulary.yml")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(tmp_path, use_cache=False)
    assert problems_of(exc) == ["no-entries"]
    assert "vocabulary.yml" in exc.value.problems[0].message


def test_yaml_files_without_entries_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("risk_factors: []\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(tmp_path, use_cache=False)
    assert problems_of(exc) == ["no-entries"]


# ------------------------------------------------------------------------------ importers
def test_import_over_the_size_limit(ev: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERSECTIONS_MAX_IMPORT_MB", "0.0003")
    before = snapshot(ev)
    for run in (lambda: import_bibliography(HERE / "refs.bib", "bibtex", ev),
                lambda: import_sheet(HERE / "programs.csv", ev),
                lambda: import_hsds(SAMPLES / "hsds-lakes-region", HERE / "hsds-mini-mapping.yaml",
                                    ev)):
        with pytest.raises(ValidationFailed) as exc:
            run()
        assert problems_of(exc) == ["too-large"]
        assert "INTERSECTIONS_MAX_IMPORT_MB" in (exc.value.problems[0].hint or "")
    assert snapshot(ev) == before


def test_import_over_the_time_limit(ev: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.bib"
    entry = (HERE / "refs.bib").read_text(encoding="utf-8")
    big.write_text("\n".join(entry.replace("{", f"{{k{i}", 1) for i in range(200)),
                   encoding="utf-8")
    monkeypatch.setenv("INTERSECTIONS_IMPORT_SECONDS", "0.0001")
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_bibliography(big, "bibtex", ev)
    assert problems_of(exc) == ["too-slow"]
    assert snapshot(ev) == before


@pytest.mark.parametrize("fmt,name,what", [("csl", "deep.json", "csl"),
                                           ("hsds", "deep.json", "hsds")])
def test_json_nested_100k_deep(ev: Path, tmp_path: Path, fmt: str, name: str, what: str) -> None:
    p = tmp_path / name
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        if what == "csl":
            import_bibliography(p, "csl", ev)
        else:
            import_hsds(p, HERE / "hsds-mini-mapping.yaml", ev)
    assert problems_of(exc) == ["too-deep"]


def test_unreadable_import_is_a_clean_error(ev: Path, tmp_path: Path) -> None:
    folder = tmp_path / "refs.bib"
    folder.mkdir()
    with pytest.raises(IntersectionsError, match="is a folder"):
        import_bibliography(folder, "bibtex", ev)


def _xlsx(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Programs"
    ws.append(["name", "description"])
    for i in range(rows):
        ws.append([f"Program {i}", f"Helps people in situation {i}."])
    wb.save(path)


def test_xlsx_with_xml_entities_is_refused(ev: Path, tmp_path: Path) -> None:
    plain, evil = tmp_path / "plain.xlsx", tmp_path / "evil.xlsx"
    _xlsx(plain, 2)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(evil, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                ents = '<!DOCTYPE w [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = (ents + data.decode().replace("Program 0", "&b;")).encode()
            dst.writestr(item, data)
    before = snapshot(ev)
    with pytest.raises(ValidationFailed) as exc:
        import_sheet(evil, ev)
    assert problems_of(exc) == ["xlsx"]
    assert "Forbidden" in exc.value.problems[0].message  # defusedxml, not expat, refused it
    assert snapshot(ev) == before


def test_xlsx_row_cap(ev: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "many.xlsx"
    _xlsx(p, 30)
    monkeypatch.setenv("INTERSECTIONS_MAX_SHEET_ROWS", "10")
    with pytest.raises(ValidationFailed) as exc:
        import_sheet(p, ev)
    assert problems_of(exc) == ["xlsx"] and "more than 10 rows" in exc.value.problems[0].message


def test_bibtex_string_macros_are_expanded(ev: Path, tmp_path: Path) -> None:
    p = tmp_path / "macros.bib"
    p.write_text('@string{jiv = "Journal of Interpersonal Violence"}\n'
                 '@string{pre = {The }}\n'
                 '@article{smith2020, title = {A study of shelters}, author = {Smith, Ann},\n'
                 '  journal = pre # jiv # " (online)", year = 2020}\n'
                 '@article{lee2021, title = {Another study}, author = {Lee, Bo},\n'
                 '  journal = jiv, year = 2021}\n', encoding="utf-8")
    result = import_bibliography(p, "bibtex", ev, dry_run=True)
    assert "venue: The Journal of Interpersonal Violence (online)" in result.text
    assert "venue: Journal of Interpersonal Violence\n" in result.text
    assert " # " not in result.text


def test_csl_json_is_read_after_size_check(ev: Path, tmp_path: Path) -> None:
    """A normal CSL file still imports (the bounds do not get in the way of real input)."""
    p = tmp_path / "one.json"
    p.write_text(json.dumps([{"id": "x", "type": "report", "title": "A report on services",
                              "issued": {"date-parts": [[2021]]}}]), encoding="utf-8")
    result = import_bibliography(p, "csl", ev, dry_run=True)
    assert "A report on services" in result.text


# ------------------------------------------------------------------------------ schema bounds
def _with_entry(ev: Path, body: str) -> None:
    (ev / "extra.yaml").write_text("risk_factors:\n  - id: risk:extra\n" + body, encoding="utf-8")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x",
                                 "//evil.example", "www.example.org"])
def test_only_http_urls_are_accepted(ev: Path, url: str) -> None:
    (ev / "extra.yaml").write_text(
        "organizations:\n  - id: org:extra\n    label: Extra\n"
        f"    definition: An organization.\n    url: '{url}'\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, shacl=False, use_cache=False)
    p = next(x for x in exc.value.problems if "url" in x.message)
    assert (p.rule, p.line) == ("schema", 5)
    assert "http" in p.message and "https://" in (p.hint or "")


@pytest.mark.parametrize("char", ["\\0", "\\x01", "\\x1b", "\\x7f"])
def test_control_characters_are_refused(ev: Path, char: str) -> None:
    _with_entry(ev, f'    label: "Bad{char}label"\n    definition: A definition.\n')
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, shacl=False, use_cache=False)
    p = next(x for x in exc.value.problems if "label" in x.message)
    assert p.rule == "schema" and "control character" in p.message and p.record == "risk:extra"


def test_text_length_is_bounded(ev: Path) -> None:
    from loaders.entries import MAX_TEXT

    _with_entry(ev, "    label: Long\n    definition: " + "word " * (MAX_TEXT // 5 + 10) + "\n")
    with pytest.raises(ValidationFailed) as exc:
        load_evidence_base(ev, shacl=False, use_cache=False)
    p = next(x for x in exc.value.problems if "definition" in x.message)
    assert p.rule == "schema" and "10000" in p.message.replace(",", "")


def test_http_urls_and_plain_text_still_pass(ev: Path) -> None:
    (ev / "extra.yaml").write_text(
        "organizations:\n  - id: org:extra\n    label: Extra\n"
        "    definition: \"An organization.\\tTabs and\\nnewlines are fine.\"\n"
        "    url: HTTPS://example.org/path?q=1\n"
        "    sources: [{citation: cite:doc-brief, locator: Section A}]\n", encoding="utf-8")
    eb = load_evidence_base(ev, shacl=False, use_cache=False)
    assert eb.nodes["org:extra"].properties["url"] == "HTTPS://example.org/path?q=1"


def test_memory_and_recursion_errors_are_one_line_in_the_cli() -> None:
    import typer

    from cli.helpers import run_guarded

    for exc in (MemoryError(), RecursionError("maximum recursion depth exceeded")):
        def boom(e: BaseException = exc) -> None:
            raise e

        with pytest.raises(typer.Exit) as out:
            run_guarded(boom)
        assert out.value.exit_code != 0
