"""A training room's worth of users on the explorer: gunicorn, N workers, loopback only.

``run()`` starts ``gunicorn explorer.wsgi:server`` on 127.0.0.1 with ``workers`` processes over
an evidence base (the shipped one by default), warms every worker, then drives the real Dash
callbacks through ``/_dash-update-component`` exactly as the browser posts them:

1. **Per callback**: ``users`` threads each send ``per_user`` requests of one callback at once;
   the server's CPU time (all gunicorn processes, from /proc) over the phase divided by the
   requests gives **CPU-ms per callback**; latencies give p50/p95.
2. **Mixed room**: ``users`` simulated people for ``room_seconds``, each clicking a random
   callback then thinking 0.5–1.5 s — requests/s, p95 and errors, like a room following a
   trainer.

Bounded by construction: a request cap per phase, a wall-clock budget for the whole run, a
10 s client timeout per request; the server is stopped at the end (also on errors). It refuses
any host other than 127.0.0.1. The machine's load average and core count are recorded so a
run on a shared machine can be read for what it is.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.explorer_http import _find, payload
from benchmarks.queries import latency_stats

HOST = "127.0.0.1"
SEARCHES = ["foster care", "DMST", "IPV", "runaway", "housing", "coercion", "labor", "shelter",
            "isolation", "debt"]
HARMS = ["harm:intimate-partner-violence", "harm:sex-trafficking", "harm:human-trafficking",
         "harm:labor-trafficking", "harm:domestic-minor-sex-trafficking"]
AXES = ["Harm", "RiskFactor", "Population", "PreventionStrategy"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _node_ids(evidence: str | None) -> dict[str, list[str]]:
    from graph.api import open_backend

    b = open_backend("embedded", evidence=evidence)
    ids = {}
    for cat in ("RiskFactor", "Harm", "Intervention", "Population"):
        ids[cat] = sorted(b.ids_of(frozenset({cat})))[:40]
    return ids


def plans(evidence: str | None) -> dict[str, tuple[str, list[tuple[dict[str, Any], str]]]]:
    """Callback name → (its output marker, [(input values, changed prop)])."""
    ids = _node_ids(evidence)
    starts = ids["RiskFactor"][:12] or ids["Harm"]
    nodes = (ids["RiskFactor"][:10] + ids["Harm"][:10] + ids["Intervention"][:10]) or starts
    return {
        "page": ("_pages_content.children", [
            ({"_pages_location.pathname": p, "_pages_location.search": ""},
             "_pages_location.pathname")
            for p in ("/", "/explore", "/paths", "/intersections", "/gaps", "/evidence")]),
        "search": ("explore-hits.children", [
            ({"explore-search.value": t, "explore-search-go.n_clicks": 0},
             "explore-search.value") for t in SEARCHES]),
        "neighbourhood": ('{"graph":"explore","type":"graph"}.elements', [
            ({"explore-node.data": n, "explore-types.value": [], "explore-rels.value": [],
              "explore-opened.data": [], "explore-expanded.data": []}, "explore-node.data")
            for n in nodes]),
        "node_panel": ("explore-panel.children", [
            ({"explore-selected.data": n, "explore-expanded.data": [], "explore-node.data": n},
             "explore-selected.data") for n in nodes]),
        "paths": ('{"graph":"paths","type":"graph"}.elements', [
            ({"paths-from.value": s, "paths-to.value": "Intervention", "paths-hops.value": 4,
              "paths-selected.data": 0, "paths-present.data": False, "paths-step.data": 0},
             "paths-from.value") for s in starts]),
        "intersections": ('{"graph":"intersections","type":"graph"}.elements', [
            ({"inter-a.value": a, "inter-b.value": b, "inter-via.value": "all",
              "inter-inherit.value": "on", "inter-present.data": False,
              "inter-step.data": 0}, "inter-a.value")
            for a in HARMS for b in HARMS if a < b]),
        "evidence_table": ("ev-grid.data", [
            ({"ev-q.value": q, "ev-source.value": "any", "ev-year.value": "any",
              "ev-kind.value": "any", "ev-flag.value": "any", "ev-sort.value": "source",
              "ev-desc.value": "asc", "ev-figures.value": "any"}, "ev-q.value")
            for q in ["", "foster", "partner", "youth", "housing"]]),
        "gap_map": ("gaps-figure.figure", [
            ({"gaps-rows.value": r, "gaps-cols.value": "PreventionStrategy",
              "gaps-via.value": "Intervention", "gaps-top.value": "top", "gaps-hide.value": [],
              "gaps-sort.value": "label", "gaps-selected.data": None}, "gaps-rows.value")
            for r in AXES[:3]]),
    }


def _post(url: str, body: bytes, timeout: float = 10.0) -> tuple[int, float]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError):
        status = 599
    return status, (time.perf_counter() - t) * 1000


def _server_cpu_ms(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return total * 1000 / tick


def _gunicorn_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return [master, *(int(x) for x in f.read().split())]
    except OSError:
        return [master]


def start_gunicorn(workers: int, evidence: str | None,
                   timeout: float = 300) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    port = _free_port()
    env = {**os.environ, "INTERSECTIONS_BACKEND": "embedded"}
    if evidence:
        env["INTERSECTIONS_EVIDENCE"] = evidence
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; never a pipe (a full pipe would block it)
    proc = subprocess.Popen(
        [exe, "-w", str(workers), "-b", f"{HOST}:{port}", "--timeout", "120",
         "--preload", "explorer.wsgi:server"],
        env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    base = f"http://{HOST}:{port}"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("gunicorn exited: " + log.read().decode()[-2000:])
        try:
            with urllib.request.urlopen(base + "/_dash-layout", timeout=5):
                return proc, base
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError("gunicorn did not answer in time")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _burst(url: str, bodies: list[bytes], users: int, per_user: int) -> tuple[list[float], int]:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = threading.Barrier(users)

    def user(k: int) -> None:
        nonlocal errors
        start.wait()
        for i in range(per_user):
            status, ms = _post(url, bodies[(k + i * 7) % len(bodies)])
            with lock:
                lat.append(ms)
                if status not in (200, 204):
                    errors += 1

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors


def run(*, users: int = 50, workers: int = 3, per_user: int = 2, room_seconds: float = 30.0,
        evidence: str | None = None, budget_s: float = 600.0,
        only: list[str] | None = None) -> dict[str, Any]:
    """The whole load test; returns the figures (see the module docstring)."""
    t_start = time.monotonic()
    load_before = os.getloadavg()
    proc, base = start_gunicorn(workers, evidence)
    try:
        assert base.startswith(f"http://{HOST}:"), "loopback only"
        url = base + "/_dash-update-component"
        with urllib.request.urlopen(base + "/_dash-dependencies", timeout=30) as r:
            deps = json.loads(r.read())
        pids = _gunicorn_pids(proc.pid)
        bodies: dict[str, list[bytes]] = {}
        for name, (marker, reqs) in plans(evidence).items():
            if only and name not in only:
                continue
            dep = _find(deps, marker)
            bodies[name] = [json.dumps(payload(dep, v, c)).encode() for v, c in reqs]
        # warm every worker (each opens the evidence base on its first data request)
        for _ in range(workers * 3):
            for b in bodies.values():
                _post(url, b[0], timeout=120)
        out: dict[str, Any] = {"server_pids": pids, "users": users, "workers": workers,
                               "per_user": per_user,
                               "cores": os.cpu_count(), "loadavg_before": load_before,
                               "callbacks": {}}
        for name, bs in bodies.items():
            if time.monotonic() - t_start > budget_s:
                out["stopped_early"] = f"budget of {budget_s:.0f} s reached before {name}"
                break
            cpu0, t0 = _server_cpu_ms(pids), time.perf_counter()
            lat, errors = _burst(url, bs, users, per_user)
            cpu = _server_cpu_ms(pids) - cpu0
            wall = time.perf_counter() - t0
            out["callbacks"][name] = latency_stats(lat) | {
                "requests": len(lat), "errors": errors,
                "cpu_ms_per_callback": round(cpu / max(1, len(lat)), 1),
                "requests_per_s": round(len(lat) / wall, 1)}
        if time.monotonic() - t_start < budget_s and room_seconds > 0:
            out["room"] = _room(url, bodies, users, room_seconds, pids)
        out["loadavg_after"] = os.getloadavg()
        out["seconds"] = round(time.monotonic() - t_start, 1)
        return out
    finally:
        stop(proc)


def _room(url: str, bodies: dict[str, list[bytes]], users: int, seconds: float,
          pids: list[int]) -> dict[str, Any]:
    """Mixed clicks with think time, for ``seconds``; every user clicks at least once (a
    user who wakes after the window on a loaded machine still counts) and stops by itself."""
    names = list(bodies)
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    end = time.monotonic() + seconds
    cpu0 = _server_cpu_ms(pids)

    def user(k: int) -> None:
        nonlocal errors
        rnd = random.Random(k)
        time.sleep(rnd.uniform(0, 1.0))
        first = True
        while first or time.monotonic() < end:
            first = False
            b = rnd.choice(bodies[rnd.choice(names)])
            status, ms = _post(url, b)
            with lock:
                lat.append(ms)
                if status not in (200, 204):
                    errors += 1
            time.sleep(rnd.uniform(0.5, 1.5))

    threads = [threading.Thread(target=user, args=(k,)) for k in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = _server_cpu_ms(pids) - cpu0
    return latency_stats(lat) | {"seconds": seconds, "requests": len(lat), "errors": errors,
                                 "requests_per_s": round(len(lat) / seconds, 1),
                                 "cpu_ms_per_callback": round(cpu / max(1, len(lat)), 1)}


def main() -> None:  # pragma: no cover - ``python -m benchmarks.loadtest [label]``
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--per-user", type=int, default=2)
    ap.add_argument("--room-seconds", type=float, default=30.0)
    ap.add_argument("--evidence", default=None)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--out", default=None, help="write the JSON here")
    a = ap.parse_args()
    res = run(users=a.users, workers=a.workers, per_user=a.per_user,
              room_seconds=a.room_seconds, evidence=a.evidence, only=a.only)
    text = json.dumps(res, indent=2)
    if a.out:
        Path(a.out).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":  # pragma: no cover
    main()
