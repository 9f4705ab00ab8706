"""Set-up from a fresh clone: lock files, the venv scripts, licence and contributor docs.

The end-to-end run (a fresh ``git clone`` + ``bash scripts/serve.sh`` / ``scripts/test.sh`` with
Debian's /usr/bin/python3) is too slow for the suite; these tests hold the pieces it rests on.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
APP_LOCK = ROOT / "requirements" / "app.lock"
TEST_LOCK = ROOT / "requirements" / "test.lock"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _req_name(req: str) -> str:
    return _norm(re.match(r"[A-Za-z0-9_.\-]+", req.strip()).group(0))


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locked(path: Path) -> dict[str, list[str]]:
    """name -> pinned versions (a universal lock may pin two, one per Python range)."""
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", line)
        if m:
            out.setdefault(_norm(m.group(1)), []).append(m.group(2))
    return out


def _hash_blocks(path: Path) -> list[str]:
    return re.split(r"\n(?=[A-Za-z0-9])", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("lock", "groups"),
    [(APP_LOCK, ["serve"]), (TEST_LOCK, ["dev", "serve"])],
    ids=["app", "test"],
)
def test_lock_covers_pyproject(lock: Path, groups: list[str]) -> None:
    """Adding a dependency to pyproject.toml without `bash scripts/lock.sh` fails here."""
    project = _pyproject()["project"]
    wanted = [r for r in project["dependencies"]]
    for g in groups:
        wanted += project["optional-dependencies"][g]
    locked = _locked(lock)
    missing = sorted({_req_name(r) for r in wanted} - set(locked))
    assert not missing, f"{lock.name} lacks {missing}: run `bash scripts/lock.sh` and commit it"
    from packaging.requirements import Requirement

    for raw in wanted:  # and every pinned version satisfies pyproject's range
        req = Requirement(raw)
        for version in locked[_norm(req.name)]:
            assert req.specifier.contains(version, prereleases=True), (
                f"{lock.name} pins {req.name}=={version}, outside {raw!r}: run "
                "`bash scripts/lock.sh`")


@pytest.mark.parametrize("lock", [APP_LOCK, TEST_LOCK], ids=["app", "test"])
def test_every_pin_has_hashes(lock: Path) -> None:
    blocks = [b for b in _hash_blocks(lock) if re.match(r"[A-Za-z0-9_.\-]+==", b)]
    assert blocks
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_app_env_keeps_urllib3_2_and_no_test_tools() -> None:
    """selenium 4.2 (capped by dash[testing]) needs urllib3 1.26: it must stay in the test env."""
    app = _locked(APP_LOCK)
    for tool in ("selenium", "pytest", "dash-testing-stub", "ruff", "mypy"):
        assert tool not in app, tool
    assert all(int(v.split(".")[0]) >= 2 for v in app["urllib3"]), app["urllib3"]
    assert "selenium" in _locked(TEST_LOCK)
    assert "gunicorn" in app  # the Docker image serves with it


def test_shared_pins_agree_between_locks() -> None:
    """The tests exercise the same runtime versions the app runs (urllib3 aside)."""
    app, test = _locked(APP_LOCK), _locked(TEST_LOCK)
    differ = {n: (app[n], test[n]) for n in app if n in test and app[n] != test[n]}
    assert set(differ) <= {"urllib3"}, differ


def test_scripts_never_pip_install_outside_a_venv() -> None:
    for name in ("serve.sh", "test.sh", "lib/venv.sh"):
        text = (SCRIPTS / name).read_text(encoding="utf-8")
        for line in text.splitlines():
            if re.search(r"\bpip3? install\b", line) and not line.lstrip().startswith("#"):
                assert '"$dir/bin/python" -m pip' in line, f"{name}: {line.strip()}"
    venv_sh = (SCRIPTS / "lib" / "venv.sh").read_text(encoding="utf-8")
    assert "--require-hashes" in venv_sh and "-m venv" in venv_sh
    assert "requirements/app.lock" in (SCRIPTS / "serve.sh").read_text(encoding="utf-8")
    assert "requirements/test.lock" in (SCRIPTS / "test.sh").read_text(encoding="utf-8")


def test_scripts_parse() -> None:
    for path in [*SCRIPTS.glob("*.sh"), *SCRIPTS.glob("lib/*.sh"), ROOT / ".ci" / "run"]:
        subprocess.run(["bash", "-n", str(path)], check=True)


def test_venvs_are_ignored_and_outside_the_packages() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".venv/" in ignored and ".venv-test/" in ignored
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(re.fullmatch(p.replace("*", ".*"), ".venv") for p in include)
    docker_ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert ".venv" in docker_ignored and ".venv-test" in docker_ignored


def _fake_bin(tmp_path: Path, python_body: str) -> tuple[Path, Path]:
    """A PATH with only the tools venv.sh needs, no apt-get, and a fake python."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("grep", "rm", "id", "cat", "printf"):
        real = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True,
                              text=True).stdout.strip()
        if real.startswith("/"):
            (bindir / tool).symlink_to(real)
    fake = bindir / "python3"
    fake.write_text("#!/bin/bash\n" + python_body)
    fake.chmod(0o755)
    return bindir, fake


def _run_venv_sh(bindir: Path, snippet: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", "-c", f"source {SCRIPTS / 'lib' / 'venv.sh'}; {snippet}"],
        capture_output=True, text=True, env={"PATH": str(bindir), "HOME": os.environ["HOME"]},
        timeout=30,
    )


def test_missing_venv_module_says_how_to_fix(tmp_path: Path) -> None:
    """Debian's python3 without python3-venv: one message naming the packages to install."""
    body = (
        'case "$*" in\n'
        '  *"-m venv"*) echo "The virtual environment was not created successfully because'
        ' ensurepip is not available. On Debian/Ubuntu systems, you need to install the'
        ' python3-venv package"; exit 1;;\n'
        '  *"-c"*) [[ "$2" == *version_info\\[:2\\]* ]] && echo 3.11; exit 0;;\n'
        "esac\n"
    )
    bindir, fake = _fake_bin(tmp_path, body)
    res = _run_venv_sh(bindir, f"_make_venv {tmp_path / 'venv'} {fake}")
    assert res.returncode == 1
    assert "sudo apt-get install python3-venv python3.11-venv" in res.stderr
    assert not (tmp_path / "venv").exists()  # no half-made venv left to "reuse" next time


def test_too_old_python_is_refused(tmp_path: Path) -> None:
    bindir, fake = _fake_bin(tmp_path, "exit 1\n")  # sys.version_info < (3, 11)
    res = _run_venv_sh(bindir, f"PYTHON={fake} find_python")
    assert res.returncode == 1
    assert "not a Python >= 3.11" in res.stderr


def test_license_is_mit_everywhere() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted" in text
    assert _pyproject()["project"]["license"] == {"text": "MIT"}
    assert re.search(r"^license: MIT$", (ROOT / "CITATION.cff").read_text(), re.M)


def test_contributor_docs() -> None:
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for must in ("scripts/test.sh", "scripts/serve.sh", "docs/curation.md", "pytest",
                 "scripts/lock.sh", "-k"):
        assert must in contributing, must
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = _pyproject()["project"]["version"]
    assert f"[{version}]" in changelog and "[Unreleased]" in changelog
