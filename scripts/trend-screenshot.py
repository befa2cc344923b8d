"""Saves the province dashboard's monthly trend (BHYT, BHXH, BHTN coverage over the series'
24 month-ends) as docs/screenshots/10-dien-bien-theo-thang.png, from a demo workspace.

    .venv/bin/python scripts/trend-screenshot.py demo/workspace

Starts the web application on a free loopback port with a throw-away operational database,
logs in as the province analyst (demo password) and photographs the chart with Debian's
Chromium (headless, as tests/app/test_browser.py drives it).  Nothing leaves the machine.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "10-dien-bien-theo-thang.png"


def main(workspace_dir: Path) -> None:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import DEMO_PASSWORD, seed_demo_users
    from baophu.workspace import Workspace

    ws = Workspace.open(workspace_dir)
    with tempfile.TemporaryDirectory() as tmp:
        db = OperationalDB.connect(f"sqlite:///{Path(tmp) / 'op.sqlite'}")
        users = {u["role"]: u for u in seed_demo_users(ws, db=db)}
        app = create_app(ws, AppSettings(secret_key="trend-screenshot"), db=db)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                page = browser.new_page(viewport={"width": 1360, "height": 1200}, locale="vi-VN")
                page.goto(base + "/login")
                page.fill("input[name=username]", users["province_analyst"]["username"])
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                section = page.locator("section[aria-labelledby=h-trend]")
                section.locator(".chart canvas").wait_for()
                page.wait_for_timeout(800)  # the chart's animation
                OUT.parent.mkdir(parents=True, exist_ok=True)
                section.screenshot(path=str(OUT))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            db.dispose()
    print(OUT)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo/workspace"))
