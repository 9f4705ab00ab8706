"""benchmarks/coldstart.py cannot rot: one run on the mini base, sane values (never timings)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.coldstart import run

MINI = Path(__file__).parent / "fixtures" / "mini"


def test_coldstart_benchmark_reports_every_measure_on_the_mini_base() -> None:
    res = run(str(MINI), runs=1, explorer=False)
    assert res["nodes"] == 27 and res["links"] > 0
    for section in ("validate_first_load", "first_open", "reopen"):
        assert res[section]["total_cpu_s"] > 0 and res[section]["rss_mib"] > 0
        assert res[section]["peak_rss_mib"] >= res[section]["rss_mib"]
    assert res["gap_computed"]["cpu_s"] >= 0 and res["gap_persisted"]["cpu_s"] >= 0
    assert res["sparql"]["triples"] > 100
    assert res["sparql"]["build_direct_cpu_s"] > 0 and res["sparql"]["build_rdflib_cpu_s"] > 0
    assert "load average" in res["uptime_before"]
