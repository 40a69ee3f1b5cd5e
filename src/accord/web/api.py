"""JSON API under /api/v1: lists answer {"items", "total", "next"}; `?format=csv` on any list."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from collections.abc import Callable
from datetime import date
from enum import Enum
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as FormFile

from accord.api import Ledger
from accord.errors import InputError, InputTooLarge
from accord.ledger import keyset
from accord.ledger.store import NotFound
from accord.model import Pillar, parse_relation
from accord.process import IngestResult
from accord.web import models as m
from accord.web.auth import require_reader, require_writer
from accord.web.jobs import INTERNAL, JOB_ID, Busy, Job, app_jobs

# Every answer's shape is in models.py; every error, from any route, is one ErrorOut.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": m.ErrorOut, "description": said} for code, said in (
        (400, "A malformed request: a bad relation key, cursor or Content-Length"),
        (401, "Sign in or send a token"), (404, "Nothing has that id"),
        (422, "A parameter or body that can't be used; the message says which and why"),
        (500, "A bug: logged, never detailed"),
        (503, "The ledger is locked or the machine failing; try again (Retry-After)"))}
CSV: dict[int | str, dict[str, Any]] = {200: {"description": "The list (`?format=csv`: the same items as CSV)",
                                              "content": {"text/csv": {"schema": {"type": "string"}}}}}

router = APIRouter(dependencies=[Depends(require_reader)], responses=ERRORS)

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="The `next` of the previous page.")]
# Ids are the schema's Integer: 32 bits on PostgreSQL (64 on SQLite). A larger one names nothing, and
# binding it would overflow the column's type (500), so it is refused as a bad request.
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**63 - 1  # OFFSET is a 64-bit integer in both databases
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="An id the API gave.")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="An id the API gave.")]
PARTY_CODE = re.compile(r"[A-Za-z0-9]{2,12}")  # ISO 3166-1 alpha-3, or a bloc's acronym (EU, G20, MERCOSUR)


class Format(str, Enum):
    json = "json"
    csv = "csv"


class Status(str, Enum):
    announced = "announced"
    in_progress = "in_progress"
    stalled = "stalled"
    partial = "partial"
    fulfilled = "fulfilled"
    abandoned = "abandoned"


class StatementType(str, Enum):
    commitment = "commitment"
    position = "position"
    assessment = "assessment"
    event = "event"
    other = "other"


def ledger(request: Request) -> Ledger:
    value: Ledger = request.app.state.ledger
    return value


LedgerDep = Annotated[Ledger, Depends(ledger)]


class Order(str, Enum):
    """The orders a keyset page walks: oldest first (id) or newest first (-id)."""

    oldest = "id"
    newest = "-id"


SortQuery = Annotated[Order, Query(description="`id`: oldest first; `-id`: newest first.")]


def _offset(cursor: str | None) -> int:
    """The position a list held in memory continues from (documents, relations, entities, ...)."""
    if not cursor:
        return 0
    try:
        offset = max(0, int(base64.urlsafe_b64decode(cursor.encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(400, "cursor: not a cursor this API gave; start again without one") from None
    if offset > MAX_OFFSET:
        raise HTTPException(400, "cursor: not a cursor this API gave; start again without one")
    return offset


def _after(cursor: str | None, order: Order) -> int | None:
    """The last id of the previous keyset page (commitments, search); 400 for a cursor this API did not give."""
    if not cursor:
        return None
    try:
        return keyset.decode_cursor(cursor, order.value)
    except keyset.BadCursor as exc:
        raise HTTPException(400, str(exc)) from None


def keyset_page(request: Request, items: list[dict[str, Any]], total: int, last: int | None, order: Order,
                fmt: Format, **extra: Any) -> Response:
    """A keyset page in the list shape every endpoint shares (or CSV); the next page's address also in a
    `Link: <...>; rel="next"` header (RFC 8288)."""
    if fmt == Format.csv:
        return page(items, len(items), 0, len(items), fmt)
    next_cursor = keyset.encode_cursor(order.value, last) if last is not None else None
    response = JSONResponse({"items": _jsonable(items), "total": total, "next": next_cursor, **extra})
    if next_cursor is not None:
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    return response


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def page(items: list[dict[str, Any]], total: int, offset: int, limit: int, fmt: Format) -> Response:
    """The list shape every endpoint shares, or CSV of the same items."""
    if fmt == Format.csv:
        from accord.export import write_csv

        buffer = io.StringIO()
        write_csv(items, buffer)
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
    next_cursor = _cursor(offset + limit) if offset + limit < total else None
    return JSONResponse({"items": _jsonable(items), "total": total, "next": next_cursor})


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "raw"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def relation_key(key: str) -> str:
    """A relation as written in a path ("VNM-LAO", "lao,vnm") → its key; 400 for anything else."""
    found = parse_relation(key)
    if found is None or not all(PARTY_CODE.fullmatch(code) for code in found.split("-")):
        raise HTTPException(400, f"relation {key!r}: give party codes joined by '-', e.g. VNM-LAO or ASEAN-USA")
    return found


def _slice(items: list[dict[str, Any]], cursor: str | None, limit: int, fmt: Format) -> Response:
    offset = _offset(cursor)
    return page(items[offset : offset + limit], len(items), offset, limit, fmt)


@router.get("/documents", response_model=m.Page[m.Document], responses=CSV, summary="Documents with their parties, relation and occasion")
def documents(lg: LedgerDep, relation: str | None = None, limit: Limit = 50, cursor: Cursor = None,
              format: Format = Format.json) -> Response:
    return _slice(lg.documents(relation_key(relation) if relation else None), cursor, limit, format)


@router.get("/documents/{document_id}", response_model=m.DocumentFull, summary="A document with its text, statements, mentions and targets")
def document(document_id: Id, lg: LedgerDep) -> Response:
    return JSONResponse(_jsonable(lg.document(document_id)))


@router.get("/relations", response_model=m.Page[m.Relation], responses=CSV, summary="Relations: the parties documents are about, with their occasions and commitments")
def relations(lg: LedgerDep, limit: Limit = 50, cursor: Cursor = None, format: Format = Format.json) -> Response:
    return _slice(lg.relations(), cursor, limit, format)


@router.get("/relations/{key}", response_model=m.RelationFull, summary="A relation: occasions oldest first, commitments by pillar, targets")
def relation(key: str, lg: LedgerDep) -> Response:
    return JSONResponse(_jsonable(lg.relation(relation_key(key))))


@router.get("/statements", response_model=m.Page[m.Statement], responses=CSV, summary="Statements with mentions and targets")
def statements(lg: LedgerDep, document: IdQuery = None, type: StatementType | None = None,
               pillar: Pillar | None = None, limit: Limit = 50, cursor: Cursor = None,
               format: Format = Format.json) -> Response:
    offset = _offset(cursor)
    rows = lg.statements(document, type.value if type else None, pillar.value if pillar else None, limit + 1, offset)
    total = offset + len(rows) if len(rows) <= limit else offset + limit + 1
    return page(rows[:limit], total, offset, limit, format)


@router.get("/commitments", response_model=m.Page[m.Commitment], responses=CSV, summary="Commitments, merged across documents")
def commitments(request: Request, lg: LedgerDep, pillar: Pillar | None = None, actor: str | None = None,
                status: Status | None = None, since: date | None = None, q: str | None = None,
                relation: Annotated[str | None, Query(description="Party codes joined by '-', e.g. VNM-LAO.")] = None,
                sort: SortQuery = Order.oldest, limit: Limit = 50, cursor: Cursor = None,
                format: Format = Format.json) -> Response:
    """Pillar, status, relation and `q` are answered by indexes (a page costs the same at any depth);
    actor and since are computed when read, over the whole list."""
    items, total, last = lg.commitments_page(
        pillar=pillar.value if pillar else None, status=status.value if status else None,
        relation=relation_key(relation) if relation else None, actor=actor, since=since, text=q,
        newest_first=sort == Order.newest, after=_after(cursor, sort), limit=limit)
    return keyset_page(request, items, total, last, sort, format)


@router.get("/commitments/{commitment_id}", response_model=m.CommitmentFull, summary="A commitment with sources, merge reasons and history")
def commitment(commitment_id: Id, lg: LedgerDep) -> Response:
    return JSONResponse(_jsonable(lg.commitment(commitment_id)))


@router.get("/entities", response_model=m.Page[m.Entity], responses=CSV, summary="Canonical entities with aliases")
def entities(lg: LedgerDep, kind: str | None = None, limit: Limit = 50, cursor: Cursor = None,
             format: Format = Format.json) -> Response:
    return _slice(lg.entities(kind), cursor, limit, format)


@router.get("/entities/{entity_id}", response_model=m.EntityFull, summary="An entity and everything that names it")
def entity(entity_id: Id, lg: LedgerDep) -> Response:
    return JSONResponse(_jsonable(lg.entity(entity_id)))


@router.get("/indicators", response_model=m.Page[m.Indicator], responses=CSV, summary="Indicators with their observations")
def indicators(lg: LedgerDep, limit: Limit = 50, cursor: Cursor = None, format: Format = Format.json) -> Response:
    return _slice(lg.indicators(), cursor, limit, format)


@router.get("/diff", response_model=m.Diff, summary="Commitments new in B, continued from A (word by word, targets), dropped since A")
def diff(lg: LedgerDep,
         a: Annotated[str, Query(description="A document id; with `relation` a year, a month, a date or "
                                             "an occasion id (#12).")],
         b: Annotated[str, Query(description="The same for the later side.")],
         relation: Annotated[str | None, Query(description="Compare two occasions of it, e.g. USA-JPN.")] = None,
         ) -> Response:
    for name, side in (("a", a), ("b", b)):
        if side.lstrip("#").isdigit() and int(side.lstrip("#")) > MAX_ID:
            raise InputError(f"{name}: {side} is larger than any id or year in the ledger")
    return JSONResponse(_jsonable(lg.diff(a, b, relation=relation)))


@router.get("/search", response_model=m.SearchPage, responses=CSV, summary="Full-text search over statements")
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=500)], lg: LedgerDep,
           sort: Annotated[Order, Query(description="`-id`: newest first; `id`: oldest first.")] = Order.newest,
           limit: Limit = 50, cursor: Cursor = None, format: Format = Format.json) -> Response:
    """Every statement with all the words of `q` (plain words: no operators), newest first."""
    hits, total, exact, last = lg.search_page(q, newest_first=sort == Order.newest, after=_after(cursor, sort),
                                              limit=limit)
    return keyset_page(request, hits, total, last, sort, format, total_exact=exact)


@router.get("/review", response_model=m.Page[m.Candidate], responses=CSV, summary="Evidence candidates waiting for a person")
def review(lg: LedgerDep, state: str | None = "pending", limit: Limit = 50, cursor: Cursor = None,
           format: Format = Format.json) -> Response:
    if state not in (None, "pending", "accepted", "rejected"):
        raise InputError("state: pending, accepted or rejected")
    return _slice(lg.review(state), cursor, limit, format)


# -- writes ---------------------------------------------------------------------

def no_nul(value: str) -> str:
    """Refuse a NUL character: no text means one, and PostgreSQL can't store it."""
    if "\x00" in value:
        raise ValueError("a NUL character (\\u0000) is not allowed in text")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
