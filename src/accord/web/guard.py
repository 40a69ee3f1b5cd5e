"""The edge every request passes: security headers, Secure cookies over HTTPS, no NUL byte in the
address, a request body no larger than the upload limit, a 503 in words for a fault of the machine (a
full disk, a lock, the database server gone; `accord.errors.fault`), and a 500 without internal detail
for any other exception the routes let through.

The body is counted as it arrives, whatever reads it (JSON, a form, an upload; chunked or with a
Content-Length): a declared length over the limit is refused before the app runs, and a body that grows
past it is refused at the chunk that crosses it, so nothing buffers the rest. The 413 closes the
connection, so the server does not read (and discard) what the client still sends. Starlette's own
RequestBodyLimitMiddleware counts the same way but answers in plain text outside the API's error shape.
"""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.config import Settings
from accord.errors import fault

log = logging.getLogger("accord.web")

# The pages run one script file and no inline script; bars set their width in a style attribute.
PAGES_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
                "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                "frame-ancestors 'none'")
# /docs is Swagger UI from this server's own files (fastapi-swagger's bundle), started by FastAPI's inline script.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
               "frame-ancestors 'none'")
HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
INTERNAL = "internal error: the server failed to answer this request; it has been logged"
BODY_SLACK = 64 * 1024  # the form (boundaries, CSRF field) or JSON around an upload of the limit; as pages'


class BodyTooLarge(HTTPException):
    """Raised from `receive` when the body passes the limit: the routes' handler answers it as any 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes: the upload limit (ACCORD_MAX_UPLOAD, "
                              f"{limit - BODY_SLACK}) and {BODY_SLACK} for the form around it")


class Guard:
    """ASGI middleware around the routes (and their session), inside Starlette's last resort."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] == "/docs"
        secure = self._secure(scope)
        started = False
        limit = self.settings.max_upload_bytes + BODY_SLACK
        received, over = 0, False

        async def receive_counted() -> Message:
            nonlocal received, over
            if over:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise BodyTooLarge(limit)
            return message

        async def send_secured(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["content-security-policy"] = DOCS_POLICY if docs else PAGES_POLICY
                for name, value in HEADERS.items():
                    headers[name] = value
                if over:  # the rest of the body is never read: end the connection rather than drain it
                    headers["connection"] = "close"
                if secure:
                    message["headers"] = [_secure_cookie(k, v) for k, v in message["headers"]]
            await send(message)

        if _has_nul(scope):
            await self._answer(scope, receive, send_secured, 400,
                               "a NUL character (%00) is not allowed in an address or a search")
            return
        length = _content_length(scope)
        if length is not None and length < 0:
            await self._answer(scope, receive, send_secured, 400, "Content-Length: not a number of bytes")
            return
        if length is not None and length > limit:
            over = True
            await self._answer(scope, receive, send_secured, 413, str(BodyTooLarge(limit).detail))
            return
        try:
            await self.app(scope, receive_counted, send_secured)
        except BodyTooLarge as exc:  # read outside the routes' handlers (none do today): the same 413
            if not started:
                await self._answer(scope, receive, send_secured, 413, str(exc.detail))
        except Exception as exc:  # noqa: BLE001 - every 500 is a bug; the client never sees its detail
            said = fault(exc)
            if said is not None:  # the disk, a lock, the database server: 503 in Accord's words, not a bug
                log.error("%s %s: %s", scope.get("method"), scope["path"], said)
                if not started:
                    await self._answer(scope, receive, send_secured, 503, said, {"retry-after": "30"})
                return
            log.error("%s %s: internal error (%s)", scope.get("method"), scope["path"], type(exc).__name__)
            if not started:
                await self._answer(scope, receive, send_secured, 500, INTERNAL)

    def _secure(self, scope: Scope) -> bool:
        """Whether the request came over HTTPS (by the socket, the setting, or a trusted proxy's word)."""
        if self.settings.https or scope.get("scheme") == "https":
            return True
        if not self.settings.trust_proxy:
            return False
        proto: bytes = dict(scope["headers"]).get(b"x-forwarded-proto", b"").split(b",")[0].strip().lower()
        return proto == b"https"

    @staticmethod
    async def _answer(scope: Scope, receive: Receive, send: Send, status: int, message: str,
                      headers: dict[str, str] | None = None) -> None:
        from accord.web import error_response

        request = Request(scope, receive)
        response: Response
        try:
            response = error_response(request, status, message)
        except Exception:  # noqa: BLE001 - the error page itself failed: answer in the plain shape
            response = JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        await response(scope, receive, send)


def _has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    path: str = scope["path"]
    return "\x00" in path or b"\x00" in query or b"%00" in query.lower()


def _content_length(scope: Scope) -> int | None:
    """The declared body length; None when absent, -1 when it is not a number."""
    value: bytes | None = dict(scope["headers"]).get(b"content-length")
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else -1


def _secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"set-cookie" and b"; secure" not in value.lower():
        return name, value + b"; secure"
    return name, value
