"""Tracking jobs: evidence proposed from new documents, statuses people record, indicators and their
observations, and the automatic statuses those suggest."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from accord.errors import InputError, InputNotFound
from accord.model import Document, Statement, StatementKey
from accord.process.curate import transaction_for
from accord.process.known import KnownState, view_of
from accord.resolve.entities import EntityRef


def link_evidence(conn: Connection, doc_id: int, doc: Document, statements: list[Statement],
                  refs: list[list[EntityRef | None]], actors: list[list[dict[str, Any]]], state: KnownState,
                  relation: str | None, vectors: dict[StatementKey, np.ndarray] | None = None) -> int:
    """Propose statements of `doc` that report progress as evidence for known commitments of its relation.

    `vectors` are the reports' embeddings when they were computed beforehand (outside the write lock)."""
    from dataclasses import replace

    from accord.ledger import queries, tracking
    from accord.resolve.commitments import candidates
    from accord.track.evidence import link, progress_cue

    same_relation = state.of(relation)
    if relation is None or not same_relation:
        return 0
    found = [(k, cue) for k, s in enumerate(statements)
             if (cue := progress_cue(s.text, s.type, s.confidence)) is not None]
    if not found:
        return 0
    views = [view_of(doc.sha256, statements[k], refs[k], actors[k], relation, cue=False) for k, _ in found]
    reports = candidates([replace(v, vector=(vectors or {}).get(v.key)) for v in views])
    links = link(list(zip(reports, [cue for _, cue in found])), same_relation)
    ids = queries.statement_ids(conn, doc_id)
    tracking.add_candidates(conn, [{
        "commitment_id": lk.commitment, "statement_id": ids[(lk.key.start, lk.key.end)],
        "suggested": lk.status, "stage": lk.stage, "score": lk.score, "reason": lk.reason,
    } for lk in links])
    return len(links)


def record_status(engine: Engine, commitment_id: int, value: str, evidence: str, *, field: str = "status",
                  source: str | None = None, observed: date | None = None, by: str | None = None) -> int:
    """A person's status (or stage) change: validated, appended, superseding the entry in force."""
    from accord.ledger import tracking
    from accord.track import current, validate

    with transaction_for(engine) as conn:
        validate(field, value, evidence, _stage_kind(conn, commitment_id))
        in_force = current(tracking.history(conn, commitment_id), field)
        return tracking.append_change(
            conn, commitment_id, field, value, evidence, observed=observed or date.today(), origin="reviewed",
            source=source, by=by, supersedes=in_force["id"] if in_force else None)


def decide_evidence(engine: Engine, candidate_id: int, accept: bool, by: str | None = None) -> dict[str, object]:
    """Accept (a reviewed status change citing the statement) or reject an evidence candidate."""
    from accord.ledger import tracking
    from accord.ledger.store import NotFound
    from accord.track import current

    with transaction_for(engine) as conn:
        c = tracking.candidate(conn, candidate_id)
        if c["state"] != "pending":
            raise NotFound(f"evidence candidate {candidate_id} was already {c['state']}")
        tracking.decide_candidate(conn, candidate_id, "accepted" if accept else "rejected", by)
        if accept:
            observed = c["published"] or date.today()
            for field, value in (("status", c["suggested"]), ("stage", c["stage"])):
                if value is None:
                    continue
                in_force = current(tracking.history(conn, c["commitment_id"]), field)
                tracking.append_change(conn, c["commitment_id"], field, value, c["evidence"], observed=observed,
                                       origin="reviewed", source=f"document:{c['document']}",
                                       statement_id=c["statement_id"], by=by,
                                       supersedes=in_force["id"] if in_force else None)
        return c


def import_observations(engine: Engine, path: Path) -> int:
    """Observations from CSV (indicator, period, value, source[, unit, frequency]), all or nothing;
    how many were new."""
    if not path.exists():
        raise InputNotFound(f"{path}: no such file")
    return import_observation_data(engine, path.read_bytes(), str(path))[0]




def import_observation_data(engine: Engine, data: bytes, name: str) -> tuple[int, int]:
    """Observations from CSV bytes (a file's, an upload's), all or nothing: every row is checked before
    any is written, and a bad one is refused in one sentence naming `name` and its row. (Observations
    added, rows read): a row already there (same indicator, period and source) adds nothing."""
    from accord.ledger import tracking

    rows = _observation_rows(data, name)
    added = 0
    with transaction_for(engine) as conn:
        touched: set[int] = set()
        units: dict[int, str] = {}
        for n, row in rows:
            indicator = tracking.add_indicator(conn, row["indicator"], row["unit"] or "USD",
                                               row["frequency"] or "yearly", None)
            if row["unit"]:
                if indicator not in units:  # once per indicator, not per row
                    units[indicator] = tracking.indicator(conn, indicator)["unit"]
                unit = units[indicator]
                if unit != row["unit"]:
                    raise InputError(f"{name}, row {n}: indicator {row['indicator']!r} is measured in {unit}, "
                                     f"not {row['unit']}; nothing was imported")
            added += tracking.add_observation(conn, indicator, row["period"], row["value"], row["source"])
            touched.add(indicator)
        suggest_from_indicators(conn, touched)
    return added, len(rows)


