"""Pages for finding things: search over statements with facets, the entities index, and Atom feeds of changes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from accord.model import Pillar
from accord.web.api import relation_key
from accord.web.pages import STATEMENT_TYPES, LedgerDep, Reader, label, render
from accord.web.paging import page_of

router = APIRouter()

PageNumber = Annotated[int | None, Query(ge=1, le=1_000_000, description="Page of the list, from 1")]
Text = Annotated[str | None, Query(max_length=500)]
ENTITY_KINDS = ("person", "organization", "place", "project", "instrument", "event")
ATOM = "http://www.w3.org/2005/Atom"


@router.get("/search", response_class=HTMLResponse, dependencies=Reader)
def search(request: Request, lg: LedgerDep, q: Text = None, pillar: Pillar | None = None,
           type: Annotated[str | None, Query(pattern="^(" + "|".join(STATEMENT_TYPES) + ")$")] = None,
           relation: Text = None, year: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
           page: PageNumber = None) -> Response:
    """Every statement that names the words, narrowed by pillar, type, relation and year, with the counts
    each choice would give."""
    words = (q or "").strip()
    chosen = {"pillar": pillar.value if pillar else None, "type": type,
              "relation": relation_key(relation) if relation else None, "year": year}
    hits, facets = lg.search_facets(words, **chosen) if words else ([], {})
    _total, exact = lg.search_count(words) if words else (0, True)
    at = page_of(len(hits), page)
    filters = {k: v for k, v in {"q": words, **chosen}.items() if v}
    return render(request, "search.html", q=words, hits=at.rows(hits), page=at.context(), facets=facets, more=not exact,
                  chosen={k: v for k, v in chosen.items() if v},
                  query=lambda **kw: urlencode({k: v for k, v in {**filters, **kw}.items() if v is not None}),
                  json_url="/api/v1/search?" + urlencode({"q": words}) if words else None,
                  csv_url="/api/v1/search?" + urlencode({"q": words, "format": "csv"}) if words else None)


@router.get("/entities", response_class=HTMLResponse, dependencies=Reader)
def entities(request: Request, lg: LedgerDep,
             kind: Annotated[str | None, Query(pattern="^(" + "|".join(ENTITY_KINDS) + ")$")] = None,
             q: Text = None, page: PageNumber = None) -> Response:
    """Canonical names with their aliases and how often they are named, by kind, most named first."""
    every = lg.entities()
    counts = {k: sum(1 for e in every if e["kind"] == k) for k in ENTITY_KINDS}
    name = (q or "").strip().casefold()
    items = [e for e in every if (kind is None or e["kind"] == kind)
             and (not name or any(name in n.casefold() for n in [e["name"], *e["aliases"]]))]
    items.sort(key=lambda e: (-e["mentions"], e["name"].casefold()))
    at = page_of(len(items), page)
    filters = {k: v for k, v in (("kind", kind), ("q", (q or "").strip() or None)) if v}
    api = "/api/v1/entities" + (f"?{urlencode({'kind': kind})}" if kind else "")
    return render(request, "entities.html", items=at.rows(items), page=at.context(), kind=kind, q=q or "",
                  counts=counts, kinds=ENTITY_KINDS, query=lambda **kw: urlencode({**filters, **kw}),
                  json_url=api, csv_url=api + ("&" if kind else "?") + "format=csv")


@router.get("/feed.atom", dependencies=Reader, response_class=Response,
            responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom feed"}})
def ledger_feed(request: Request, lg: LedgerDep) -> Response:
    """New commitments and status changes across the ledger, newest first."""
    return _atom(request, lg.changes(), "Accord: every relation", "/feed.atom", "/")


@router.get("/relations/{key}/feed.atom", dependencies=Reader, response_class=Response,
            responses={200: {"content": {"application/atom+xml": {}}, "description": "An Atom feed"}})
def relation_feed(key: str, request: Request, lg: LedgerDep) -> Response:
    """New commitments and status changes of one relation, newest first."""
    name = relation_key(key)
    changes = lg.changes(name)  # NotFound: 404
    return _atom(request, changes, f"Accord: {name}", f"/relations/{name}/feed.atom", f"/relations/{name}")


def _atom(request: Request, changes: list[dict[str, Any]], title: str, self_path: str, page_path: str) -> Response:
    """An Atom 1.0 document (RFC 4287) of `changes`; ElementTree escapes every text."""
    base = str(request.base_url).rstrip("/")
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = base + self_path
    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "updated").text = _stamp(changes[0]["at"] if changes else None)
    ET.SubElement(feed, "link", rel="self", href=base + self_path, type="application/atom+xml")
    ET.SubElement(feed, "link", rel="alternate", href=base + page_path, type="text/html")
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "Accord"
    for change in changes:
        entry = ET.SubElement(feed, "entry")
        url = f"{base}/commitments/{change['commitment']}"
        if change["kind"] == "commitment":
            ET.SubElement(entry, "id").text = url
            ET.SubElement(entry, "title").text = f"New commitment #{change['commitment']}: {_short(change['text'])}"
            summary = f"{change['text']} ({change['relation'] or 'parties not read'})"
        else:
            ET.SubElement(entry, "id").text = f"{url}#change-{change['change']}"
            ET.SubElement(entry, "title").text = (f"#{change['commitment']} {change['field']}: "
                                                  f"{label(change['value']).lower()} — {_short(change['text'])}")
            summary = f"{change['evidence']} (observed {change['observed']}; {_who(change)})"
        ET.SubElement(entry, "updated").text = _stamp(change["at"])
        ET.SubElement(entry, "link", rel="alternate", href=url, type="text/html")
        ET.SubElement(entry, "summary").text = summary
        if change["relation"]:
            ET.SubElement(entry, "category", term=change["relation"])
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, media_type="application/atom+xml")


def _stamp(value: datetime | None) -> str:
    """RFC 3339 in UTC; a stored time without a zone (SQLite) is UTC, as it was written."""
    if value is None:
        return "1970-01-01T00:00:00Z"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(text: str, size: int = 90) -> str:
    return text if len(text) <= size else text[: size - 1].rsplit(" ", 1)[0] + "…"


def _who(change: dict[str, Any]) -> str:
    if change["origin"] == "automatic":
        return "automatic"
    verb = "reviewed" if change["reviewed"] else "recorded"
    return f"{verb} by {change['by']}" if change["by"] else verb
