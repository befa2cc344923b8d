"""Who is asking: passwords, sessions, CSRF tokens and login throttling.

* Passwords are hashed with Argon2id (``argon2-cffi``'s defaults); a hash made with older
  parameters is upgraded at the next successful login.
* The session is a signed cookie (Starlette's ``SessionMiddleware``, itsdangerous):
  HttpOnly, SameSite=Lax, ``Secure`` when the server is behind HTTPS (``https_only``), at most
  8 hours old.  It holds the user's id, a fingerprint of their password hash (changing the
  password or disabling the user ends every session at the next request) and the CSRF token.
* Every POST carries the session's CSRF token, as the form field ``csrf_token`` or the header
  ``X-CSRF-Token`` (HTMX requests send the header, set once on ``<body>``); a missing or wrong
  token is refused with 403 before the route runs.  The login form has one too (the session
  exists before login).
* Login throttling: 5 failed passwords lock the user for 15 minutes (kept in the database, so
  it holds across restarts and workers); 20 failures from one address within 15 minutes
  refuse that address for the rest of the window (kept in memory).  Unknown users cost the
  same hashing time as known ones, and the message does not say which part was wrong.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import select

from baophu.operational import User
from baophu.operational.db import OperationalDB
from baophu.operational.models import utcnow
from baophu.operational.users import hash_password, password_hasher

USER_MAX_FAILURES = 5
USER_LOCK = dt.timedelta(minutes=15)
IP_MAX_FAILURES = 20
IP_WINDOW_SECONDS = 15 * 60
SESSION_MAX_AGE = 8 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
USER_CACHE_SECONDS = 2.0


@functools.cache
def _dummy_hash() -> str:
    return hash_password("baophu-dummy-password")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(password_hasher().verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def fingerprint(password_hash: str) -> str:
    """A short digest of the password hash, kept in the session (not the hash itself)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class NotAuthenticated(Exception):
    """No valid session: pages redirect to the login form, HTMX and POST get 401."""


class Forbidden(Exception):
    """The user may not see or do this (403)."""

    def __init__(self, message: str = "Bạn không có quyền xem nội dung này.") -> None:
        super().__init__(message)
        self.message = message


class CsrfError(Exception):
    """A POST without the session's CSRF token (403)."""


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as the routes see them."""

    id: int
    username: str
    full_name: str
    role: str
    scope_code: str | None


# ----------------------------------------------------------------------------- throttling


class LoginThrottle:
    """Failed logins per client address within a sliding window (in memory)."""

    def __init__(self, limit: int = IP_MAX_FAILURES, window: float = IP_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, ip: str, now: float) -> deque[float]:
        q = self._failures.setdefault(ip, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, ip: str) -> bool:
        with self._lock:
            return len(self._prune(ip, time.monotonic())) >= self.limit

    def failed(self, ip: str) -> None:
        with self._lock:
            self._prune(ip, time.monotonic()).append(time.monotonic())

    def succeeded(self, ip: str) -> None:
        with self._lock:
            self._failures.pop(ip, None)


@dataclass
class LoginResult:
    ok: bool
    user: User | None = None
    reason: str = ""  # "" | "invalid" | "locked" | "ip_blocked" | "inactive"


def attempt_login(
    db: OperationalDB, throttle: LoginThrottle, username: str, password: str, ip: str
) -> LoginResult:
    """Check a username and password, applying both throttles and recording the outcome."""
    if throttle.blocked(ip):
        return LoginResult(False, reason="ip_blocked")
    username = username.strip()
    now = utcnow()
    with db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            verify_password(_dummy_hash(), password)  # same cost as a known user
            throttle.failed(ip)
            return LoginResult(False, reason="invalid")
        if user.locked_until is not None and user.locked_until > now:
            throttle.failed(ip)
            return LoginResult(False, user=user, reason="locked")
        if not verify_password(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            if user.failed_logins >= USER_MAX_FAILURES:
                user.locked_until = now + USER_LOCK
                user.failed_logins = 0
            throttle.failed(ip)
            return LoginResult(False, user=user, reason="invalid")
        if not user.active:
            throttle.failed(ip)
            return LoginResult(False, user=user, reason="inactive")
        user.failed_logins = 0
        user.locked_until = None
        if password_hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        s.flush()
        s.expunge(user)
    throttle.succeeded(ip)
    return LoginResult(True, user=user)


LOGIN_MESSAGES = {
    "invalid": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "locked": "Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần; thử lại sau 15 phút.",
    "ip_blocked": "Quá nhiều lần đăng nhập sai từ máy này; thử lại sau 15 phút.",
    "inactive": "Tên đăng nhập hoặc mật khẩu không đúng.",
}


# ------------------------------------------------------------------------------- sessions


def start_session(request: Request, user: User) -> None:
    """A fresh session for ``user`` (anything from before login is dropped)."""
    request.session.clear()
    request.session.update(
        {
            "uid": user.id,
            "pv": fingerprint(user.password_hash),
            "csrf": secrets.token_urlsafe(32),
            "at": int(time.time()),
        }
    )


def end_session(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also before login)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose CSRF token is missing or wrong (FastAPI dependency)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    sent: Any = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfError()


class UserCache:
    """Users by id for a couple of seconds, so a page view does not query the database
    for its session (a disabled user or a new password takes effect within that time)."""

    def __init__(self, db: OperationalDB, ttl: float = USER_CACHE_SECONDS) -> None:
        self.db = db
        self.ttl = ttl
        self._items: dict[int, tuple[float, User | None]] = {}
        self._lock = threading.Lock()

    def get(self, uid: int) -> User | None:
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(uid)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        with self.db.session() as s:
            user = s.get(User, uid)
            if user is not None:
                s.expunge(user)
        with self._lock:
            self._items[uid] = (now, user)
        return user

    def forget(self, uid: int | None = None) -> None:
        with self._lock:
            if uid is None:
                self._items.clear()
            else:
                self._items.pop(uid, None)


def viewer_from_session(request: Request, users: UserCache) -> Viewer:
    """The logged-in user, or ``NotAuthenticated``."""
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        raise NotAuthenticated()
    at = request.session.get("at")
    if not isinstance(at, int) or time.time() - at > SESSION_MAX_AGE:
        request.session.clear()
        raise NotAuthenticated()
    user = users.get(uid)
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(
            str(request.session.get("pv", "")), fingerprint(user.password_hash)
        )
    ):
        request.session.clear()
        raise NotAuthenticated()
    return Viewer(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        scope_code=user.scope_code,
    )
