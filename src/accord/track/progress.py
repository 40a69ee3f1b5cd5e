"""A target measured against an indicator: latest value, share done, pace needed, projected date.

Money is computed in Decimal and rounded to the cent, so "US$5 billion"
against 2,345,678,901.23 reads 46.91 %, still to go 2,654,321,098.77.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a target is, by its indicator's observations."""

    target: Decimal
    latest: Decimal | None
    latest_period: date | None
    percent: Decimal | None  # of the target reached, two decimals
    remaining: Decimal | None
    deadline: date | None
    pace_needed: Decimal | None  # per year, to reach the target by the deadline
    trend: Decimal | None  # per year, least squares over the observations
    projected: date | None  # when the trend reaches the target

    def to_dict(self) -> dict[str, object]:
        return {k: (str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v)
                for k, v in (("target", self.target), ("latest", self.latest), ("latest_period", self.latest_period),
                             ("percent", self.percent), ("remaining", self.remaining), ("deadline", self.deadline),
                             ("pace_needed", self.pace_needed), ("trend", self.trend),
                             ("projected", self.projected))}


def target_progress(target: float | Decimal, observations: Sequence[tuple[date, float | Decimal]],
                    deadline: date | None, today: date) -> Progress:
    """Progress of `target` given (period end, value) observations, oldest first or not."""
    goal = _dec(target)
    points = sorted((d, _dec(v)) for d, v in observations)
    if not points:
        return Progress(goal, None, None, None, None, deadline, None, None, None)
    period, latest = points[-1]
    percent = (latest / goal * 100).quantize(CENT, ROUND_HALF_UP) if goal else None
    remaining = max(goal - latest, Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    pace = None
    if deadline is not None and remaining > 0:
        years = Decimal((deadline - max(period, today)).days) / Decimal("365.25")
        pace = (remaining / years).quantize(CENT, ROUND_HALF_UP) if years > 0 else None
    trend = _slope_per_year(points)
    projected = None
    if remaining == 0:
        projected = period
    elif trend is not None and trend > 0:
        days = int((remaining / trend * Decimal("365.25")).to_integral_value(ROUND_HALF_UP))
        projected = period + timedelta(days=days)
    return Progress(goal, latest.quantize(CENT, ROUND_HALF_UP), period, percent, remaining, deadline, pace,
                    trend.quantize(CENT, ROUND_HALF_UP) if trend is not None else None, projected)


def _slope_per_year(points: list[tuple[date, Decimal]]) -> Decimal | None:
    """Least-squares slope of value over time, per year; None with fewer than two periods."""
    if len(points) < 2:
        return None
    xs = [Decimal(d.toordinal()) / Decimal("365.25") for d, _ in points]
    ys = [v for _, v in points]
    n = Decimal(len(points))
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var


def _dec(value: float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(value))
