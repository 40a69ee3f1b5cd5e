"""`accord report`: a brief a person would send, per pillar, in Markdown, HTML, CSV or JSON.

Each commitment with its status (and who set it), flags, first pledge and
reaffirmations, its sources and the progress of its targets; charts of target
progress, statuses by pillar and a timeline of pledges and evidence, as PNG
images (embedded in HTML; files beside a Markdown report, or embedded when it
goes to standard output).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

FORMATS = ("md", "html", "csv", "json")
STATUS_COLOURS = {"announced": "#9aa5b1", "in_progress": "#2f80ed", "partial": "#f2c94c", "stalled": "#eb5757",
                  "fulfilled": "#27ae60", "abandoned": "#4f4f4f"}


def render(items: list[dict[str, Any]], totals: dict[tuple[str, str, str], float], today: date, fmt: str,
           output: Path | None = None, pillar: str | None = None) -> str:
    """The report as text; charts go beside `output` for Markdown, inline otherwise."""
    if fmt == "json":
        return json.dumps({"as_of": today.isoformat(), "pillar": pillar, "commitments": items,
                           "totals": [{"relation": r, "metric": m, "unit": u, "value": v}
                                      for (r, m, u), v in sorted(totals.items())]},
                          ensure_ascii=False, indent=1, default=str)
    if fmt == "csv":
        return _csv(items)
    charts = _charts(items, today)
    if fmt == "html":
        return _html(items, totals, today, pillar, charts)
    return _markdown(items, totals, today, pillar, charts, output)


def _by_pillar(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        groups[item["pillars"][0] if item["pillars"] else "political"].append(item)
    return dict(sorted(groups.items()))


def _progress_line(target: dict[str, Any]) -> str:
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


def _summary(items: list[dict[str, Any]], totals: dict[tuple[str, str, str], float]) -> list[str]:
    statuses = Counter(i["status"] for i in items)
    lines = [f"{len(items)} commitments: " + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in statuses.most_common())]
    for (relation, metric, unit), value in sorted(totals.items()):
        lines.append(f"Targets of {relation} for {metric}: {value:,.0f} {unit} in all (staged targets counted once)")
    old = [i for i in items if i["times_reaffirmed"] and i["status"] not in ("fulfilled", "abandoned")]
    if old:
        lines.append(f"{len(old)} open pledges have been made before (reaffirmed at least once)")
    return lines


def _markdown(items: list[dict[str, Any]], totals: dict[tuple[str, str, str], float], today: date,
              pillar: str | None, charts: dict[str, bytes], output: Path | None) -> str:
    out = [f"# Commitments report{' — ' + pillar if pillar else ''}", "", f"As of {today.isoformat()}.", ""]
    out += [f"- {line}" for line in _summary(items, totals)] + [""]
    for name, png in charts.items():
        if output is not None:
            image = output.with_name(f"{output.stem}-{name}.png")
            image.write_bytes(png)
            out.append(f"![{name.replace('-', ' ')}]({image.name})")
        else:
            out.append(f"![{name.replace('-', ' ')}](data:image/png;base64,{base64.b64encode(png).decode()})")
        out.append("")
    for group, members in _by_pillar(items).items():
        out += [f"## {group.replace('_', ' ').capitalize()}", ""]
        for item in members:
            flags = f" · ⚑ {', '.join(item['flags'])}" if item["flags"] else ""
            out.append(f"### {item['id']}. {item['text']}")
            out.append("")
            out.append(f"**{item['status'].replace('_', ' ')}** ({item['status_origin']})"
                       + (f" · stage {item['stage']}" if item.get("stage") else "")
                       + f" · first pledged {item['first_pledged']}, reaffirmed {item['times_reaffirmed']}×{flags}")
            out.append("")
            for target in item["targets"]:
                out.append(f"- Target: {_progress_line(target)}")
            for s in item["sources"]:
                out.append(f"- Source: {s['title'] or 'document ' + str(s['document'])}"
                           f"{', ' + s['outlet'] if s.get('outlet') else ''}, {s['published'] or 'undated'} "
                           f"(chars {s['start']}–{s['end']}): “{s['text']}”")
            out.append("")
    return "\n".join(out)


def _html(items: list[dict[str, Any]], totals: dict[tuple[str, str, str], float], today: date, pillar: str | None,
          charts: dict[str, bytes]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Commitments report {e(today.isoformat())}</title>",
        "<style>body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;"
        "color:#1f2933}h1,h2,h3{font-family:system-ui,sans-serif}h3{font-size:1.05rem;margin-bottom:.2rem}"
        ".status{display:inline-block;padding:0 .5rem;border-radius:.6rem;color:#fff;font-size:.85rem}"
        "blockquote{margin:.3rem 0 .3rem 1rem;color:#52606d}img{max-width:100%}"
        ".flags{color:#b42318;font-weight:bold}</style></head><body>",
        f"<h1>Commitments report{' — ' + e(pillar) if pillar else ''}</h1><p>As of {e(today.isoformat())}.</p><ul>",
    ]
    parts += [f"<li>{e(line)}</li>" for line in _summary(items, totals)] + ["</ul>"]
    for name, png in charts.items():
        parts.append(f"<figure><img alt='{e(name.replace('-', ' '))}' "
                     f"src='data:image/png;base64,{base64.b64encode(png).decode()}'></figure>")
    for group, members in _by_pillar(items).items():
        parts.append(f"<h2>{e(group.replace('_', ' ').capitalize())}</h2>")
        for item in members:
            colour = STATUS_COLOURS.get(item["status"], "#555")
            parts.append(f"<h3>{item['id']}. {e(item['text'])}</h3><p><span class='status' style='background:{colour}'>"
                         f"{e(item['status'].replace('_', ' '))}</span> ({e(item['status_origin'])}) · first pledged "
                         f"{e(str(item['first_pledged']))}, reaffirmed {item['times_reaffirmed']}×"
                         + (f" · <span class='flags'>⚑ {e(', '.join(item['flags']))}</span>" if item["flags"] else "")
                         + "</p><ul>")
            parts += [f"<li>Target: {e(_progress_line(tg))}</li>" for tg in item["targets"]]
            parts.append("</ul>")
            for s in item["sources"]:
                parts.append(f"<blockquote>“{e(s['text'])}” — {e(s['title'] or 'document ' + str(s['document']))}"
                             f", {e(s['published'] or 'undated')}, chars {s['start']}–{s['end']}</blockquote>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _csv(items: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "pillars", "status", "status_origin", "stage", "flags", "first_pledged", "last_seen",
                     "times_reaffirmed", "text", "targets", "sources"])
    for i in items:
        writer.writerow([i["id"], "; ".join(i["pillars"]), i["status"], i["status_origin"], i.get("stage") or "",
                         "; ".join(i["flags"]), i["first_pledged"], i["last_seen"], i["times_reaffirmed"], i["text"],
                         "; ".join(_progress_line(t) for t in i["targets"]),
                         "; ".join(f"{s['document']}:{s['start']}-{s['end']}" for s in i["sources"])])
    return buffer.getvalue()


def _charts(items: list[dict[str, Any]], today: date) -> dict[str, bytes]:
    """PNG charts: statuses by pillar, target progress, and a timeline of pledges and evidence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: dict[str, bytes] = {}
    pillars = sorted({p for i in items for p in i["pillars"]})
    if pillars:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(pillars) + 1.2))
        left = [0] * len(pillars)
        for status, colour in STATUS_COLOURS.items():
            counts = [sum(1 for i in items if p in i["pillars"] and i["status"] == status) for p in pillars]
            if any(counts):
                ax.barh(pillars, counts, left=left, color=colour, label=status.replace("_", " "))
                left = [a + b for a, b in zip(left, counts)]
        ax.set_title("Commitments by pillar and status")
        ax.legend(loc="lower right", fontsize=8)
        charts["statuses-by-pillar"] = _png(fig)
    tracked = [(f"{i['id']}: {t['metric']}", float(t["progress"]["percent"])) for i in items for t in i["targets"]
               if t.get("progress") and t["progress"].get("percent") is not None]
    if tracked:
        fig, ax = plt.subplots(figsize=(8, 0.45 * len(tracked) + 1.2))
        ax.barh([n for n, _ in tracked], [min(p, 100) for _, p in tracked], color="#2f80ed")
        ax.barh([n for n, _ in tracked], [max(0, 100 - p) for _, p in tracked], left=[min(p, 100) for _, p in tracked],
                color="#e4e7eb")
        ax.set_xlim(0, 100)
        ax.set_title("Targets: share reached (%)")
        charts["target-progress"] = _png(fig)
    pledges: list[Any] = [date.fromisoformat(i["first_pledged"]) for i in items if i["first_pledged"]]
    evidence: list[Any] = [date.fromisoformat(h["observed"]) if isinstance(h["observed"], str) else h["observed"]
                for i in items for h in i.get("history", [])]
    if pledges:
        fig, ax = plt.subplots(figsize=(8, 2.2))
        ax.scatter(pledges, [1] * len(pledges), marker="|", s=300, color="#1f2933", label="pledged or restated")
        if evidence:
            ax.scatter(evidence, [0] * len(evidence), marker="o", color="#27ae60", label="evidence")
        ax.axvline(today, color="#b42318", linewidth=1)  # type: ignore[arg-type]  # matplotlib takes dates
        ax.set_yticks([0, 1], ["evidence", "pledges"])
        ax.set_title("Timeline of pledges and evidence")
        fig.autofmt_xdate()
        charts["timeline"] = _png(fig)
    return charts


def _png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
