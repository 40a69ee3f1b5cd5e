"""Who may read and write: bearer tokens for programs, signed-in users for the pages.

Sessions are kept server-side as well as in the signed cookie: signing in makes a random session id,
stored in the cookie and in `Sessions` (in this process's memory); signing out forgets it, so a saved
cookie no longer reads as signed in or writes. A restart forgets every session (people sign in again);
one process serves the ledger (`accord serve`), so memory is enough and nothing is written per request.

A cookie-authenticated write to the API must also show it came from these pages: a same-origin Origin
(or, without one, Referer) header, or the session's CSRF token in X-CSRF-Token. Bearer tokens need
neither, as browsers never send them on their own.

Failed sign-ins are counted per name and client address: `LoginLimiter.LIMIT` failures within
`WINDOW` seconds refuse further tries with 429 and Retry-After until the oldest failure ages out.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from accord.config import Settings

SESSION_AGE = 14 * 24 * 3600  # Starlette's SessionMiddleware default; an older session id is dropped


def same(a: str, b: str) -> bool:
    """Constant-time equality of two strings of any characters (compare_digest on str takes ASCII only)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


class Sessions:
    """Live session ids → (user, started); signing out removes one."""

    def __init__(self) -> None:
        self._live: dict[str, tuple[str, float]] = {}

    def start(self, user: str) -> str:
        now = time.monotonic()
        self._live = {k: v for k, v in self._live.items() if now - v[1] < SESSION_AGE}
        sid = secrets.token_urlsafe(24)
        self._live[sid] = (user, now)
        return sid

    def end(self, sid: object) -> None:
        if isinstance(sid, str):
            self._live.pop(sid, None)

    def user(self, sid: object) -> str | None:
        found = self._live.get(sid) if isinstance(sid, str) else None
        return found[0] if found else None


class LoginLimiter:
    """Failed sign-ins per (name, client) within a sliding window."""

    LIMIT = 5
    WINDOW = 60.0

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def retry_after(self, key: tuple[str, str]) -> int:
        """Seconds until `key` may try again; 0 when it may now."""
        now = time.monotonic()
        failures = self._failures.get(key)
        if failures is None:
            return 0
        while failures and now - failures[0] >= self.WINDOW:
            failures.popleft()
        if not failures:
            del self._failures[key]
            return 0
        return int(self.WINDOW - (now - failures[0])) + 1 if len(failures) >= self.LIMIT else 0

    def failed(self, key: tuple[str, str]) -> None:
        now = time.monotonic()
        if len(self._failures) > 10_000:  # many names tried: forget those whose failures have aged out
            self._failures = {k: v for k, v in self._failures.items() if v and now - v[-1] < self.WINDOW}
        self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: tuple[str, str]) -> None:
        self._failures.pop(key, None)


def _session_user(request: Request) -> str | None:
    if "session" not in request.scope:
        return None
    settings: Settings = request.app.state.settings
    sessions: Sessions = request.app.state.sessions
    user = sessions.user(request.session.get("sid"))
    return user if user is not None and user == request.session.get("user") and user in settings.users else None


def current_user(request: Request) -> str | None:
    """The signed-in user, or "token" for a valid bearer token, or None."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        if any(same(token, t) for t in settings.api_tokens):
            return "token"
        return None
    return _session_user(request)


def require_reader(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if not settings.public_read and current_user(request) is None:
        raise HTTPException(401, "sign in or send a bearer token to read this ledger")


def require_writer(request: Request) -> str:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "writes need a bearer token (Authorization: Bearer ...) or a signed-in user")
    if user != "token" and not from_these_pages(request):
        raise HTTPException(403, "a signed-in write must come from this site's pages (same-origin Origin or "
                                 "Referer, or the session's X-CSRF-Token); programs send a bearer token")
    return user


def from_these_pages(request: Request) -> bool:
    """Whether a cookie-carrying request shows it was made by this site's own pages."""
    sent = request.headers.get("x-csrf-token")
    expected = request.session.get("csrf")
    if sent and isinstance(expected, str) and same(sent, expected):
        return True
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return False
    # The host is compared, not the scheme: behind a TLS proxy the app itself sees http.
    try:
        host = urlsplit(origin).netloc.lower()
    except ValueError:  # "http://[::1" and the like
        return False
    return bool(host) and host == request.headers.get("host", "").lower()


def check_password(settings: Settings, name: str, password: str) -> bool:
    expected = settings.users.get(name)
    return expected is not None and same(expected, password)
