"""The report as one structured document: pillars → commitments with sources, targets, evidence and history.

Every format (md, html, csv, json, pdf) is drawn from this one document, so they can't disagree. A
commitment with several pillars is listed under each of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from accord.model import Pillar

if TYPE_CHECKING:
    from accord.api import Ledger

NO_PILLAR = "no pillar"
SHOWN_OBSERVATIONS = 6  # md/html show a target's latest observations; json keeps them all


def gather(ledger: Ledger, pillar: str | None = None) -> dict[str, Any]:
    """The report document of `ledger`, with its status histories, accepted evidence and indicator series."""
    from accord.ledger import tracking
    from accord.track.view import totals

    items = ledger.commitments(pillar=pillar)
    with ledger.engine.connect() as conn:
        histories = tracking.histories(conn, [i["id"] for i in items])
    for item in items:
        item["history"] = histories[item["id"]]
    return build(items, totals(items), ledger.today, pillar, accepted=ledger.review(state="accepted"),
                 indicators=ledger.indicators())


def build(items: list[dict[str, Any]], totals: dict[tuple[str, str, str], float], today: date,
          pillar: str | None = None, *, accepted: list[dict[str, Any]] | None = None,
          indicators: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The document from enriched commitments (`Ledger.commitments` with a `history` each). `accepted`:
    evidence candidates people accepted; `indicators`: the series targets are tracked against."""
    series = {i["id"]: i for i in indicators or []}
    quoted: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in accepted or []:
        quoted[c["commitment_id"]].append(c)
    commitments = [_commitment(item, quoted[item["id"]], series) for item in items]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in commitments:
        for p in c["pillars"] or [NO_PILLAR]:
            if pillar is None or p == pillar:
                groups[p].append(c)
    return {
        "as_of": today.isoformat(),
        "pillar": pillar,
        "summary": summary(commitments, totals),
        "totals": [{"relation": r, "metric": m, "unit": u, "value": v} for (r, m, u), v in sorted(totals.items())],
        "pillars": [{"pillar": p, "label": label(p), "commitments": groups[p]} for p in _pillar_order(groups)],
    }


