"""Screenshot every explorer page with headless Chromium → docs/screenshots/<page>.png.

Usage: python scripts/screenshots.py [--evidence DIR] [--out docs/screenshots]
Starts the app on a free 127.0.0.1 port (shipped evidence base by default), opens each page in
a state that shows what it is for, waits for its content, and saves a PNG for the README.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from explorer.app import create_app
from explorer.browser import ServerThread, chrome

ROOT = Path(__file__).resolve().parents[1]
#: the phone viewport of --phone (CSS pixels)
PHONE = (390, 844)

#: name, URL, CSS selector whose text must appear, text it must contain
SHOTS = (
    ("home", "/", "#journeys-title", "Start here"),
    ("explore", "/explore?node=risk:foster-care-placement&sel=harm:domestic-minor-sex-trafficking",
     "#explore-panel", "Evidence"),
    ("paths", "/paths?from=risk:foster-care-placement&to=Intervention&hops=4",
     "#paths-list", "claim"),
    ("intersections", "/intersections?a=harm:intimate-partner-violence&b=harm:sex-trafficking"
     "&via=ControlTactic", "#inter-lists", "Shared by both"),
    ("gaps", "/gaps?rows=Harm&cols=PreventionStrategy&hide=1&sort=coverage"
     "&cell=harm:domestic-minor-sex-trafficking~strat:early-intervention", "#gaps-cell",
     "Interventions curated"),
    ("evidence", "/evidence?figures=1", "#ev-count", "claims"),
    ("evidence-claim", "/evidence/claim/ncap-79-percent-economic-abuse", "#claim-links",
     "Links it supports"),
    ("evidence-citation", "/evidence/citation/uroc-roundtable-2018", "#citation-study",
     "Method"),
    ("about", "/about", "main", "How to cite"),
    ("present", "/paths?from=risk:foster-care-placement&to=Intervention&present=1&step=2",
     "#paths-step-caption", "Hop"),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--evidence", default=None)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--only", default="", help="comma-separated shot names (default: all)")
    ap.add_argument("--phone", action="store_true",
                    help="390x844 viewport (a phone); files are named <name>-phone.png")
    args = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_app("embedded", args.evidence)
    with ServerThread(app.server) as srv:
        driver = chrome(1400, 1000)
        if args.phone:  # the viewport itself, not the window (which adds browser chrome)
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 1, "mobile": False})
        try:
            only = {x.strip() for x in args.only.split(",") if x.strip()}
            failed: list[str] = []
            for name, url, sel, text in SHOTS:
                if only and name not in only:
                    continue
                driver.get(srv.url + url)
                try:
                    WebDriverWait(driver, 30).until(
                        EC.text_to_be_present_in_element((By.CSS_SELECTOR, sel), text))
                except TimeoutException:
                    failed.append(name)
                    print(f"WARNING {name}: {sel!r} never showed {text!r}; saved as it is")
                time.sleep(1.5)  # let Cytoscape finish its layout
                path = out / f"{name}{'-phone' if args.phone else ''}.png"
                driver.save_screenshot(str(path))
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        finally:
            driver.quit()
    if failed:
        raise SystemExit(f"pages that did not reach their state: {', '.join(failed)}")


if __name__ == "__main__":
    main()
