"""The application in a real browser: Playwright driving Debian's Chromium (headless, no
browser download) against a uvicorn server on a free loopback port.

Each role logs in and lands on its dashboard; the administrator drills down from the
province to a commune and its potential list, filters it and downloads it; the collector
records an outcome in two clicks and sees the achievement change; a commune official is
refused the province.  With ``BAOPHU_SCREENSHOTS=1`` the main pages are saved to
``docs/screenshots/`` (the README shows them); otherwise nothing is written to the tree.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "baophu-demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(workspace: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import uvicorn

    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users

    db = OperationalDB.connect(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'op.sqlite'}")
    users = {u["role"]: u for u in seed_demo_users(workspace, db=db)}
    application = create_app(workspace, AppSettings(secret_key="browser-test"), db=db)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "users": users, "app": application}
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing (make test installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def left_login(page: Any) -> None:
    """Wait until the login form's redirect has loaded the user's first page.  The pages are
    rendered on the server and fetch nothing once loaded (no request is triggered by a page
    load), so the load event is enough; waiting for the network to stay quiet half a second
    instead cost that half second at every navigation."""
    page.wait_for_url(lambda url: not url.endswith("/login"), wait_until="load")


class Session:
    """One browser context logged in as one user; records requests leaving the machine."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(
            viewport={"width": 1360, "height": 900}, accept_downloads=True, locale="vi-VN"
        )
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith("data:"):
            self.outside.append(request.url)

    def login(self, username: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        left_login(self.page)

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)  # returns once the page has loaded

    def shot(self, name: str, height: int = 900) -> None:
        if os.environ.get("BAOPHU_SCREENSHOTS") == "1":
            SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.set_viewport_size({"width": 1360, "height": height})
            self.page.wait_for_timeout(300)  # charts resize
            self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
            self.page.set_viewport_size({"width": 1360, "height": 900})

    def close(self) -> None:
        assert not self.outside, f"requests left the machine: {self.outside}"
        assert not self.errors, f"JavaScript errors: {self.errors}"
        self.context.close()


def test_each_role_lands_on_its_dashboard(server: dict[str, Any], browser: Any) -> None:
    users = server["users"]
    expect = {
        "province_admin": ("/units/75", "Kết quả so với chỉ tiêu"),
        "province_analyst": ("/units/75", "Kết quả so với chỉ tiêu"),
        "office_staff": (
            f"/units/{users['office_staff']['scope_code']}",
            "Kết quả so với chỉ tiêu",
        ),
        "commune_official": (
            f"/units/{users['commune_official']['scope_code']}",
            "Kết quả so với chỉ tiêu",
        ),
        "collector": (f"/collectors/{users['collector']['scope_code']}", "Danh sách cần vận động"),
        "case_officer": ("/employers", "Đơn vị sử dụng lao động"),
        "appraisal_reviewer": ("/claims", "Chi khám bệnh, chữa bệnh BHYT"),
    }
    for role, (path, heading) in expect.items():
        s = Session(browser, server["url"])
        try:
            if role == "province_admin":
                s.go("/login")
                s.shot("01-dang-nhap")
            s.login(users[role]["username"])
            assert s.page.url == server["url"] + path, (role, s.page.url)
            assert s.page.get_by_text(heading).first.is_visible(), role
            assert users[role]["full_name"] in s.page.inner_text("header")
        finally:
            s.close()


def _rank_by(page: Any, indicator: str) -> None:
    """The ranking redrawn in place for ``indicator``, waited for until HTMX has put the new
    one in the page: its response arriving is not enough (the old form, still there and
    still waiting for it, ignores a change made meanwhile)."""
    old = page.query_selector("#ranking")
    with page.expect_response(lambda r: f"/ranking?ind={indicator}" in r.url):
        page.select_option("#ranking select[name=ind]", indicator)
    page.wait_for_function("old => !old.isConnected", arg=old)
    page.wait_for_function(
        "v => document.querySelector('#ranking select[name=ind]').value === v", arg=indicator
    )