BoundedId = Annotated[int, Field(ge=1, le=MAX_ID)]


class TextIn(BaseModel):
    text: Text = Field(min_length=1)
    source: Text = "API"


class StatusIn(BaseModel):
    status: Text
    evidence: Text = Field(min_length=1)
    source: Text | None = None
    observed: date | None = Field(default=None, alias="date", description="When it happened (YYYY-MM-DD).")
    stage: bool = False


class PartiesIn(BaseModel):
    parties: list[Text] = Field(description="ISO 3166-1 alpha-3 codes or blocs' acronyms: [\"VNM\", \"LAO\"].")


class MergeIn(BaseModel):
    other: BoundedId


class SplitIn(BaseModel):
    statement: BoundedId


@router.post("/documents", status_code=202, response_model=m.JobQueued,
             summary="Ingest pasted text (JSON) or an uploaded file, as a job",
             responses={201: {"model": m.Ingested, "description": "`?wait=1`: added"},
                        200: {"model": m.Ingested, "description": "`?wait=1`: already there"},
                        413: {"model": m.ErrorOut, "description": "Over the upload limit (ACCORD_MAX_UPLOAD)"},
                        429: {"model": m.ErrorOut, "description": "Too many ingests waiting; try again (Retry-After)"}})
async def ingest(request: Request, lg: LedgerDep, user: Annotated[str, Depends(require_writer)],
                 wait: Annotated[bool, Query(description="Answer when the ingest is done, as before jobs: "
                                                         "201 added or 200 unchanged, with the document.")] = False,
                 ) -> Response:
    """The body is read and checked here; the pipeline runs in the jobs' worker, never in the event loop."""
    work, source = await _ingest_work(request, lg)
    try:
        job = app_jobs(request.app.state).submit(work, source)
    except Busy as exc:
        from accord.web import error_response

        busy = error_response(request, 429, str(exc))
        busy.headers["Retry-After"] = "30"
        return busy
    if not wait:
        return JSONResponse({"job": job.id, "status": job.state, "url": job.url}, status_code=202,
                            headers={"Location": job.url})
    await asyncio.wrap_future(job.done)
    return await _finished(request, lg, job)


