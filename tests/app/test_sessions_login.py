"""Sessions and login (issue 11, items 7–9): logging out ends the session even for a saved
copy of the cookie; the per-address throttle is not reset by a successful login and works
behind a trusted reverse proxy; the login answers the same for known and unknown names and
slows down instead of locking anyone out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, csrf_of, login


@pytest.fixture
def fresh_app(workspace: Any, tmp_path: Any) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    """An application of its own (own operational database, own throttle), behind a reverse
    proxy at 10.0.0.1."""
    from baophu.app.main import AppSettings, create_app
    from baophu.operational.db import OperationalDB
    from baophu.operational.users import seed_demo_users

    db = OperationalDB.connect(f"sqlite:///{tmp_path / 'op.sqlite'}")
    users = {u["role"]: u for u in seed_demo_users(workspace, db=db)}
    application = create_app(
        workspace,
        AppSettings(watch=False, secret_key="t", trusted_proxies=("10.0.0.1",)),
        db=db,
    )
    with TestClient(application, follow_redirects=False):
        yield application, db, users
    db.dispose()


def _client(app: Any, address: str = "203.0.113.7") -> TestClient:
    return TestClient(app, follow_redirects=False, client=(address, 40000))


def test_logout_ends_the_session_for_a_saved_cookie_too(fresh_app: Any) -> None:
    app, _, users = fresh_app
    c = _client(app)
    assert login(c, users["province_analyst"]["username"]).status_code == 303
    assert c.get("/units/75").status_code == 200
    saved = dict(c.cookies)  # what an attacker copied from the browser
    token = csrf_of(c.get("/units/75").text)
    assert c.post("/logout", data={"csrf_token": token}).status_code == 303
    replay = _client(app)
    replay.cookies.update(saved)
    r = replay.get("/units/75")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # logging in again works, with a new session
    again = _client(app)
    assert login(again, users["province_analyst"]["username"]).status_code == 303
    assert again.get("/units/75").status_code == 200


def test_a_successful_login_does_not_reset_the_address_throttle(fresh_app: Any) -> None:
    """57 guesses from one address, with a login into the attacker's own account every 19:
    the address is refused at the 20th failure all the same."""
    app, _, users = fresh_app
    attacker = _client(app, "198.51.100.9")
    for i in range(19):
        assert login(attacker, f"victim{i}", "guess").status_code == 401
    assert login(attacker, users["collector"]["username"]).status_code == 303  # own account
    r = login(_client(app, "198.51.100.9"), "victim0", "guess")  # the 20th failure
    assert r.status_code == 401
    r = login(_client(app, "198.51.100.9"), users["office_staff"]["username"])
    assert r.status_code == 429 and "Quá nhiều lần" in r.text
    # another address is not affected
    assert (
        login(_client(app, "198.51.100.10"), users["office_staff"]["username"]).status_code == 303
    )


def test_the_throttle_uses_the_client_behind_a_trusted_proxy(fresh_app: Any) -> None:
    """Behind the reverse proxy every request comes from its address; the throttle counts the
    client that X-Forwarded-For names — but only when the proxy is a trusted one."""
    app, _, users = fresh_app

    def via_proxy(client_ip: str, proxy: str = "10.0.0.1") -> TestClient:
        c = _client(app, proxy)
        c.headers["X-Forwarded-For"] = f"1.2.3.4, {client_ip}"  # the first entry is forged
        return c

    for i in range(20):
        assert login(via_proxy("192.0.2.50"), f"nobody{i}", "x").status_code == 401
    assert login(via_proxy("192.0.2.50"), users["collector"]["username"]).status_code == 429
    # another client behind the same proxy still gets in
    assert login(via_proxy("192.0.2.51"), users["collector"]["username"]).status_code == 303
    # an untrusted peer's X-Forwarded-For is ignored: it is counted by its own address
    for i in range(20):
        login(via_proxy("192.0.2.60", proxy="198.18.0.1"), f"nobody{i}", "x")
    assert login(via_proxy("192.0.2.61", proxy="198.18.0.1"), "nobody", "x").status_code == 429
    assert login(_client(app, "198.18.0.2"), users["collector"]["username"]).status_code == 303


def test_client_address_from_forwarded_for() -> None:
    from starlette.requests import Request

    from baophu.app.auth import client_address, parse_networks

    def request(peer: str, forwarded: str | None) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return Request({"type": "http", "client": (peer, 1), "headers": headers})

    trusted = parse_networks(["10.0.0.0/8", "::1"])
    assert client_address(request("10.1.2.3", "1.1.1.1, 192.0.2.5"), trusted) == "192.0.2.5"
    # proxies chained inside the trusted network are skipped
    assert client_address(request("10.1.2.3", "192.0.2.5, 10.9.9.9"), trusted) == "192.0.2.5"
    # an untrusted peer: its own address, whatever it claims
    assert client_address(request("192.0.2.7", "10.0.0.1"), trusted) == "192.0.2.7"
    assert client_address(request("10.1.2.3", None), trusted) == "10.1.2.3"
    assert client_address(request("192.0.2.7", "1.1.1.1"), ()) == "192.0.2.7"
    with pytest.raises(ValueError):
        parse_networks(["not-an-address"])


def _answer(app: Any, address: str, name: str) -> tuple[int, str]:
    r = login(_client(app, address), name, "wrong-password")
    text = r.text.replace(f'value="{name}"', 'value=""')
    import re

    text = re.sub(r'name="csrf_token" value="[^"]+"', "", text)
    return r.status_code, text


def test_known_and_unknown_names_get_the_same_answers(fresh_app: Any) -> None:
    app, _, users = fresh_app
    known = users["office_staff"]["username"]
    answers_known = [_answer(app, "192.0.2.20", known) for _ in range(6)]
    answers_unknown = [_answer(app, "192.0.2.21", "khong-co-ai") for _ in range(6)]
    assert answers_known == answers_unknown
    statuses = [s for s, _ in answers_known]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429  # slowed, for both alike


def test_nobody_can_lock_out_a_known_account(fresh_app: Any) -> None:
    from baophu.app.auth import next_delay

    app, _, users = fresh_app
    victim = users["commune_official"]["username"]
    for _ in range(12):
        login(_client(app, "192.0.2.30"), victim, "guess")
    # the owner, from their own address, gets in at once
    assert login(_client(app, "192.0.2.31"), victim, PASSWORD).status_code == 303
    # the attacker's address waits longer and longer, never for ever
    assert [next_delay(n) for n in range(1, 9)] == [0, 0, 0, 0, 1, 2, 4, 8]
    assert next_delay(40) == 15 * 60
