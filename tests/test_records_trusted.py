"""Records built without a second validation (loaders.records.trusted, issue 17 item 3).

The loader turns validated entries into records, and the base cache turns its columns back into
records, without running pydantic again. That is only sound if every such record is exactly what
validation would have produced: same values, same types (tuples, not lists), every field set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import basecache
from loaders.evidence import load_evidence_base
from loaders.records import EdgeRecord, NodeRecord, SourceRef, edge_record, trusted

MINI = Path(__file__).parent / "fixtures" / "mini"


def _revalidated(rec: NodeRecord | EdgeRecord) -> NodeRecord | EdgeRecord:
    values = {f: getattr(rec, f) for f in type(rec).model_fields}
    if isinstance(rec, NodeRecord):
        values["sources"] = tuple(SourceRef(**s.__dict__) for s in rec.sources)
    return type(rec)(**values)


@pytest.mark.parametrize("base", [MINI, None], ids=["mini", "shipped"])
def test_loaded_and_cached_records_are_what_validation_gives(
        base: Path | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(basecache.ENV_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(basecache.ENV_OFF, raising=False)
    full = load_evidence_base(base)
    cached = load_evidence_base(base)  # from the cache (decode)
    assert cached is not full
    for eb in (full, cached):
        for rec in [*eb.nodes.values(), *eb.edges.values()]:
            again = _revalidated(rec)
            assert again == rec
            assert again.model_dump() == rec.model_dump()
            assert {f: type(getattr(again, f)) for f in type(rec).model_fields} == \
                {f: type(getattr(rec, f)) for f in type(rec).model_fields}
            assert rec.model_fields_set == set(type(rec).model_fields)
            if isinstance(rec, NodeRecord):
                assert all(type(s) is SourceRef and s == SourceRef(**s.__dict__)
                           for s in rec.sources)


def test_trusted_records_stay_frozen() -> None:
    rec = edge_record("a:x", "about", "b:y", (), {}, None)
    with pytest.raises(Exception, match="frozen"):
        rec.subject = "c:z"  # type: ignore[misc]
    node = trusted(SourceRef, {"citation": "cite:x", "locator": None})
    assert node == SourceRef(citation="cite:x")
    assert hash(node) == hash(SourceRef(citation="cite:x"))


def test_a_copy_with_changes_leaves_other_records_alone() -> None:
    """Trusted records of a class share one 'fields set'; model_copy (used when the loader
    merges repeated links) must not change it for the others."""
    a = edge_record("a:x", "about", "b:y", (), {}, None)
    b = edge_record("a:z", "about", "b:w", ("claim:c",), {}, None)
    merged = a.model_copy(update={"claims": ("claim:d",)})
    assert merged.claims == ("claim:d",) and a.claims == () and b.claims == ("claim:c",)
    assert a.model_fields_set == b.model_fields_set == set(EdgeRecord.model_fields)
    assert merged == EdgeRecord(subject="a:x", predicate="about", object="b:y",
                                claims=("claim:d",))
