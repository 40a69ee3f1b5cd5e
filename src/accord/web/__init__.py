"""The web application: a JSON API under /api/v1 and server-rendered pages, over one Ledger.

Every 500 is a bug: `Guard` (outside the routes, inside Starlette's last resort) answers any
exception no handler took with the one error shape and no internal detail, and logs one line (method,
path, exception class) without the exception's text, which may quote SQL parameters or document text.
It also refuses a NUL byte anywhere in the address (400) and puts the security headers on every response.

The language model starts loading when the app starts, in a background thread (`jobs.Model`), so the
first ingest does not wait ~9 s for it unannounced; /healthz says whether it is ready.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from accord import __version__
from accord.api import Ledger
from accord.config import Settings
from accord.errors import AccordError, InputTooLarge, MachineFault
from accord.ledger.store import LedgerLocked, NotFound
from accord.web.auth import SESSION_AGE, LoginLimiter, Sessions
from accord.web.guard import INTERNAL, Guard, log
from accord.web.jobs import process_model
from accord.web.models import Health


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app over the ledger at `settings.database_url`."""
    from accord.web import api, browse, indicators, pages

    ledger = Ledger(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        app.state.model.start()  # a thread: the server answers meanwhile, and ingests wait for it
        yield
        jobs = getattr(app.state, "jobs", None)
        if jobs is not None:
            jobs.close()  # queued ingests fail in words; the running one is given a few seconds to finish
        ledger.close()  # no connection outlives the app

    # /docs is served below from files installed with Accord, so it works without internet.
    app = FastAPI(title="Accord", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="A ledger of commitments read from diplomatic texts. Every field carries its source.")
    app.state.settings = settings
    app.state.ledger = ledger
    app.state.model = process_model()  # the pipeline is one per process; a test may set its own Model
    app.state.sessions = Sessions()
    app.state.logins = LoginLimiter()
    # Secure is added per response by Guard when the request came over HTTPS (see Settings.https, trust_proxy)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, same_site="lax", https_only=False,
                       max_age=SESSION_AGE)
    app.add_middleware(Guard, settings=settings)
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)
    app.include_router(indicators.router)  # its pages, and the JSON twin of one indicator
    app.include_router(browse.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("accord.web") / "static")), name="static")
    # Swagger UI's own files, from the fastapi-swagger package (its bundle, not its routes)
    swagger = resources.files("fastapi_swagger") / "resources"
    app.mount("/docs/assets", StaticFiles(directory=str(swagger)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> Response:
        """Swagger UI from this server's own files (FastAPI's page, pointed at the vendored bundle)."""
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="Accord API",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/docs/assets/favicon-32x32.png")

    @app.get("/healthz", response_model=Health, tags=["server"], summary="Whether the server answers and can ingest yet")
    def healthz() -> Response:
        """Always 200 while the server answers; `model` says whether ingests can run yet ("loading" for
        about ten seconds after the start; ingests sent meanwhile wait) or cannot ("failed", with why)."""
        model = app.state.model
        model.start()  # an app run without its lifespan (a bare test client) starts loading here
        return JSONResponse({"status": "ok", "model": model.state, "model_error": model.error,
                             "version": __version__})

    @app.exception_handler(AccordError)
    async def accord_error(request: Request, exc: AccordError) -> Response:
        if isinstance(exc, LedgerLocked | MachineFault):  # the request was fine; the server is busy or failing
            busy = error_response(request, 503, str(exc))
            busy.headers["Retry-After"] = "30"
            return busy
        status = 404 if isinstance(exc, NotFound) else 413 if isinstance(exc, InputTooLarge) else \
            422 if exc.exit_code == 2 else 500
        if status == 500:  # the ledger failed, not the request: its words stay in the log's class name
            log.error("%s %s: %s", request.method, request.url.path, type(exc).__name__)
            return error_response(request, 500, INTERNAL)
        return error_response(request, status, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors())
        return error_response(request, 422, problems or "invalid request")

    return app


def error_response(request: Request, status: int, message: str) -> Response:
    """One JSON error shape for the API; a page for browsers."""
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    from accord.web.pages import error_page, ingest_page

    if status == 413 and request.url.path == "/ingest" and request.method == "POST" and "session" in request.scope:
        # refused while the form was read (a chunked body past the limit): the form again, empty, with the
        # reason. Guard's refusal of a declared length comes before the session, so it is the error page.
        return ingest_page(request, status, f"Too large: {message}; what you sent could not be kept.")

    return error_page(request, status, message)
