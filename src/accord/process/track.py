"""Tracking jobs: evidence proposed from new documents, statuses people record, indicators and their
observations, and the automatic statuses those suggest."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from accord.errors import InputNotFound
from accord.model import Document, Statement
from accord.process.curate import transaction_for
from accord.process.known import KnownState, view_of
from accord.resolve.entities import EntityRef


def link_evidence(conn: Connection, doc_id: int, doc: Document, statements: list[Statement],
                  refs: list[list[EntityRef | None]], actors: list[list[dict[str, Any]]], state: KnownState,
                  relation: str | None) -> int:
    """Propose statements of `doc` that report progress as evidence for known commitments of its relation."""
    from accord.ledger import queries, tracking
    from accord.resolve.commitments import candidates
    from accord.track.evidence import link, progress_cue

    same_relation = [c for c in state.commitments.values() if c.relation == relation]
    if relation is None or not same_relation:
        return 0
    found = [(k, cue) for k, s in enumerate(statements)
             if (cue := progress_cue(s.text, s.type, s.confidence)) is not None]
    if not found:
        return 0
    reports = candidates([view_of(doc.sha256, statements[k], refs[k], actors[k], relation, cue=False)
                          for k, _ in found])
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
    """Observations from CSV (indicator, period, value, source[, unit, frequency]), all or nothing."""
    import csv
    from decimal import Decimal, InvalidOperation

    from accord.errors import InputError
    from accord.ledger import tracking

    if not path.exists():
        raise InputNotFound(f"{path}: no such file")
    added = 0
    with path.open(encoding="utf-8", newline="") as f, transaction_for(engine) as conn:
        reader = csv.DictReader(f)
        missing = {"indicator", "period", "value", "source"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        touched: set[int] = set()
        for n, row in enumerate(reader, start=2):
            try:
                value = Decimal(row["value"].replace(",", "").strip())
                period = period_end(row["period"].strip())
            except (InvalidOperation, ValueError):
                raise InputError(f"{path}:{n}: bad value or period ({row['value']!r}, {row['period']!r})") from None
            indicator = tracking.add_indicator(conn, row["indicator"].strip(), (row.get("unit") or "").strip() or "USD",
                                               (row.get("frequency") or "").strip() or "yearly", None)
            added += tracking.add_observation(conn, indicator, period, float(value), row["source"].strip())
            touched.add(indicator)
        suggest_from_indicators(conn, touched)
    return added


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
