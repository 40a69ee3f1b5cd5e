"""Indicators in the dashboard: the list, one indicator's series (an SVG drawn here, no script), CSV
upload, and linking a commitment's target to an indicator; with the JSON twin of one indicator.

The upload makes the same library call as `accord indicator import`, all or nothing; a bad file is
refused in the library's one sentence (file name and row), flashed on the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PureWindowsPath
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.errors import InputError, InputTooLarge
from accord.ledger.store import NotFound
from accord.web import models
from accord.web.api import ERRORS, MAX_ID, Id, declared_length
from accord.web.auth import require_reader
from accord.web.pages import (FORM_SLACK, LedgerDep, Reader, back, check_csrf, flash, settings_of, writer,
                              render)

router = APIRouter()


@router.get("/indicators", response_class=HTMLResponse, dependencies=Reader)
def indicators(request: Request, lg: LedgerDep) -> Response:
    return render(request, "indicators.html", items=lg.indicators(), limit=settings_of(request).max_upload_bytes,
                  json_url="/api/v1/indicators")


@router.get("/indicators/{indicator_id}", response_class=HTMLResponse, dependencies=Reader)
def indicator(indicator_id: Id, request: Request, lg: LedgerDep) -> Response:
    item = lg.indicator(indicator_id)
    return render(request, "indicator.html", i=item, chart=chart(item["observations"], item["targets"]),
                  json_url=f"/api/v1/indicators/{indicator_id}")


@router.get("/api/v1/indicators/{indicator_id}", dependencies=[Depends(require_reader)], tags=["indicators"],
            response_model=models.IndicatorFull, responses=ERRORS,
            summary="An indicator: its observations with sources, and the targets it tracks with their progress")
def indicator_json(indicator_id: Id, lg: LedgerDep) -> Response:
    return JSONResponse(lg.indicator(indicator_id))


@router.post("/indicators")
async def upload(request: Request, lg: LedgerDep) -> Response:
    """Import an uploaded CSV of observations; the result or the file's one problem is flashed."""
    writer(request)
    limit = settings_of(request).max_upload_bytes
    length = declared_length(request)
    if length > limit + FORM_SLACK:
        raise InputTooLarge(f"the upload of {length} bytes is over the limit of {limit} bytes")
    async with request.form(max_part_size=limit + FORM_SLACK) as form:  # closes the spooled upload
        check_csrf(request, form)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            flash(request, "Choose a CSV file to import.", "error")
            return back("/indicators")
        data = await file.read(limit + 1)
        name = shown_name(file.filename)
    if len(data) > limit:
        raise InputTooLarge(f"the file is over the limit of {limit} bytes")
    try:
        added, rows = await run_in_threadpool(lg.import_observations_data, data, name)
    except InputError as exc:  # one sentence naming the row; nothing was stored
        flash(request, str(exc), "error")
    else:
        flash(request, f"{name}: {added} observation{'' if added == 1 else 's'} added"
                        f"{f' ({rows - added} already in the ledger)' if rows > added else ''}.")
    return back("/indicators")


@router.post("/commitments/{commitment_id}/targets/{target_id}/indicator")
async def link(commitment_id: Id, target_id: Id, request: Request, lg: LedgerDep) -> Response:
    """Track one of the commitment's targets against the indicator the form names (by id)."""
    writer(request)
    form = await request.form()
    check_csrf(request, form)
    chosen = str(form.get("indicator") or "").strip()
    done = back(f"/commitments/{commitment_id}#target-{target_id}")
    if not chosen.isdigit() or not 1 <= int(chosen) <= MAX_ID:
        flash(request, "Choose an indicator to track the target against.", "error")
        return done
    item = await run_in_threadpool(lg.commitment, commitment_id)
    if not any(t["id"] == target_id for t in item["targets"]):
        raise NotFound(f"commitment {commitment_id} has no target {target_id}")
    found = await run_in_threadpool(lg.indicator, int(chosen))  # NotFound for an unknown id
    await run_in_threadpool(lg.link_target, target_id, found["id"])
    flash(request, f"Target {target_id} is tracked by {found['name']}.")
    return done


def shown_name(filename: str) -> str:
    """An upload's name as messages show it: the last part of the path the browser sent, printable, short."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", PureWindowsPath(filename).name)  # splits on / and \ alike
    return (name[:80] + "…" if len(name) > 80 else name) or "upload"


@dataclass(frozen=True, slots=True)
class Chart:
    """An indicator's series as an SVG line: coordinates in a `WIDTH` × `HEIGHT` box."""

    points: list[tuple[float, float, date, float]]  # x, y, period, value
    line: str  # the polyline's points
    ticks: list[tuple[float, float]]  # y, value: the axis' lowest, middle and highest
    goals: list[tuple[float, dict[str, Any]]]  # y, target: the linked targets' values as dashed lines
    left: float = 0.0  # where the plot begins and ends, across
    right: float = 0.0
    labels: float = 0.0  # the baseline of the periods' labels


# The box, and room for the value labels at the left and half a period's label at either end
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 104, 40, 16, 40


def chart(observations: list[dict[str, Any]], targets: list[dict[str, Any]]) -> Chart | None:
    """One value per period (the latest recorded wins, as progress reads it); the y axis from zero (or the
    lowest value) to the highest value or target; None without observations."""
    series: dict[str, float] = {}
    for o in observations:  # by period, then as recorded
        series[o["period"]] = float(o["value"])
    if not series:
        return None
    periods = [date.fromisoformat(p) for p in series]
    values = list(series.values())
    goals = [float(t["value"]) for t in targets]
    low, high = min(0.0, *values), max(*values, *goals, 0.0)
    if high == low:
        high = low + 1
    first, last = periods[0].toordinal(), periods[-1].toordinal()
    span_x = (last - first) or 1

    def x(day: date) -> float:
        if first == last:
            return LEFT + (WIDTH - LEFT - RIGHT) / 2
        return round(LEFT + (day.toordinal() - first) / span_x * (WIDTH - LEFT - RIGHT), 1)

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * (HEIGHT - TOP - BOTTOM), 1)

    points = [(x(d), y(v), d, v) for d, v in zip(periods, values)]
    return Chart(points=points, line=" ".join(f"{px},{py}" for px, py, _, _ in points),
                 ticks=[(y(v), v) for v in (low, (low + high) / 2, high)],
                 goals=[(y(float(t["value"])), t) for t in targets], left=LEFT, right=WIDTH - RIGHT,
                 labels=HEIGHT - BOTTOM + 26)