def commitments_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Each commitment of the document once, in the order first met."""
    seen: dict[int, dict[str, Any]] = {}
    for group in doc["pillars"]:
        for c in group["commitments"]:
            seen.setdefault(c["id"], c)
    return list(seen.values())


def _pillar_order(groups: dict[str, list[dict[str, Any]]]) -> list[str]:
    known = [p.value for p in Pillar if p.value in groups]  # the guideline's order, not the alphabet's
    other = sorted(p for p in groups if p not in known and p != NO_PILLAR)
    return known + other + ([NO_PILLAR] if NO_PILLAR in groups else [])


def _commitment(item: dict[str, Any], accepted: list[dict[str, Any]], series: dict[int, dict[str, Any]]
                ) -> dict[str, Any]:
    targets = [{k: t.get(k) for k in ("id", "metric", "value", "unit", "deadline", "progress")}
               | {"indicator": _series(series.get(t["indicator"])) if t.get("indicator") else None}
               for t in item["targets"]]
    evidence = [{"kind": "document", "text": c["evidence"], "document": c["document"], "title": c["title"],
                 "published": _day(c["published"]), "start": c["start"], "end": c["end"],
                 "suggested": c["suggested"], "stage": c["stage"], "by": c.get("decided_by"),
                 "decided_at": _day(c.get("decided_at"))} for c in accepted]
    observed = {(t["indicator"]["name"], o["period"]): {  # two targets on one series: its figures once
        "kind": "indicator", "indicator": t["indicator"]["name"], "period": o["period"], "value": o["value"],
        "unit": t["indicator"]["unit"], "source": o["source"]}
        for t in targets if t["indicator"] for o in t["indicator"]["observations"]}
    evidence += list(observed.values())
    return {
        "id": item["id"], "text": item["text"], "pillars": list(item["pillars"]), "relation": item.get("relation"),
        "parties": [p["code"] if isinstance(p, dict) else p for p in item.get("parties") or []],
        "actors": list(item.get("actors") or []), "status": item["status"],
        "status_origin": item["status_origin"], "status_by": item.get("status_by"), "stage": item.get("stage"),
        "flags": list(item["flags"]), "deadline": item.get("deadline"), "first_pledged": item["first_pledged"],
        "last_seen": item.get("last_seen"), "times_reaffirmed": item["times_reaffirmed"],
        "sources": [{k: s.get(k) for k in ("document", "title", "outlet", "published", "start", "end", "text")}
                    for s in item["sources"]],
        "targets": targets,
        "evidence": evidence,
        "history": [{"field": h["field"], "value": h["value"], "observed": _day(h["observed"]),
                     "recorded_at": _day(h.get("recorded_at")), "by": h.get("by"), "origin": h["origin"],
                     "evidence": h["evidence"], "source": h.get("source"), "supersedes": h.get("supersedes")}
                    for h in item.get("history", [])],
    }


def _series(indicator: dict[str, Any] | None) -> dict[str, Any] | None:
    if indicator is None:
        return None
    return {"name": indicator["name"], "unit": indicator["unit"],
            "observations": [{"period": _day(o["period"]), "value": o["value"], "source": o["source"]}
                             for o in indicator["observations"]]}


def _day(value: Any) -> str | None:
    """Dates and times as ISO text, whichever form the query gave them in."""
    return None if value is None else value if isinstance(value, str) else value.isoformat()


def summary(commitments: list[dict[str, Any]], totals: dict[tuple[str, str, str], float]) -> list[str]:
    statuses = Counter(c["status"] for c in commitments)
    lines = [f"{len(commitments)} commitments: "
             + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in statuses.most_common())]
    for (relation, metric, unit), value in sorted(totals.items()):
        lines.append(f"Targets of {relation} for {metric}: {value:,.0f} {unit} in all (staged targets counted once)")
    old = [c for c in commitments if c["times_reaffirmed"] and c["status"] not in ("fulfilled", "abandoned")]
    if old:
        lines.append(f"{len(old)} open pledges have been made before (reaffirmed at least once)")
    return lines


def label(pillar: str) -> str:
    """A pillar as people read it, as the dashboard writes it: "economy_trade" → "Economy & trade"."""
    words = pillar.split("_")
    return (f"{words[0]} & {words[1]}" if len(words) == 2 else " ".join(words)).capitalize()


def progress_line(target: dict[str, Any]) -> str:
    base = f"{target['metric']}: {target['value']:,} {target['unit']}" + (
        f" ({target['deadline']})" if target.get("deadline") else "")
    p = target.get("progress")
    if not p or p.get("latest") is None:
        return base
    extra = f" — {p['percent']}% reached ({float(p['latest']):,.2f} in {p['latest_period']})"
    if p.get("pace_needed"):
        extra += f", needs {float(p['pace_needed']):,.2f} a year"
    if p.get("projected"):
        extra += f", on trend by {p['projected']}"
    return base + extra


def status_line(c: dict[str, Any]) -> str:
    who = f", by {c['status_by']}" if c.get("status_by") else ""
    return (f"{c['status'].replace('_', ' ')} ({c['status_origin']}{who})"
            + (f" · stage {c['stage']}" if c.get("stage") else "")
            + f" · first pledged {c['first_pledged'] or 'undated'}, reaffirmed {c['times_reaffirmed']}×")


def history_line(h: dict[str, Any]) -> str:
    """Who set what, when, on which evidence and source: one entry of the append-only history."""
    who = h["by"] or ("Accord" if h["origin"] == "automatic" else "an unnamed reviewer")
    return (f"{h['observed']}: {h['field']} → {h['value'].replace('_', ' ')}, by {who} ({h['origin']}"
            + (f", recorded {h['recorded_at'][:10]}" if h.get("recorded_at") else "") + ")"
            + (f" — “{h['evidence']}”" if h.get("evidence") else "")
            + (f" (source: {h['source']})" if h.get("source") else ""))


def evidence_line(e: dict[str, Any]) -> str:
    if e["kind"] == "indicator":
        return f"{e['indicator']}: {float(e['value']):,.2f} {e['unit']} for {e['period']} (source: {e['source']})"
    by = f", accepted by {e['by']}" if e.get("by") else ", accepted"
    return (f"“{e['text']}” — {e['title'] or 'document ' + str(e['document'])}, {e['published'] or 'undated'}, "
            f"chars {e['start']}–{e['end']}{by}")


def source_line(s: dict[str, Any]) -> str:
    return (f"{s['title'] or 'document ' + str(s['document'])}{', ' + s['outlet'] if s.get('outlet') else ''}, "
            f"{s['published'] or 'undated'} (chars {s['start']}–{s['end']})")


def shown_evidence(c: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence md and html show: every accepted quote, and each series' latest observations."""
    quotes = [e for e in c["evidence"] if e["kind"] == "document"]
    by_series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in c["evidence"]:
        if e["kind"] == "indicator":
            by_series[e["indicator"]].append(e)
    return quotes + [o for obs in by_series.values() for o in obs[-SHOWN_OBSERVATIONS:]]
