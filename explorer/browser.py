"""Headless Chromium for the browser tests and the screenshot script (Debian chromium).

One place for the Chrome options this machine needs (no sandbox as root, no GPU, no network
chatter: the machine's network is closed), and a small threaded server for a built app.
"""

from __future__ import annotations

import os
import threading
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1400,1000")


def chrome_options(width: int = 1400, height: int = 1000) -> Any:
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    opts.binary_location = CHROMIUM
    for f in CHROME_FLAGS:
        opts.add_argument(f if not f.startswith("--window-size") else
                          f"--window-size={width},{height}")
    return opts


def chrome(width: int = 1400, height: int = 1000) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=chrome_options(width, height))


class ServerThread:
    """Serve a Flask/Dash server on 127.0.0.1 in a daemon thread (``with`` block)."""

    def __init__(self, flask_app: Any, port: int = 0) -> None:
        from werkzeug.serving import make_server

        self._srv = make_server("127.0.0.1", port, flask_app, threaded=True)
        self.port = self._srv.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._srv.serve_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._srv.shutdown()
