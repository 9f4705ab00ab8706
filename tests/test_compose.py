"""Static checks of docker-compose.yml, Dockerfile, .dockerignore and .env.example.

No Docker engine is needed: the files are parsed and cross-checked against the repo.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def _load_yaml(path: Path) -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:  # pragma: no cover - depends on the environment
        import yaml

        return yaml.safe_load(path.read_text(encoding="utf-8"))
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = _load_yaml(COMPOSE)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return shlex.split(value)
    return [str(v) for v in value]


def test_three_services(services: dict[str, Any]) -> None:
    assert {"neo4j", "loader", "explorer"} <= set(services)


def test_neo4j_service(services: dict[str, Any], compose: dict[str, Any]) -> None:
    neo = services["neo4j"]
    # the exact patch release the test server (scripts/neo4j/pom.xml) runs
    pom = (ROOT / "scripts" / "neo4j" / "pom.xml").read_text(encoding="utf-8")
    version = re.search(r"<neo4j.version>([\d.]+)</neo4j.version>", pom).group(1)
    assert neo["image"] == f"neo4j:{version}-community"
    assert "neo4j-data:/data" in neo["volumes"]
    assert "neo4j-data" in compose["volumes"]
    assert _env(neo)["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:?")
    # The image maps NEO4J_* variables to config settings; the password must not leak in.
    assert "env_file" not in neo
    assert "NEO4J_PASSWORD" not in _env(neo)
    test = " ".join(_as_list(neo["healthcheck"]["test"]))
    assert "cypher-shell" in test and "-u neo4j" in test
    assert "$NEO4J_PASSWORD" in test and "RETURN 1" in test


def test_loader_service(services: dict[str, Any]) -> None:
    loader = services["loader"]
    assert _as_list(loader["command"]) == ["intersections", "load", "--neo4j"]
    assert loader["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert str(loader["restart"]) == "no"
    env = _env(loader)
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert env["NEO4J_USERNAME"] == "neo4j"
    assert env["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")
    assert loader["healthcheck"] == {"disable": True}  # one-shot: no HTTP server to check


def test_explorer_service(services: dict[str, Any]) -> None:
    explorer = services["explorer"]
    cmd = _as_list(explorer["command"])
    # gunicorn (never Flask's development server), the same command as the image's CMD
    assert cmd[0] == "gunicorn" and cmd[-1] == "explorer.wsgi:server"
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8050"
    assert cmd == json.loads([rest for word, rest in _dockerfile_instructions()
                              if word == "CMD"][-1])
    assert _env(explorer)["INTERSECTIONS_BACKEND"] == "neo4j"
    assert explorer["ports"] == ["127.0.0.1:8050:8050"]
    assert explorer["depends_on"]["loader"]["condition"] == "service_completed_successfully"
    assert _env(explorer)["NEO4J_URI"] == "bolt://neo4j:7687"
    # loader and explorer run the same image
    assert explorer.get("image") == services["loader"].get("image")


def test_ports_bind_to_loopback_only(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        for port in svc.get("ports", []):
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", (name, port)
            else:
                assert str(port).startswith("127.0.0.1:"), (name, port)


def test_no_password_literal_in_compose() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    placeholder = re.search(r"^NEO4J_PASSWORD=(.*)$", example, re.M).group(1).strip()
    assert placeholder not in text
    # NEO4J_AUTH / NEO4J_PASSWORD values must come from variable substitution.
    for line in text.splitlines():
        m = re.match(r"\s*-?\s*(NEO4J_AUTH|NEO4J_PASSWORD)\s*[:=]\s*(.+)$", line)
        if m:
            assert "${NEO4J_PASSWORD" in m.group(2), line
    assert not re.search(r"neo4j/(?!\$\{)\w", text), "literal neo4j/<password>"


def test_env_files() -> None:
    example = ROOT / ".env.example"
    assert example.is_file()
    assert re.search(r"^NEO4J_PASSWORD=\S+", example.read_text(encoding="utf-8"), re.M)
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored or "/.env" in ignored


def test_build_context_and_dockerfile(services: dict[str, Any]) -> None:
    for name in ("loader", "explorer"):
        build = services[name].get("build")
        if build is None:
            continue
        context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
        assert context.is_dir(), name
        dockerfile = (
            "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        )
        assert (context / dockerfile).is_file(), name
    assert any(services[n].get("build") for n in ("loader", "explorer"))


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_shape() -> None:
    ins = _dockerfile_instructions()
    word, base = ins[0]
    # an exact Python patch release and Debian release (a digest may follow), never floating
    assert word == "FROM" and re.fullmatch(
        r"python:3\.1[1-9]\.\d+-slim-(bookworm|trixie)(@sha256:[0-9a-f]{64})?", base), base
    runs = [rest for word, rest in ins if word == "RUN"]
    # dependencies exactly from the lock, hash-checked; then the app without resolving anything
    assert any("--require-hashes" in r and "-r requirements/app.lock" in r and "--no-deps" in r
               for r in runs)
    assert any("pip install --no-cache-dir --no-deps ." in r for r in runs)
    users = [rest for word, rest in ins if word == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert ("EXPOSE", "8050") in ins
    cmd = json.loads([rest for word, rest in ins if word == "CMD"][-1])
    assert cmd[0] == "gunicorn" and "explorer.wsgi:server" in cmd and "0.0.0.0:8050" in cmd
    health = " ".join(rest for word, rest in ins if word == "HEALTHCHECK")
    assert "127.0.0.1:8050" in health and "CMD" in health
    assert ("ENTRYPOINT", '["intersections-entrypoint"]') in ins


def test_the_workspace_is_a_volume(services: dict[str, Any]) -> None:
    """Edit on the host, `docker compose run --rm loader`, see the change."""
    ins = _dockerfile_instructions()
    assert ("VOLUME", '["/workspace"]') in ins
    assert any(w == "ENV" and "INTERSECTIONS_WORKSPACE=/workspace" in r for w, r in ins)
    for name in ("loader", "explorer"):
        svc = services[name]
        assert any(str(v).endswith(":/workspace") for v in svc["volumes"]), name
        assert _env(svc)["INTERSECTIONS_WORKSPACE"] == "/workspace"
        assert svc["user"].startswith("${INTERSECTIONS_UID")
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "/workspace/" in ignored


def test_every_package_and_command_is_in_the_image() -> None:
    """The image holds every top-level package pyproject ships (cli, benchmarks → `bench`)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = project["tool"]["setuptools"]["packages"]["find"]["include"]
    tops = {p.rstrip("*") for p in include}
    copied = {shlex.split(rest)[0].rstrip("/") for word, rest in _dockerfile_instructions()
              if word == "COPY"}
    assert tops <= copied, tops - copied
    assert "benchmarks" in tops and "cli" in tops


