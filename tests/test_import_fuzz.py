"""Malformed input to every importer: a clean IntersectionsError, never a traceback, and an
evidence folder that is byte-for-byte unchanged (or, when the mutated input happens to still
be valid, exactly one new import file and a base that still validates)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import IntersectionsError, ValidationFailed
from loaders.evidence import load_evidence_base
from loaders.importers.bibliography import SOURCES, import_bibliography
from loaders.importers.hsds import import_hsds
from loaders.importers.ingest import accept_review, ingest_document
from loaders.importers.sheet import import_sheet
from tests.fixtures.importers.support import HERE, SAMPLES, mini_copy, snapshot

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@st.composite
def mutated(draw: st.DrawFn, original: str) -> str:
    """The original text with a slice deleted, junk inserted, or cut short — or pure junk."""
    how = draw(st.sampled_from(["delete", "insert", "truncate", "junk", "swap"]))
    n = len(original)
    i = draw(st.integers(0, n))
    if how == "delete":
        j = draw(st.integers(i, min(n, i + 200)))
        return original[:i] + original[j:]
    if how == "insert":
        junk = draw(st.text(alphabet=st.sampled_from(list('{}[]",:;=@\n\t -%#') + ["\u00e9",
                                                                                   "\x00"]),
                            min_size=1, max_size=12))
        return original[:i] + junk + original[i:]
    if how == "truncate":
        return original[:i]
    if how == "swap":
        j = draw(st.integers(0, n))
        a, b = sorted((i, j))
        return original[:a] + original[b:] + original[a:b]
    return draw(st.text(max_size=300))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mini_copy(tmp_path_factory.mktemp("fuzz"))


def check(ev: Path, run: Callable[[], object]) -> None:
    """Run an import; on error assert clean + unchanged; on success clean up afterwards."""
    before = snapshot(ev)
    try:
        run()
    except IntersectionsError as exc:
        assert str(exc)
        assert snapshot(ev) == before
        return
    after = snapshot(ev)
    added = set(after) - set(before)
    assert len(added) <= 1 and all(after[k] == before[k] for k in before if k in after)
    load_evidence_base(ev)  # what was written is valid
    for rel in added:
        (ev / rel).unlink()
    for d in ("imports", "accepted"):
        if (ev / d).is_dir() and not any((ev / d).iterdir()):
            (ev / d).rmdir()
    assert snapshot(ev) == before


@pytest.mark.parametrize("fmt,sample", [("bibtex", HERE / "refs.bib"),
                                        ("ris", HERE / "refs.ris"),
                                        ("csl", HERE / "refs.json")])
def test_bibliographies(base: Path, tmp_path: Path, fmt: str, sample: Path) -> None:
    original = sample.read_text(encoding="utf-8")

    @FUZZ
    @given(text=mutated(original))
    def run(text: str) -> None:
        p = tmp_path / f"in{sample.suffix}"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        check(base, lambda: import_bibliography(p, fmt, base))

    run()


def test_sheet_csv(base: Path, tmp_path: Path) -> None:
    original = (HERE / "programs.csv").read_text(encoding="utf-8")

    @FUZZ
    @given(text=mutated(original))
    def run(text: str) -> None:
        p = tmp_path / "programs.csv"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        check(base, lambda: import_sheet(p, base))

    run()


@FUZZ
@given(data=st.binary(max_size=400))
def test_sheet_xlsx_garbage(base: Path, tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "programs.xlsx"
    p.write_bytes(b"PK\x03\x04" + data)
    check(base, lambda: import_sheet(p, base))


def test_hsds_csv_package(base: Path, tmp_path: Path) -> None:
    pkg = tmp_path / "dir"
    shutil.copytree(SAMPLES / "hsds-lakes-region", pkg)
    names = ["services.csv", "organizations.csv", "attributes.csv", "datapackage.json",
             "addresses.csv"]
    originals = {n: (pkg / n).read_text(encoding="utf-8") for n in names}

    @FUZZ
    @given(name=st.sampled_from(names), data=st.data())
    def run(name: str, data: st.DataObject) -> None:
        text = data.draw(mutated(originals[name]))
        for n, t in originals.items():
            (pkg / n).write_text(t, encoding="utf-8")
        (pkg / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        check(base, lambda: import_hsds(pkg, HERE / "hsds-mini-mapping.yaml", base))

    run()


def test_hsds_json_and_mapping(base: Path, tmp_path: Path) -> None:
    original = (SAMPLES / "hsds-lakes-region.json").read_text(encoding="utf-8")
    mapping = (HERE / "hsds-mini-mapping.yaml").read_text(encoding="utf-8")

    @FUZZ
    @given(which=st.sampled_from(["json", "mapping"]), data=st.data())
    def run(which: str, data: st.DataObject) -> None:
        j, m = tmp_path / "d.json", tmp_path / "m.yaml"
        j.write_text(data.draw(mutated(original)) if which == "json" else original,
                     encoding="utf-8", errors="surrogatepass")
        m.write_text(data.draw(mutated(mapping)) if which == "mapping" else mapping,
                     encoding="utf-8", errors="surrogatepass")
        check(base, lambda: import_hsds(j, m, base))

    run()


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".pdf", ".txt", ".md"]))
def test_ingest_garbage_documents(base: Path, tmp_path: Path, data: bytes, suffix: str) -> None:
    p = tmp_path / f"doc{suffix}"
    p.write_bytes((b"%PDF-1.4\n" if suffix == ".pdf" else b"") + data)
    check(base, lambda: ingest_document(p, base, out=tmp_path / "doc.review.yaml"))


def test_accept_mutated_review_files(base: Path, tmp_path: Path) -> None:
    review = tmp_path / "r.review.yaml"
    ingest_document(HERE / "report.txt", base, out=review)
    original = review.read_text(encoding="utf-8").replace("status: pending", "status: accept")

    @FUZZ
    @given(text=mutated(original))
    def run(text: str) -> None:
        review.write_text(text, encoding="utf-8", errors="surrogatepass")
        check(base, lambda: accept_review(review, base, allow_verbatim=True))

    run()


# ----------------------------------------------------------------------- bounds (issue 14)
YAML_JUNK = ["&a ", "*a", "&b [", "*b", "[", "]", "{", "}", "- ", ": ", "\t", "? ", "!!str ",
             "!!python/object ", "<<: *a", "\n  ", "'", '"', "|\n", ">-\n", "#"]


@FUZZ
@given(data=st.data())
def test_evidence_yaml_mutations_never_escape(tmp_path_factory: pytest.TempPathFactory,
                                              data: st.DataObject) -> None:
    """Anchors, aliases, tags and brackets spliced into an evidence file: ValidationFailed (with
    the file-level problem first) or a valid base — never another exception, never expansion."""
    ev = mini_copy(tmp_path_factory.mktemp("yaml"))
    f = ev / "vocabulary.yaml"
    text = f.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        text = text[:i] + data.draw(st.sampled_from(YAML_JUNK)) + text[i:]
    f.write_text(text, encoding="utf-8")
    try:
        load_evidence_base(ev, shacl=False, use_cache=False)
    except ValidationFailed as exc:
        rules = [p.rule for p in exc.problems]
        file_level = {"yaml-syntax", "yaml-alias", "too-deep"} & set(rules)
        if file_level:
            assert rules[0] in file_level  # the file's own problem is reported first
            assert not {"unknown-reference", "unknown-claim", "unknown-source"} & set(rules)


@FUZZ
@given(limit_bytes=st.integers(100, 3000),
       fmt=st.sampled_from(["bibtex", "ris", "csl"]))
def test_import_size_limit_is_exact(limit_bytes: int, fmt: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs above the per-import limit are refused as too-large before parsing; at or below
    it they are parsed as usual."""
    sample = {"bibtex": HERE / "refs.bib", "ris": HERE / "refs.ris", "csl": HERE / "refs.json"}[fmt]
    monkeypatch.setenv("INTERSECTIONS_MAX_IMPORT_MB", str(limit_bytes / (1024 * 1024)))
    size = sample.stat().st_size
    try:
        records = list(SOURCES[fmt](sample).records())
        refused = False
    except ValidationFailed as exc:
        refused = [p.rule for p in exc.problems] == ["too-large"]
        records = []
    assert refused == (size > limit_bytes)
    assert refused or records