def test_province_drill_down_filter_and_download(
    server: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    users = server["users"]
    s = Session(browser, server["url"])
    try:
        s.login(users["province_admin"]["username"])
        page = s.page
        # the charts are drawn (ECharts renders into a canvas) and the lowest are highlighted
        page.wait_for_selector(".chart canvas")
        assert page.locator("table.ranking tr.low").count() >= 1
        s.shot("02-tinh", height=1900)
        # ranking by another indicator, in place (HTMX)
        _rank_by(page, "compulsory_participants")
        # drill down: province → commune → potential list
        commune = users["commune_official"]["scope_code"]
        _rank_by(page, "bhyt_rate")
        page.wait_for_selector("#ranking table.ranking")
        page.locator(f"#ranking a[href='/units/{commune}']").click()
        page.wait_for_url(f"**/units/{commune}", wait_until="load")
        assert page.locator("nav.crumbs a[href='/units/75']").count() == 1
        s.shot("03-xa", height=1500)
        page.get_by_role("link", name="Danh sách tiềm năng").first.click()
        page.wait_for_url(f"**/units/{commune}/potential", wait_until="load")
        total_before = page.locator(".pager span").first.inner_text()
        with page.expect_response(lambda r: "/potential?" in r.url and "reason=" in r.url):
            page.select_option("form.filters select[name=reason]", index=1)
        page.wait_for_function("() => location.search.includes('reason=')")
        assert page.locator(".pager span").first.inner_text() != total_before
        assert "********" in page.inner_text(
            "#potential-table"
        )  # the administrator sees masked IDs
        s.shot("04-danh-sach-tiem-nang")
        with page.expect_download() as info:
            page.get_by_role("link", name="Tải danh sách (xlsx)").click()
        path = tmp_path / "list.xlsx"
        info.value.save_as(path)
        assert path.stat().st_size > 2000 and path.read_bytes()[:2] == b"PK"
        # targets page and the employers
        s.go("/targets")
        s.shot("07-chi-tieu")
    finally:
        s.close()


def test_collector_records_an_outcome_in_two_clicks(server: dict[str, Any], browser: Any) -> None:
    users = server["users"]
    s = Session(browser, server["url"])
    try:
        s.login(users["collector"]["username"])
        page = s.page
        enrolled = page.locator("[data-testid=enrolled]")
        before = int(enrolled.inner_text())
        row = page.locator("tr[data-row]").nth(1)
        row_id = row.get_attribute("id")
        row.locator("summary").click()  # click 1: open the row's outcome menu
        row.locator("button[data-outcome=enrolled]").click()  # click 2: the outcome
        page.wait_for_function(
            "b => Number(document.querySelector('[data-testid=enrolled]').textContent) === b + 1",
            arg=before,
        )
        assert page.locator(f"#{row_id} .tag-enrolled").is_visible()
        assert int(enrolled.inner_text()) == before + 1
        s.shot("05-nhan-vien-thu")
        # the download of their own list
        with page.expect_download() as info:
            page.get_by_role("link", name="Tải danh sách của tôi (xlsx)").click()
        assert info.value.suggested_filename.endswith(".xlsx")
        # another collector's page is refused, and the refusal keeps the menu
        resp = s.go("/units/75")
        assert resp.status == 403 and page.get_by_text("Không có quyền truy cập").is_visible()
        assert page.get_by_role("link", name="Danh sách của tôi").is_visible()
    finally:
        s.close()


def test_out_of_scope_is_refused_and_employers_work(
    server: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    users = server["users"]
    s = Session(browser, server["url"])
    try:
        s.login(users["commune_official"]["username"])
        resp = s.go("/units/75")
        assert resp.status == 403
        assert s.page.get_by_text("Không có quyền truy cập").is_visible()
        s.shot("08-ngoai-pham-vi")
    finally:
        s.close()
    s = Session(browser, server["url"])
    try:
        s.login(users["case_officer"]["username"])
        page = s.page
        with page.expect_response(lambda r: "sort=score" in r.url):
            page.select_option("form.filters select[name=sort]", "score")
        page.wait_for_function("() => location.search.includes('sort=score')")
        s.shot("06-don-vi-su-dung-lao-dong")
        page.locator("#employer-table tbody a").first.click()
        page.wait_for_url("**/employers/*", wait_until="load")
        assert page.get_by_text("Diễn biến theo tháng").is_visible()
        s.shot("09-mot-don-vi")
        with page.expect_download() as info:
            page.get_by_role("button", name="Tải PDF").click()
        path = tmp_path / "notice.pdf"
        info.value.save_as(path)
        assert path.read_bytes()[:4] == b"%PDF"
    finally:
        s.close()


PHONE = {"width": 390, "height": 844}


def test_the_collectors_page_works_on_a_phone(server: dict[str, Any], browser: Any) -> None:
    """A collector in the field, on a 390 × 844 phone: the page never scrolls sideways, every
    row's "Ghi kết quả" is inside the screen, and an outcome is recorded in two taps."""
    users = server["users"]
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    try:
        page.goto(server["url"] + "/login")
        page.fill("input[name=username]", users["collector"]["username"])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        left_login(page)
        assert "/collectors/" in page.url

        def width() -> int:
            return int(page.evaluate("document.documentElement.scrollWidth"))

        assert width() <= PHONE["width"], f"the page is {width()} px wide on a 390 px phone"
        summaries = page.locator("tr[data-row] summary")
        assert summaries.count() > 0
        for i in range(min(summaries.count(), 10)):
            box = summaries.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"], (i, box)
        row = page.locator("tr[data-row]").first
        row_id = row.get_attribute("id")
        row.locator("summary").tap()  # tap 1: the row's outcome menu
        button = row.locator("button[data-outcome=contacted]")
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 40  # a finger-sized target
        assert width() <= PHONE["width"]  # the open menu does not widen the page
        button.tap()  # tap 2: the outcome
        page.wait_for_selector(f"#{row_id} .tag", timeout=10_000)
        assert page.locator(f"#{row_id} .tag").inner_text() == "Đã liên hệ"
        assert width() <= PHONE["width"]
        # their hamlet's dashboard and the potential list fit the phone too
        hamlet = page.locator("select[name=hamlet] option").nth(1).get_attribute("value")
        for path in (f"/units/{hamlet}", f"/units/{hamlet}/potential"):
            page.goto(server["url"] + path)
            assert width() <= PHONE["width"], (path, width())
    finally:
        context.close()