def test_dockerfile_copy_sources_exist() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    copied = set()
    for word, rest in _dockerfile_instructions():
        if word not in {"COPY", "ADD"}:
            continue
        args = [a for a in shlex.split(rest) if not a.startswith("--")]
        for src in args[:-1]:
            copied.add(src.rstrip("/"))
            assert (ROOT / src).exists(), f"Dockerfile copies {src!r}, missing from the repo"
            assert src.rstrip("/") not in ignored, f"{src!r} is excluded by .dockerignore"
    assert {"pyproject.toml", "README.md", "graph", "ontology", "loaders", "explorer"} <= copied


def test_dockerignore_keeps_secrets_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and ".git" in ignored and "workspace" in ignored


ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


def _placeholder() -> str:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.search(r"^NEO4J_PASSWORD=(.*)$", example, re.M).group(1).strip()


def _entrypoint(env: dict[str, str], *cmd: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    return subprocess.run(["sh", str(ENTRYPOINT), *cmd], capture_output=True, text=True,
                          env={"PATH": path, "HOME": str(ROOT), **env}, timeout=120)


def test_entrypoint_refuses_the_placeholder_password(tmp_path: Path) -> None:
    text = ENTRYPOINT.read_text(encoding="utf-8")
    assert f'PLACEHOLDER="{_placeholder()}"' in text  # the script and .env.example agree
    res = _entrypoint({"NEO4J_PASSWORD": _placeholder(), "INTERSECTIONS_BACKEND": "neo4j"},
                      "touch", str(tmp_path / "ran"))
    assert res.returncode == 64 and "placeholder" in res.stderr
    assert not (tmp_path / "ran").exists()
    res = _entrypoint({"INTERSECTIONS_BACKEND": "neo4j"}, "touch", str(tmp_path / "ran"))
    assert res.returncode == 64 and "NEO4J_PASSWORD is empty" in res.stderr
    assert not (tmp_path / "ran").exists()


def test_entrypoint_makes_the_workspace_then_runs_the_command(tmp_path: Path) -> None:
    ws = tmp_path / "workspace"
    ws.mkdir()
    env = {"NEO4J_PASSWORD": "a-real-long-password", "INTERSECTIONS_BACKEND": "neo4j",
           "INTERSECTIONS_WORKSPACE": str(ws)}
    res = _entrypoint(env, "touch", str(tmp_path / "ran"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "ran").exists()
    config = (ws / "intersections.toml").read_text(encoding="utf-8")
    assert 'kind = "neo4j"' in config and "bolt://neo4j:7687" in config
    assert "a-real-long-password" not in config
    res = _entrypoint(env, "true")  # second start: the workspace is kept as it is
    assert res.returncode == 0 and (ws / "intersections.toml").read_text() == config


def test_neo4j_service_is_locked_for_the_console(services: dict[str, Any]) -> None:
    """The same server lock as scripts/neo4j/Neo4jTestServer.java (issue 14 item 3)."""
    env = services["neo4j"]["environment"]
    assert env["NEO4J_dbms_security_allow__csv__import__from__file__urls"] == "false"
    assert env["NEO4J_internal_dbms_cypher__ip__blocklist"] == "0.0.0.0/0,::/0"
    allow = env["NEO4J_dbms_security_procedures_allowlist"].split(",")
    assert "db.labels" in allow and not any(a.startswith(("apoc", "gds", "dbms.*")) for a in allow)
    java = (ROOT / "scripts" / "neo4j" / "Neo4jTestServer.java").read_text(encoding="utf-8")
    for name in allow:
        assert f'"{name}"' in java  # test server and compose lock the same list
