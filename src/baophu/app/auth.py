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
* The session also holds the user's session generation; logging out moves it on, so the
  cookie — even a copy saved elsewhere — stops working at once (every session of the user
  ends: logging out means logging out everywhere).
* Login throttling never locks an account: after 5 failures in a row for one user name from
  one address, each further attempt from that address waits twice as long as the last (1 s,
  2 s, 4 s … up to 15 minutes; kept in the database, so it holds across restarts and
  workers).  Someone guessing elsewhere cannot keep the owner out.  Unknown names are
  throttled exactly like known ones and cost the same hashing time, so the answer never says
  whether a name exists.  20 failures from one address within 15 minutes refuse that address
  for the rest of the window (in memory); logging in successfully does not reset it.
* The client's address is the peer's, or — only when the peer is one of the configured
  ``trusted_proxies`` — the nearest untrusted address in ``X-Forwarded-For``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import math
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from baophu.operational import User
from baophu.operational.db import OperationalDB
from baophu.operational.models import LoginThrottle as LoginAttempts
from baophu.operational.models import utcnow
from baophu.operational.users import hash_password, password_hasher

FREE_FAILURES = 5  # failures in a row (per name and address) before attempts are slowed
MAX_DELAY_SECONDS = 15 * 60
THROTTLE_KEEP = dt.timedelta(days=1)  # throttle rows older than this are dropped
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
    """Failed logins per client address within a sliding window (in memory).  A successful
    login does not clear it: an attacker cannot reset the count by logging into an account
    of their own between guesses."""

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
            if len(self._failures) > 100_000:  # bounded memory under a flood of addresses
                stale = [k for k, q in self._failures.items() if not q]
                for k in stale:
                    self._failures.pop(k, None)


@dataclass
class LoginResult:
    ok: bool
    user: User | None = None
    reason: str = ""  # "" | "invalid" | "slow_down" | "ip_blocked"
    wait_seconds: int = 0


def throttle_key(username: str) -> str:
    """The name a throttle row is kept under (what the login form sent, normalised)."""
    return username.strip().lower()[:64]


def next_delay(failures: int) -> int:
    """Seconds to wait before the next attempt after ``failures`` failures in a row: none for
    the first ``FREE_FAILURES - 1``, then 1, 2, 4, … up to 15 minutes."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def attempt_login(
    db: OperationalDB, throttle: LoginThrottle, username: str, password: str, ip: str
) -> LoginResult:
    """Check a username and password with both throttles, recording the outcome.

    The answer is the same for a known and an unknown user name (the same hashing time, the
    same failure message, the same delays: they are kept per name *as typed* and address).
    """
    if throttle.blocked(ip):
        return LoginResult(False, reason="ip_blocked")
    try:
        return _attempt(db, throttle, throttle_key(username), password, ip)
    except IntegrityError:  # two failures of the same name and address at the same moment
        throttle.failed(ip)
        return LoginResult(False, reason="invalid")


def _attempt(
    db: OperationalDB, throttle: LoginThrottle, key: str, password: str, ip: str
) -> LoginResult:
    address = ip[:64]
    now = utcnow()
    with db.session() as s:
        row = s.get(LoginAttempts, (key, address))
        if row is not None and row.next_attempt_at is not None and row.next_attempt_at > now:
            throttle.failed(ip)
            wait = math.ceil((row.next_attempt_at - now).total_seconds())
            return LoginResult(False, reason="slow_down", wait_seconds=max(1, wait))
        user = s.scalars(select(User).where(User.username == key)).one_or_none()
        if user is None:
            verify_password(_dummy_hash(), password)  # same cost as a known user
            good = False
        else:
            good = verify_password(user.password_hash, password) and bool(user.active)
        if not good:
            if row is None:
                row = LoginAttempts(username=key, address=address, failures=0)
                s.add(row)
            row.failures = (row.failures or 0) + 1
            row.last_failure_at = now
            delay = next_delay(row.failures)
            row.next_attempt_at = now + dt.timedelta(seconds=delay) if delay else None
            throttle.failed(ip)
            return LoginResult(False, reason="invalid")
        assert user is not None
        if row is not None:
            s.delete(row)
        if password_hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        s.execute(delete(LoginAttempts).where(LoginAttempts.last_failure_at < now - THROTTLE_KEEP))
        s.flush()
        s.expunge(user)
    return LoginResult(True, user=user)


LOGIN_MESSAGES = {
    "invalid": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "slow_down": "Đăng nhập sai nhiều lần; vui lòng chờ {wait} giây rồi thử lại.",
    "ip_blocked": "Quá nhiều lần đăng nhập sai từ máy này; thử lại sau 15 phút.",
}


def login_message(result: LoginResult) -> str:
    template = LOGIN_MESSAGES.get(result.reason, LOGIN_MESSAGES["invalid"])
    return template.format(wait=result.wait_seconds)


# ------------------------------------------------------------------------- client address


def parse_networks(values: Any) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``) of trusted proxies;
    ``ValueError`` names a value that is neither."""
    out = []
    for value in values or ():
        try:
            out.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"Địa chỉ máy chủ trung gian không hợp lệ: {value} / invalid proxy address: {value}"
            ) from None
    return tuple(out)


def _in(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(request: Request, trusted: tuple[Any, ...]) -> str:
    """The address a request came from: the peer, or — when the peer is a trusted reverse
    proxy — the last address in ``X-Forwarded-For`` that is not itself a trusted proxy (the
    header's earlier entries are whatever the client wrote, never believed)."""
    peer = request.client.host if request.client else "?"
    if not trusted or not _in(peer, trusted):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed entry after the trusted hops: trust the proxy only
    return hops[0] if hops else peer


# ------------------------------------------------------------------------------- sessions


def start_session(request: Request, user: User) -> None:
    """A fresh session for ``user`` (anything from before login is dropped)."""
    request.session.clear()
    request.session.update(
        {
            "uid": user.id,
            "pv": fingerprint(user.password_hash),
            "sg": int(user.session_generation or 0),
            "csrf": secrets.token_urlsafe(32),
            "at": int(time.time()),
        }
    )


def end_session(request: Request, db: OperationalDB | None = None) -> None:
    """Log out: the session generation of the user moves on (the cookie, even saved
    elsewhere, no longer opens a session) and the cookie is emptied."""
    uid = request.session.get("uid")
    if db is not None and isinstance(uid, int):
        with db.session() as s:
            s.execute(
                update(User)
                .where(User.id == uid)
                .values(session_generation=User.session_generation + 1)
            )
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
        or request.session.get("sg") != int(user.session_generation or 0)
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
