"""Commitments as tracked: status and stage in force, flags, reaffirmations, target progress.

Everything here is computed from the ledger at read time; flags are never stored.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from accord.extract.dateline import body_start
from accord.ledger import queries, tracking
from accord.track.progress import target_progress
from accord.track.status import current, flags, parse_deadline


def enrich(conn: Connection, items: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Add status, stage, flags, reaffirmations and target progress to ledger commitments."""
    ids = [c["id"] for c in items]
    histories = tracking.histories(conn, ids)
    links = tracking.target_links(conn)
    series = {i: tracking.observations(conn, i) for i in set(links.values())}
    units = tracking.indicator_units(conn)
    projects = queries.named_projects(conn, ids)
    deadlines = _deadline_mentions(conn, ids)
    for item in items:
        history = histories[item["id"]]
        status = current(history, "status")
        stage = current(history, "stage")
        item["status"] = status["value"] if status else "announced"
        item["status_origin"] = status["origin"] if status else "automatic"
        item["status_set"] = _how_set(status)
        item["status_by"] = status["by"] if status else None
        offset = body_start(item["text"])  # "PHNOM PENH, May 20 - Cambodia and ...": the title starts at "Cambodia"
        item["title"], item["title_offset"] = item["text"][offset:], offset
        item["stage"] = stage["value"] if stage else ("pledged" if item["id"] in projects else None)
        for target in item["targets"]:
            indicator = links.get(target["id"])
            target["indicator"] = indicator
            target["progress"] = None if indicator is None else \
                progress_of(target, series[indicator], units.get(indicator), today)
        item["deadlines"] = deadlines.get(item["id"], [])
        dated = item["targets"] + [{"deadline": d} for d in item["deadlines"]]
        item["flags"] = flags(item["status"], dated, history, date.fromisoformat(item["first_seen"]), today)
        item["deadline"], item["deadline_text"] = _earliest_deadline(dated)
    return items


def progress_of(target: dict[str, Any], series: list[tuple[date, float]], unit: str | None,
                today: date) -> dict[str, Any]:
    """A target's progress against an indicator's series, as the ledger's readers show it."""
    p = target_progress(Decimal(repr(target["value"])), series, parse_deadline(target["deadline"]), today)
    return {**p.to_dict(), "unit": unit}


def _how_set(entry: dict[str, Any] | None) -> str:
    """How the status in force was set: "recorded" (a person typed it), "reviewed" (a person accepted
    evidence a later document gave) or "automatic" (the default, or an indicator's figures)."""
    if entry is None or entry["origin"] == "automatic":
        return "automatic"
    return "reviewed" if entry.get("statement_id") is not None else "recorded"


def _earliest_deadline(dated: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The earliest deadline a commitment states (ISO date, the words that state it), or (None, None)."""
    parsed = [(d, item["deadline"]) for item in dated if (d := parse_deadline(item.get("deadline"))) is not None]
    if not parsed:
        return None, None
    day, words = min(parsed, key=lambda pair: pair[0])
    return day.isoformat(), words


SORTS = {"id": "id", "text": "text", "status": "status", "first": "first_seen", "last": "last_seen",
         "pledged": "first_pledged", "reaffirmed": "times_reaffirmed", "documents": "documents",
         "deadline": "deadline"}


def sort_commitments(items: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Sort by a column of the table; a leading "-" reverses. Unknown columns sort by id."""
    from accord.track.status import config

    key = SORTS.get(sort.lstrip("-"), "id")
    scale: list[str] = config()["statuses"]

    def value(c: dict[str, Any]) -> Any:
        if key == "status":
            return scale.index(c["status"]) if c["status"] in scale else len(scale)
        if key == "text":
            return c["text"].casefold()
        if key == "deadline":  # undated last, whichever way
            return c["deadline"] or ("0000" if sort.startswith("-") else "9999")
        return c[key] if c[key] is not None else ""

    return sorted(items, key=value, reverse=sort.startswith("-"))


def totals(items: list[dict[str, Any]]) -> dict[tuple[str, str, str], float]:
    """Sum of targets per relation, metric and unit — never across relations: Vietnam–Laos trade and
    Kenya–Chile trade are not one total. Each commitment counts once at its highest stage:
    "US$5 billion, then US$10 billion" adds 10 billion, not 15."""
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for item in items:
        best: dict[tuple[str, str, str], float] = {}
        for target in item["targets"]:
            key = (item.get("relation") or "unknown parties", target["metric"], target["unit"])
            best[key] = max(best.get(key, 0.0), float(target["value"]))
        for key, value in best.items():
            out[key] += value
    return dict(out)


def _deadline_mentions(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    """Deadlines stated without a figure: "build the railway link by 2024"."""
    out: dict[int, list[str]] = defaultdict(list)
    for commitment_id, text in queries.date_mentions(conn, ids):
        if text.lower().startswith(("by ", "before ", "through ", "until ", "no later than ")) \
                and text not in out[commitment_id]:
            out[commitment_id].append(text)
    return dict(out)