def _observation_rows(data: bytes, name: str) -> list[tuple[int, dict[str, Any]]]:
    """The CSV's rows, checked and parsed, each with its row number (the header is row 1)."""
    import csv
    import io
    import math
    from decimal import Decimal, InvalidOperation

    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{name}, line {line}: not UTF-8 text; save the file as CSV UTF-8; "
                         "nothing was imported") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out: list[tuple[int, dict[str, Any]]] = []
    try:
        missing = {"indicator", "period", "value", "source"} - {f.strip() for f in reader.fieldnames or []}
        if missing:
            raise InputError(f"{name}: the first row must name the columns indicator, period, value, source "
                             f"(missing: {', '.join(sorted(missing))}); nothing was imported")
        reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
        for n, raw in enumerate(reader, start=2):
            where = f"{name}, row {n}"
            row = {k: (raw.get(k) or "").strip() for k in ("indicator", "period", "value", "source", "unit",
                                                              "frequency")}
            if any("\x00" in v for v in row.values()):
                raise InputError(f"{where}: a NUL character is not allowed; nothing was imported")
            for column in ("indicator", "period", "value", "source"):
                if not row[column]:
                    raise InputError(f"{where}: the {column} is empty; nothing was imported")
            try:
                period = period_end(row["period"])
            except (ValueError, OverflowError):
                raise InputError(f"{where}: the period {_shown(row['period'])} is not a year, a month or a date "
                                 "(2025, 2025-06, 2025-06-30); nothing was imported") from None
            try:
                value = float(Decimal(row["value"].replace(",", "")))
            except InvalidOperation:
                value = math.nan
            if not math.isfinite(value):
                raise InputError(f"{where}: the value {_shown(row['value'])} is not a number; "
                                 "nothing was imported")
            for column, width in (("unit", _width("unit")), ("frequency", _width("frequency"))):
                if len(row[column]) > width:
                    raise InputError(f"{where}: the {column} {_shown(row[column])} is longer than {width} "
                                     "characters; nothing was imported")
            out.append((n, {**row, "period": period, "value": value}))
    except csv.Error as exc:
        raise InputError(f"{name}, line {reader.line_num}: not CSV ({exc}); nothing was imported") from None
    if not out:
        raise InputError(f"{name}: no observations below the header row; nothing was imported")
    return out


def _width(column: str) -> int:
    """The width of an indicators column in the ledger: a longer value is refused in words, not by the database."""
    from sqlalchemy import String

    from accord.ledger import tables

    kind = tables.indicators.c[column].type
    assert isinstance(kind, String) and kind.length is not None
    return kind.length


def _shown(value: str) -> str:
    """A cell quoted in an error message, cut short: the message is one sentence, whatever the file holds."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def suggest_from_indicators(conn: Connection, indicators: set[int]) -> None:
    """Automatic statuses from indicators linked to targets: reached → fulfilled, moving → in_progress.
    Appended only when they change; a reviewed status is never overridden (it wins on read)."""
    from decimal import Decimal

    from accord.ledger import tracking
    from accord.track import parse_deadline, target_progress

    links = tracking.target_links(conn)
    for target_id, indicator in links.items():
        if indicator not in indicators:
            continue
        row = tracking.target_row(conn, target_id)
        if row is None or row["commitment_id"] is None:
            continue
        commitment_id = int(row["commitment_id"])
        series = tracking.observations(conn, indicator)
        p = target_progress(Decimal(repr(row["value"])), series, parse_deadline(row["deadline"]), date.today())
        if p.percent is None or p.latest_period is None:
            continue
        value = "fulfilled" if p.percent >= 100 else "in_progress"
        automatic = [h for h in tracking.history(conn, commitment_id)
                     if h["origin"] == "automatic" and h["field"] == "status"]
        if automatic and automatic[-1]["value"] == value:
            continue
        tracking.append_change(conn, commitment_id, "status", value,
                               f"indicator at {p.latest} ({p.percent}% of {p.target}) for {p.latest_period}",
                               observed=p.latest_period, origin="automatic", source=f"indicator:{indicator}",
                               supersedes=automatic[-1]["id"] if automatic else None)


def period_end(text: str) -> date:
    """'2025' → 2025-12-31, '2025-06' → 2025-06-30, '2025-06-15' → itself."""
    import calendar

    parts = text.split("-")
    if len(parts) == 1:
        return date(int(parts[0]), 12, 31)
    if len(parts) == 2:
        year, month = int(parts[0]), int(parts[1])
        return date(year, month, calendar.monthrange(year, month)[1])
    return date.fromisoformat(text)


def _stage_kind(conn: Connection, commitment_id: int) -> str:
    from accord.ledger import queries

    kinds = queries.mention_kinds(conn, commitment_id)
    return "instrument" if "instrument" in kinds and "project" not in kinds else "project"