async def _ingest_work(request: Request, lg: Ledger) -> tuple[Callable[[], IngestResult], str]:
    """The ingest a request asks for, as a call for the worker, and its source's name; 4xx for bad input."""
    limit = request.app.state.settings.max_upload_bytes
    length = declared_length(request)
    if length > limit:
        raise InputTooLarge(f"upload of {length} bytes is over the limit of {limit}")
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        async with request.form(max_part_size=limit + 1) as form:  # closes the spooled upload files
            upload = form.get("file")
            if not isinstance(upload, FormFile):
                raise InputError("send the file in a form field named 'file'")
            data = await upload.read(limit + 1)
            filename = upload_name(upload.filename)
        if len(data) > limit:
            raise InputTooLarge(f"upload is over the limit of {limit} bytes")
        return partial(lg.ingest_upload, data, filename), filename
    body = _text_in(await request.body()) if kind.startswith("application/json") else None
    if body is None:
        raise InputError("send JSON {\"text\": ...} or a multipart form with a file")
    if len(body.text.encode()) > limit:
        raise InputTooLarge(f"text is over the limit of {limit} bytes")
    return partial(lg.ingest_text, body.text, body.source), body.source


async def _finished(request: Request, lg: Ledger, job: Job) -> Response:
    """A finished job answered as the synchronous route did: the document, or the error's status."""
    if job.exception is not None:
        raise job.exception  # the app's handler maps it (422 for bad input, 413, ...)
    if job.result is None:  # failed without an AccordError: the worker logged it
        from accord.web import error_response

        return error_response(request, 500, INTERNAL)
    result = job.result
    document = await run_in_threadpool(lg.document, result.document) if result.document is not None else None
    return JSONResponse(_jsonable({"status": result.status, "document": document, "job": job.id}),
                        status_code=201 if result.status == "added" else 200)


