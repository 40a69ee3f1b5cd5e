"""Server-rendered pages (Jinja2). A first cut: the page work lands in its own change."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter()


def error_page(request: Request, status: int, message: str) -> Response:
    import html

    return HTMLResponse(f"<!DOCTYPE html><title>{status}</title><h1>{status}</h1><p>{html.escape(message)}</p>",
                        status_code=status)
