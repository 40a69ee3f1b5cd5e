"""Server-rendered pages (Jinja2) over the same Ledger calls as the JSON API; each page links its JSON twin."""

from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from functools import cache, partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from accord.api import Ledger
from accord.config import Settings
from accord.errors import InputError, InputTooLarge
from accord.ledger.store import NotFound
from accord.ledger.users import WRITERS
from accord.model import Pillar
from accord.process import IngestResult
from accord.web.api import Id, JobId, declared_length, find_job, relation_key, upload_name
from accord.web.auth import (LoginLimiter, Sessions, check_password, require_editor, require_reader, same,
                              who)
from accord.web.jobs import Busy, app_jobs
from accord.web import paging
from accord.web.paging import page_of

router = APIRouter()
Reader = [Depends(require_reader)]

STATEMENT_TYPES = ("commitment", "position", "assessment", "event", "other")
FORM_SLACK = 64 * 1024  # multipart boundaries, the CSRF field and the other fields around an upload


@cache
def _env() -> Environment:
    from accord.track.status import config

    env = Environment(loader=PackageLoader("accord.web", "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["label"] = label
    env.filters["amount"] = amount
    env.filters["percent"] = percent
    env.globals.update(pillars=[p.value for p in Pillar], statuses=config()["statuses"],
                       stages=config()["stages"], statement_types=STATEMENT_TYPES)
    return env


def label(value: object) -> str:
    """A scale value or pillar as people read it: "economy_trade" → "Economy & trade"."""
    if value is None:
        return "—"
    words = str(value).split("_")
    if len(words) == 2 and words[0] not in ("in",):
        return f"{words[0]} & {words[1]}".capitalize()
    return " ".join(words).capitalize()


def amount(value: object, unit: object = None) -> str:
    """15000000000 USD → "US$15 billion"."""
    if value is None:
        return "—"
    number = float(str(value))
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(number) >= size:
            text = f"{number / size:,.2f}".rstrip("0").rstrip(".") + f" {word}"
            break
    else:
        text = f"{number:,.2f}".rstrip("0").rstrip(".")
    if unit == "USD":
        return f"US${text}"
    return f"{text} {unit}" if unit else text


def percent(progress: dict[str, Any] | None) -> float | None:
    """A target's share done, clamped to 0–100 for a bar; None without an indicator or observations."""
    if not progress or progress.get("percent") is None:
        return None
    return max(0.0, min(100.0, float(progress["percent"])))


def _ledger(request: Request) -> Ledger:
    value: Ledger = request.app.state.ledger
    return value


def settings_of(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


LedgerDep = Annotated[Ledger, Depends(_ledger)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form posts it back."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, form: FormData) -> None:
    """The form's CSRF token matches the session's; and no field holds a NUL (PostgreSQL can't store one)."""
    sent = form.get("csrf")
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not same(sent, expected):
        raise HTTPException(403, "the form's security token is missing or stale: reload the page and try again")
    for name, value in form.multi_items():
        if isinstance(value, str) and "\x00" in value:
            raise InputError(f"{name}: a NUL character is not allowed in text")


def writer(request: Request) -> str:
    return require_editor(request, "sign in to change the ledger").name  # a viewer: 403


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


def render(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
    has_session = "session" in request.scope
    notice = request.session.pop("flash", None) if has_session else None
    signed = who(request) if has_session else None
    html = _env().get_template(name).render(
        request=request, user=signed.name if signed else None, role=signed.role if signed else None,
        can_write=signed is not None and signed.role in WRITERS,
        csrf=csrf_token(request) if has_session else "", flash=notice, path=request.url.path, **context)
    return HTMLResponse(html, status_code=code)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status, status=status, message=message, json_url=None)


def back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# -- reading --------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse, dependencies=Reader)
def overview(request: Request, lg: LedgerDep) -> Response:
    items = lg.commitments()
    return render(request, "overview.html", json_url="/api/v1/commitments", **overview_data(items, lg.documents()))


def overview_data(items: list[dict[str, Any]], documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by pillar and status, targets, latest documents and old open commitments."""
    by_pillar: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        for pillar in item["pillars"] or ["unclassified"]:
            by_pillar[pillar][item["status"]] += 1
    order = [p.value for p in Pillar] + ["unclassified"]
    grid = [(p, by_pillar[p], sum(by_pillar[p].values())) for p in order if p in by_pillar]
    targets = [(t, item) for item in items for t in item["targets"]]
    targets.sort(key=lambda pair: (percent(pair[0]["progress"]) is None, -(percent(pair[0]["progress"]) or 0)))
    latest = sorted(documents, key=lambda d: (d["published"] or "", d["id"]), reverse=True)[:6]
    old_open = [c for c in items if c["times_reaffirmed"] >= 1 and c["status"] not in ("fulfilled", "abandoned")]
    old_open.sort(key=lambda c: (c["first_pledged"] or "", -c["times_reaffirmed"]))
    return {"grid": grid, "status_totals": Counter(c["status"] for c in items), "total": len(items),
            "targets": targets, "latest": latest, "old_open": old_open, "documents_total": len(documents)}


@router.get("/commitments", response_class=HTMLResponse, dependencies=Reader)
def commitments(request: Request, lg: LedgerDep, pillar: Pillar | None = None, status: str | None = None,
                actor: str | None = None, q: str | None = None, sort: str = "id",
                page: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Response:
    status, actor, q = status or None, (actor or "").strip() or None, (q or "").strip() or None
    size = paging.PER_PAGE
    found, total = lg.find_commitments(pillar=pillar.value if pillar else None, status=status, actor=actor,
                                       text=q, sort=sort, limit=size, offset=((page or 1) - 1) * size)
    at = page_of(total, page)
    filters = {k: v for k, v in (("pillar", pillar.value if pillar else None), ("status", status),
                                 ("actor", actor), ("q", q)) if v}
    api = "/api/v1/commitments" + (f"?{urlencode(filters)}" if filters else "")
    return render(request, "commitments.html", items=found, page=at.context(), filters=filters, sort=sort,
                  actors=lg.actor_choices(), query=lambda **kw: urlencode({**filters, "sort": sort, **kw}),
                  json_url=api, csv_url=api + ("&" if filters else "?") + "format=csv",
                  today=date.today().isoformat())


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse, dependencies=Reader)
def commitment(commitment_id: Id, request: Request, lg: LedgerDep) -> Response:
    item = lg.commitment(commitment_id)
    texts: dict[int, str] = {}
    for source in item["sources"]:
        if source["document"] not in texts:
            texts[source["document"]] = lg.document_text(source["document"])
        text = texts[source["document"]]
        source["before"], source["marked"], source["after"] = (
            text[: source["start"]], text[source["start"] : source["end"]], text[source["end"] :])
    return render(request, "commitment.html", c=item, json_url=f"/api/v1/commitments/{commitment_id}",
                  today=date.today().isoformat(), indicators=lg.indicator_choices() if item["targets"] else [])


@router.get("/documents", response_class=HTMLResponse, dependencies=Reader)
def documents(request: Request, lg: LedgerDep, relation: str | None = None,
              page: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Response:
    key = relation_key(relation) if relation else None
    docs = sorted(lg.documents(key), key=lambda d: (d["published"] or "", d["id"]), reverse=True)
    at = page_of(len(docs), page)
    api = "/api/v1/documents" + (f"?{urlencode({'relation': key})}" if key else "")
    return render(request, "documents.html", documents=at.rows(docs), page=at.context(), relation=key,
                  query=lambda **kw: urlencode({**({"relation": key} if key else {}), **kw}), json_url=api,
                  csv_url=api + ("&" if key else "?") + "format=csv")


@router.get("/documents/{document_id}", response_class=HTMLResponse, dependencies=Reader)
def document(document_id: Id, request: Request, lg: LedgerDep) -> Response:
    doc = lg.document(document_id)
    counts = Counter(s["type"] for s in doc["statements"])
    return render(request, "document.html", doc=doc, segments=segments(doc["text"], doc["statements"]),
                  counts=counts, json_url=f"/api/v1/documents/{document_id}")


def segments(text: str, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain gaps and statements; each statement cut into plain parts and mentions.

    Offsets are used exactly as stored; an overlapping span (never expected) is shown as plain text.
    """
    out: list[dict[str, Any]] = []
    cursor = 0
    for st in sorted(statements, key=lambda s: (s["start"], s["end"])):
        if st["start"] < cursor:
            continue
        if st["start"] > cursor:
            out.append({"text": text[cursor : st["start"]]})
        parts: list[dict[str, Any]] = []
        inner = st["start"]
        for m in sorted(st["mentions"], key=lambda m: (m["start"], m["end"])):
            if m["start"] < inner or m["end"] > st["end"]:
                continue
            if m["start"] > inner:
                parts.append({"text": text[inner : m["start"]]})
            parts.append({"text": text[m["start"] : m["end"]], "mention": m})
            inner = m["end"]
        if inner < st["end"]:
            parts.append({"text": text[inner : st["end"]]})
        out.append({"statement": st, "parts": parts})
        cursor = st["end"]
    if cursor < len(text):
        out.append({"text": text[cursor:]})
    return out


@router.get("/entities/{entity_id}", response_class=HTMLResponse, dependencies=Reader)
def entity(entity_id: Id, request: Request, lg: LedgerDep) -> Response:
    item = lg.entity(entity_id)
    ids = set(item["commitments"])  # ids; the table shows them with text and status
    named = [c for c in lg.commitments() if c["id"] in ids]
    return render(request, "entity.html", e=item, commitments=named, json_url=f"/api/v1/entities/{entity_id}")


@router.get("/relations", response_class=HTMLResponse, dependencies=Reader)
def relations(request: Request, lg: LedgerDep) -> Response:
    return render(request, "relations.html", relations=lg.relations(), json_url="/api/v1/relations",
                  csv_url="/api/v1/relations?format=csv")


@router.get("/relations/{key}", response_class=HTMLResponse, dependencies=Reader)
def relation(key: str, request: Request, lg: LedgerDep) -> Response:
    item = lg.relation(relation_key(key))
    return render(request, "relation.html", r=item, **relation_data(item),
                  json_url=f"/api/v1/relations/{item['relation']}")


def relation_data(item: dict[str, Any]) -> dict[str, Any]:
    """Dated occasions apart from undated ones; each pillar (in the overview's order) with its status
    counts and commitments."""
    order = [p.value for p in Pillar]
    groups = []
    for pillar in sorted(item["by_pillar"], key=lambda p: order.index(p) if p in order else len(order)):
        counts = item["by_pillar"][pillar]
        members = [c for c in item["commitments"] if pillar in (c["pillars"] or ["political"])]  # as Ledger counts
        groups.append((pillar, counts, sum(counts.values()), members))
    return {"dated": [o for o in item["occasions"] if o["date"]],
            "undated": [o for o in item["occasions"] if not o["date"]], "groups": groups,
            "most": max((n for _, _, n, _ in groups), default=1)}  # the longest bar spans the column


@router.get("/review", response_class=HTMLResponse, dependencies=Reader)
def review(request: Request, lg: LedgerDep) -> Response:
    decided = [c for c in lg.review(None) if c["state"] != "pending"]
    return render(request, "review.html", pending=lg.review(), decided=decided[-20:][::-1],
                  json_url="/api/v1/review", csv_url="/api/v1/review?format=csv")


# -- writing --------------------------------------------------------------------

@router.get("/ingest", response_class=HTMLResponse, dependencies=Reader)
def ingest_form(request: Request) -> Response:
    return ingest_page(request)


def ingest_page(request: Request, code: int = 200, error: str | None = None,
                typed: dict[str, str] | None = None) -> HTMLResponse:
    """The ingest form; after a refusal, with what the person typed and one sentence on what went wrong.
    While the language model loads (after the server starts) it says so."""
    model = request.app.state.model
    return render(request, "ingest.html", code, limit=settings_of(request).max_upload_bytes, json_url=None,
                  model_state=model.state, model_error=model.error, error=error, typed=typed or {})


@router.post("/ingest")
async def ingest(request: Request, lg: LedgerDep) -> Response:
    """Check the form and queue its ingest; the job's page follows it (the pipeline runs in the worker).
    Input that can't be ingested shows the form again, filled in as sent, with the reason."""
    writer(request)
    limit = settings_of(request).max_upload_bytes
    length = declared_length(request)
    if length > limit + FORM_SLACK:
        return ingest_page(request, 413, f"Too large: {length:,} bytes sent, over the limit of {limit:,} bytes; "
                                         "what you sent could not be kept.")
    typed: dict[str, str] = {}
    try:
        async with request.form(max_part_size=limit + FORM_SLACK) as form:  # closes the spooled upload
            typed = _typed(form)
            check_csrf(request, form)  # a stale token is a 403 page: a forged post never fills the form
            work = await _ingest_work(lg, form, limit)
        if work is None:
            raise InputError("Paste a text, choose a file or give a web address.")
        job = app_jobs(request.app.state).submit(*work, form=typed)
    except InputError as exc:
        return ingest_page(request, 413 if isinstance(exc, InputTooLarge) else 422, str(exc), typed)
    except Busy as exc:
        busy = ingest_page(request, 429, f"{exc}.", typed)
        busy.headers["Retry-After"] = "30"
        return busy
    return back(f"/jobs/{job.id}")


def _typed(form: FormData) -> dict[str, str]:
    """What the person typed (text, source, web address) and the name of the file they chose, to fill the
    form in again; without NUL characters, which no field may hold."""
    upload = form.get("file")
    typed = {name: str(form.get(name) or "").replace("\x00", "") for name in ("text", "source", "url")}
    if isinstance(upload, UploadFile) and upload.filename:
        typed["file"] = upload_name(upload.filename)
    return typed


async def _ingest_work(lg: Ledger, form: FormData, limit: int) -> tuple[Callable[[], IngestResult], str] | None:
    """The ingest the form asks for (a file, pasted text or a web address) as a call for the worker, and
    its source's name; None for an empty form. Messages name what the person gave, never a server path."""
    upload, text, url = form.get("file"), str(form.get("text") or ""), str(form.get("url") or "").strip()
    if isinstance(upload, UploadFile) and upload.filename:
        name = upload_name(upload.filename)
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise InputTooLarge(f"Too large: the file {name} is over the limit of {limit:,} bytes.")
        return partial(lg.ingest_upload, data, name), name
    if text.strip():
        size = len(text.encode())
        if size > limit:
            raise InputTooLarge(f"Too large: the text is {size:,} bytes, over the limit of {limit:,} bytes.")
        source = str(form.get("source") or "").strip()[:200] or "pasted text"
        return partial(lg.ingest_text, text, source), source
    if url:
        _check_address(url)
        return partial(_ingest_url, lg, url), url
    return None


def _check_address(url: str) -> None:
    """Refuse, in words, a web address the server would not fetch: not http(s), no host, or with a name
    and password in it (they would be sent to the site, and shown on the job's page)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise InputError("That web address is not one: check it and try again.") from None
    if parts.scheme.lower() not in ("http", "https") or len(url) > 2000:
        raise InputError("Give a web address starting with http:// or https://.")
    if parts.username is not None or parts.password is not None:
        raise InputError("A web address with a user name or password in it is not fetched: remove the part "
                         "before @.")
    if not parts.hostname:
        raise InputError("That web address has no host name: check it and try again.")


def _ingest_url(lg: Ledger, url: str) -> IngestResult:
    return lg.ingest(url)[0]


@router.get("/jobs/{job_id}", response_class=HTMLResponse, dependencies=Reader)
def ingest_job(job_id: JobId, request: Request, lg: LedgerDep) -> Response:
    """The job's state; while it is queued or running the page asks to be reloaded every second."""
    job = find_job(request, job_id).view()  # one consistent reading: the page never shows "done" without its result
    result = job.result
    title = lg.document(result.document)["title"] if result and result.document is not None else None
    response = render(request, "job.html", job=job, result=result, title=title, json_url=job.url,
                      elapsed=job.elapsed(), typed=job.form or {}, limit=settings_of(request).max_upload_bytes,
                      error=None, model_state="ready", model_error=None)
    if job.state in ("queued", "running"):
        response.headers["Refresh"] = "1"  # no script: the browser reloads the page (CSP: script-src 'self')
    return response


@router.post("/commitments/{commitment_id}/status")
async def set_status(commitment_id: Id, request: Request, lg: LedgerDep) -> Response:
    user = writer(request)
    form = await request.form()
    check_csrf(request, form)
    field, _, value = str(form.get("change") or "").partition(":")
    observed = str(form.get("observed") or "").strip()
    try:
        lg.status(commitment_id, value, str(form.get("evidence") or ""), field=field or "status",
                  source=str(form.get("source") or "").strip() or None,
                  observed=date.fromisoformat(observed) if observed else None, by=user)
    except (InputError, ValueError) as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, f"Recorded: {field} {label(value).lower()}.")
    return back(f"/commitments/{commitment_id}#history")


@router.post("/documents/{document_id}/parties")
async def set_parties(document_id: Id, request: Request, lg: LedgerDep) -> Response:
    user = writer(request)
    form = await request.form()
    check_csrf(request, form)
    codes = [c for c in re.split(r"[\s,;]+", str(form.get("parties") or "")) if c]
    try:
        doc = lg.set_parties(document_id, codes, by=user)
    except NotFound:
        raise
    except InputError as exc:
        flash(request, str(exc), "error")
    else:
        flash(request, f"Parties set: {', '.join(p['code'] for p in doc['parties'])} (relation {doc['relation']}).")
    return back(f"/documents/{document_id}#parties")


@router.post("/review/{candidate_id}/{decision}")
async def decide(candidate_id: Id, decision: str, request: Request, lg: LedgerDep) -> Response:
    user = writer(request)
    check_csrf(request, await request.form())
    if decision not in ("accept", "reject"):
        raise HTTPException(404, "decide with accept or reject")
    result = lg.accept(candidate_id, user) if decision == "accept" else lg.reject(candidate_id, user)
    flash(request, f"Evidence {candidate_id} {result.get('state', decision + 'ed')}.")
    return back("/review")


# -- signing in -----------------------------------------------------------------

def _safe_next(value: object) -> str:
    text = str(value or "/")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None, json_url=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    name, password, target = str(form.get("name") or ""), str(form.get("password") or ""), _safe_next(form.get("next"))
    limiter: LoginLimiter = request.app.state.logins
    key = (name, request.client.host if request.client else "")
    wait = limiter.retry_after(key)
    if wait:
        response = render(request, "login.html", 429, next=target, json_url=None,
                          error=f"Too many failed sign-ins for this name: try again in {wait} seconds.")
        response.headers["Retry-After"] = str(wait)
        return response
    signed = await check_password(request, name, password)  # the ledger's users, then ACCORD_USERS
    if signed is None:
        limiter.failed(key)
        return render(request, "login.html", 401, next=target, error="Unknown name or wrong password.", json_url=None)
    limiter.succeeded(key)
    sessions: Sessions = request.app.state.sessions
    sessions.end(request.session.get("sid"))
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in user
    request.session.update(user=name, sid=sessions.start(signed))
    return back(target)


@router.get("/logout", response_class=HTMLResponse)
def logout_form(request: Request) -> Response:
    return render(request, "logout.html", json_url=None)


@router.post("/logout")
async def logout(request: Request) -> Response:
    check_csrf(request, await request.form())
    sessions: Sessions = request.app.state.sessions
    sessions.end(request.session.get("sid"))  # a saved copy of the cookie no longer signs anyone in
    request.session.clear()
    return back("/")
