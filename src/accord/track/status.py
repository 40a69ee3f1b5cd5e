"""Statuses and stages: the scale, the current value from an append-only history, and flags.

Outcomes, not intentions: a status moves only on evidence. A reviewed entry
(set by a person) always wins over an automatic one, however recent; a later
entry supersedes an earlier one only by being appended.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import Any

from accord.errors import InputError
from accord.extract.lexicon import load_yaml


class ScaleError(InputError):
    """A status or stage that is not on the scale, or a change without evidence."""


@cache
def config() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml("tracking.yaml")
    return data


def stage_scale(kind: str) -> list[str]:
    """The stages of a project ("pledged" … "completed") or an instrument ("signed" … "in_force")."""
    stages: dict[str, list[str]] = config()["stages"]
    return stages.get(kind, stages["project"])


def validate(field: str, value: str, evidence: str, kind: str = "project") -> None:
    """Refuse a change that is off the scale or cites no evidence."""
    if not evidence.strip():
        raise ScaleError("every change cites evidence: give --evidence \"...\"")
    scale = config()["statuses"] if field == "status" else stage_scale(kind)
    if value not in scale:
        raise ScaleError(f"{value!r} is not a {field}; use one of: {', '.join(scale)}")


def current(history: list[dict[str, Any]], field: str = "status") -> dict[str, Any] | None:
    """The entry in force: the latest reviewed one, else the latest automatic one.

    `history` rows are in the order they were recorded (ids ascending).
    """
    entries = [h for h in history if h["field"] == field]
    reviewed = [h for h in entries if h["origin"] == "reviewed"]
    pool = reviewed or entries
    return pool[-1] if pool else None


def flags(status: str, targets: list[dict[str, Any]], history: list[dict[str, Any]], first_seen: date,
          today: date, stale_days: int | None = None) -> list[str]:
    """Flags computed from the ledger, never stored: overdue, stale, disputed, review-abandoned."""
    out: list[str] = []
    deadlines = [d for d in (parse_deadline(t.get("deadline")) for t in targets) if d is not None]
    if deadlines and min(deadlines) < today and status != "fulfilled":
        out.append("overdue")
        if status not in ("abandoned", "fulfilled"):
            out.append("review:abandoned?")  # a passed deadline proposes; a person decides
    stale = timedelta(days=stale_days if stale_days is not None else config()["stale_days"])
    last = max([h["observed"] for h in history if h["field"] == "status"], default=first_seen)
    if status not in ("fulfilled", "abandoned") and today - last > stale:
        out.append("stale")
    window = timedelta(days=config()["dispute_days"])
    recent = {h["value"] for h in history if h["field"] == "status" and today - h["observed"] <= window}
    if recent & set(config()["positive"]) and recent & set(config()["negative"]):
        out.append("disputed")
    return out


_YEAR = re.compile(r"\b(19|20)\d\d\b")
_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"], 1)}


def parse_deadline(text: str | None) -> date | None:
    """The last day a deadline allows: "by 2030" → 2030-12-31, "early 2026" → 2026-06-30,
    "before June 2027" → 2027-05-31, "through 2025" → 2025-12-31; relative phrases → None."""
    if not text:
        return None
    low = text.lower()
    m = _YEAR.search(low)
    if not m:
        return None
    year = int(m.group(0))
    month = next((n for name, n in _MONTHS.items() if name in low), None)
    if month is not None:
        if low.startswith("before"):
            return date(year, month, 1) - timedelta(days=1)
        return _month_end(year, month)
    if "early" in low:
        return date(year, 6, 30)
    if "mid" in low:
        return date(year, 9, 30)
    if low.startswith("before"):
        return date(year - 1, 12, 31)
    return date(year, 12, 31)


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
