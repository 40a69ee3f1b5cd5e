"""Who may read and write: bearer tokens for programs, signed-in users for the pages."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from accord.config import Settings


def current_user(request: Request) -> str | None:
    """The signed-in user, or "token" for a valid bearer token, or None."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        if any(hmac.compare_digest(token, t) for t in settings.api_tokens):
            return "token"
        return None
    user = request.session.get("user") if "session" in request.scope else None
    return user if isinstance(user, str) and user in settings.users else None


def require_reader(request: Request) -> None:
    settings: Settings = request.app.state.settings
    if not settings.public_read and current_user(request) is None:
        raise HTTPException(401, "sign in or send a bearer token to read this ledger")


def require_writer(request: Request) -> str:
    user = current_user(request)
    if user is None:
        raise HTTPException(401, "writes need a bearer token (Authorization: Bearer ...) or a signed-in user")
    return user


def check_password(settings: Settings, name: str, password: str) -> bool:
    expected = settings.users.get(name)
    return expected is not None and hmac.compare_digest(expected, password)
