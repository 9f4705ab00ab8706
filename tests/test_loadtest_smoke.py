"""The load test (benchmarks/loadtest.py) runs end to end on loopback and stops by itself:
gunicorn starts, real callbacks answer without errors, CPU is measured, and the server is gone
afterwards. Figures live in BENCHMARKS.md, not here."""

from __future__ import annotations

import os

from benchmarks.loadtest import HOST, run
from tests.conftest import MINI


def test_small_load_test_runs_and_cleans_up() -> None:
    res = run(users=3, workers=1, per_user=1, room_seconds=1.0, evidence=str(MINI),
              only=["search", "node_panel"], budget_s=120)
    assert set(res["callbacks"]) == {"search", "node_panel"}
    for name, v in res["callbacks"].items():
        assert v["requests"] == 3 and v["errors"] == 0, name
        assert v["cpu_ms_per_callback"] >= 0
    assert res["room"]["errors"] == 0 and res["room"]["requests"] >= 3
    assert HOST == "127.0.0.1"
    # the gunicorn master and its workers are gone (stopped by run() itself)
    assert len(res["server_pids"]) == 2
    for pid in res["server_pids"]:
        assert not os.path.exists(f"/proc/{pid}") or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
