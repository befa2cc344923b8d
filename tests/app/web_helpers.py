"""What the web tests share besides fixtures: the demo password, logging in, and the CSRF
token of a page.  A plain module (not ``conftest``), so that importing it never picks up
another folder's ``conftest.py``."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "baophu-demo"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def page_csrf(client: Any, url: str = "/") -> str:
    """The CSRF token of the client's session (from any page with a form)."""
    r = client.get(url, follow_redirects=True)
    return csrf_of(r.text)