JobId = Annotated[str, Path(pattern=f"^{JOB_ID.pattern}$", description="The id the ingest answered with.")]


def find_job(request: Request, job_id: str) -> Job:
    """The job, or 404 saying why it may be gone."""
    found = app_jobs(request.app.state).get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id} in this server: finished jobs are kept for an hour, "
                                 "and a restart forgets them")
    return found


@router.get("/jobs/{job_id}", response_model=m.Job, summary="An ingest job: queued, running, done (with its document) or failed")
def ingest_job(job_id: JobId, request: Request) -> Response:
    return JSONResponse(find_job(request, job_id).summary())


def upload_name(sent: str | None) -> str:
    """An upload's name as the person knows it: the last part of what the browser sent ("../../etc/passwd"
    is "passwd"), without control characters; "upload" when nothing is left. Never a path on this server."""
    name = re.split(r"[/\\]", sent or "")[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] if name not in ("", ".", "..") else "upload"


def declared_length(request: Request) -> int:
    """The body's Content-Length, 0 when absent; 400 for one that is not a number."""
    value = request.headers.get("content-length") or "0"
    if not value.strip().isdigit():
        raise HTTPException(400, "Content-Length: not a number of bytes")
    return int(value)


def _text_in(raw: bytes) -> TextIn:
    try:
        return TextIn.model_validate_json(raw)
    except ValidationError as exc:
        raise InputError("; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                                   for e in exc.errors())) from None


@router.post("/commitments/{commitment_id}/status", status_code=201, response_model=m.CommitmentFull, summary="Record a status or stage change")
def set_status(commitment_id: Id, body: StatusIn, lg: LedgerDep,
               user: Annotated[str, Depends(require_writer)]) -> Response:
    item = lg.status(commitment_id, body.status, body.evidence, field="stage" if body.stage else "status",
                     source=body.source, observed=body.observed, by=user)
    return JSONResponse(_jsonable(item), status_code=201)


@router.post("/documents/{document_id}/parties", response_model=m.Document, summary="Correct a document's parties (it may move relation)")
def set_parties(document_id: Id, body: PartiesIn, lg: LedgerDep,
                user: Annotated[str, Depends(require_writer)]) -> Response:
    try:
        document = lg.set_parties(document_id, body.parties, by=user)
    except NotFound:
        raise
    except InputError as exc:  # an unknown code: the request is wrong, not unprocessable
        raise HTTPException(400, str(exc)) from None
    return JSONResponse(_jsonable(document))


@router.post("/review/{candidate_id}/{decision}", response_model=m.Candidate, summary="Accept or reject an evidence candidate")
def decide(candidate_id: Id, decision: str, lg: LedgerDep, user: Annotated[str, Depends(require_writer)]) -> Response:
    if decision not in ("accept", "reject"):
        raise InputError("decision: accept or reject")
    result = lg.accept(candidate_id, user) if decision == "accept" else lg.reject(candidate_id, user)
    return JSONResponse(_jsonable(result))


@router.post("/commitments/{commitment_id}/merge", response_model=m.CommitmentFull, summary="Merge another commitment into this one")
def merge(commitment_id: Id, body: MergeIn, lg: LedgerDep, user: Annotated[str, Depends(require_writer)]) -> Response:
    return JSONResponse(_jsonable(lg.merge(commitment_id, body.other, user)))


@router.post("/commitments/{commitment_id}/split", response_model=m.CommitmentFull, summary="Take a statement out into its own commitment")
def split(commitment_id: Id, body: SplitIn, lg: LedgerDep, user: Annotated[str, Depends(require_writer)]) -> Response:
    return JSONResponse(_jsonable(lg.split(commitment_id, body.statement, user)))


__all__ = ["router"]
