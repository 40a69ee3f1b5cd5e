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

Who is who: the ledger's users (`accord users`, `accord.ledger.users`) first, then the environment's
(ACCORD_USERS and ACCORD_API_TOKENS, both editors; an environment token writes as "token"). A session
or token is looked up in the ledger on every request, so a removed or demoted user, a revoked token or
a changed password takes effect at once. A viewer reads, even a private ledger; editors and admins
write, under their own name.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from accord.api import Ledger
from accord.config import Settings
from accord.ledger import users

SESSION_AGE = 14 * 24 * 3600  # Starlette's SessionMiddleware default; an older session id is dropped


def same(a: str, b: str) -> bool:
    """Constant-time equality of two strings of any characters (compare_digest on str takes ASCII only)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class Who:
    """Who a request comes from: a name, a role, and whether by bearer token (no CSRF check then)."""

    name: str
    role: str
    by_token: bool = False


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What a session remembers of whoever signed in: the ledger user (id and credential stamp, see
    `accord.ledger.users.User`) or, with `user_id` None, a user of ACCORD_USERS."""

    name: str
    user_id: int | None = None
    stamp: str = ""


class Sessions:
    """Live session ids → (who signed in, started); signing out removes one."""

    def __init__(self) -> None:
        self._live: dict[str, tuple[SignedIn, float]] = {}

    def start(self, user: str | SignedIn) -> str:
        now = time.monotonic()
        self._live = {k: v for k, v in self._live.items() if now - v[1] < SESSION_AGE}
        sid = secrets.token_urlsafe(24)
        self._live[sid] = (user if isinstance(user, SignedIn) else SignedIn(user), now)
        return sid

    def end(self, sid: object) -> None:
        if isinstance(sid, str):
            self._live.pop(sid, None)

    def signed_in(self, sid: object) -> SignedIn | None:
        found = self._live.get(sid) if isinstance(sid, str) else None
        return found[0] if found else None

    def user(self, sid: object) -> str | None:
        found = self.signed_in(sid)
        return found.name if found else None


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


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


def _session_who(request: Request) -> Who | None:
    if "session" not in request.scope:
        return None
    settings: Settings = request.app.state.settings
    sessions: Sessions = request.app.state.sessions
    signed = sessions.signed_in(request.session.get("sid"))
    if signed is None or signed.name != request.session.get("user"):
        return None
    if signed.user_id is None:  # ACCORD_USERS: while the environment names them and the ledger does not
        known = signed.name in settings.users and not users.has_user(_ledger(request).engine, signed.name)
        return Who(signed.name, "editor") if known else None
    now = users.session_user(_ledger(request).engine, signed.user_id)
    if now is None or now.name != signed.name or not same(now.stamp, signed.stamp):
        return None  # removed, or their password changed since
    return Who(now.name, now.role)


def _token_who(request: Request, token: str) -> Who | None:
    found = users.token_user(_ledger(request).engine, token)
    if found is not None:
        return Who(found.name, found.role, by_token=True)
    settings: Settings = request.app.state.settings
    if any(same(token, t) for t in settings.api_tokens):
        return Who("token", "editor", by_token=True)
    return None


def who(request: Request) -> Who | None:
    """Who sent `request`: a bearer token's user, else the signed-in user, else None. Looked up once
    per request (every dependency and the page's header ask)."""
    header = request.headers.get("authorization", "")
    key = (header, request.session.get("sid") if "session" in request.scope else None)
    cached = getattr(request.state, "accord_who", None)
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    if header.lower().startswith("bearer "):
        found = _token_who(request, header[7:].strip())
    else:
        found = _session_who(request)
    request.state.accord_who = (key, found)
    return found


def current_user(request: Request) -> str | None:
    """The name of who sent `request` (an ACCORD_API_TOKENS token reads "token"), or None."""
    found = who(request)
    return found.name if found else None


def require_reader(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if not settings.public_read and who(request) is None:
        raise HTTPException(401, "sign in or send a bearer token to read this ledger")


def require_editor(request: Request, nobody: str) -> Who:
    """Who sent `request` if they may change the ledger: 401 (`nobody`) for no one, 403 for a viewer."""
    found = who(request)
    if found is None:
        raise HTTPException(401, nobody)
    if found.role not in users.WRITERS:
        raise HTTPException(403, f"{found.name} is a viewer: viewers read the ledger but can't change it "
                                 "(an admin can give the editor role: accord users role NAME editor)")
    return found


def require_writer(request: Request) -> str:
    """The name a write is recorded under."""
    found = require_editor(request, "writes need a bearer token (Authorization: Bearer ...) or a signed-in user")
    if not found.by_token and not from_these_pages(request):
        raise HTTPException(403, "a signed-in write must come from this site's pages (same-origin Origin or "
                                 "Referer, or the session's X-CSRF-Token); programs send a bearer token")
    return found.name


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


async def check_password(request: Request, name: str, password: str) -> SignedIn | None:
    """Whom `name` and `password` sign in: a ledger user, else a user of ACCORD_USERS, else None.
    scrypt (some 50 ms) runs on a worker thread, not on the event loop."""
    found = await run_in_threadpool(users.authenticate, _ledger(request).engine, name, password)
    if found is not None:
        return SignedIn(found.name, found.id, found.stamp)
    settings: Settings = request.app.state.settings
    expected = settings.users.get(name)
    if expected is None or not same(expected, password):
        return None
    # A name the ledger has is the ledger's alone: its password, its role.
    return None if await run_in_threadpool(users.has_user, _ledger(request).engine, name) else SignedIn(name)