def _api_shapes() -> list[object]:
    """The HSDS 3.0 API response shapes, built from the sample service list."""
    import copy
    import json

    page = json.loads((SAMPLES / "hsds-lakes-region.json").read_text(encoding="utf-8"))
    svc = copy.deepcopy(page["contents"][2])
    org = copy.deepcopy(svc["organization"])
    org["services"] = [{k: v for k, v in svc.items() if k != "organization"}]
    sal = copy.deepcopy(svc["service_at_locations"][0])
    sal["service"] = {k: v for k, v in svc.items() if k != "service_at_locations"}
    return [page, svc, org, sal, [page, page], page["contents"]]


@st.composite
def reshaped(draw: st.DrawFn, doc: object) -> object:
    """Valid JSON with one subtree replaced by another JSON value (wrong types, nulls, nesting)."""
    import copy

    doc = copy.deepcopy(doc)
    junk = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                        lambda c: st.lists(c, max_size=3) | st.dictionaries(
                            st.sampled_from(["id", "name", "status", "organization", "contents",
                                             "location", "service", "services", "x"]),
                            c, max_size=3), max_leaves=6)
    node, steps = doc, draw(st.integers(0, 5))
    for _ in range(steps):
        kids = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) \
            if isinstance(node, list) else []
        if not kids:
            break
        key, child = draw(st.sampled_from(kids))
        if not isinstance(child, dict | list) or draw(st.booleans()):
            node[key] = draw(junk)  # type: ignore[index]
            return doc
        node = child
    return draw(junk) if steps == 0 else doc


def test_hsds_api_shapes_reshaped(base: Path, tmp_path: Path) -> None:
    import json

    shapes = _api_shapes()

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        doc = data.draw(reshaped(data.draw(st.sampled_from(shapes))))
        j = tmp_path / "api.json"
        j.write_text(json.dumps(doc), encoding="utf-8")
        check(base, lambda: import_hsds(j, HERE / "hsds-mini-mapping.yaml", base, name="api"))

    run()
