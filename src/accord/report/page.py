"""The report as one self-contained HTML page: charts inline as data: URIs, no script, nothing fetched."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from accord.report.brief import evidence_line, history_line, label, progress_line, shown_evidence, source_line
from accord.report.charts import STATUS_COLOURS

# The page may show its own inline images and styles and nothing else: no script runs, nothing is fetched.
_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = (
    "body{font-family:Georgia,serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}"
    "h1,h2,h3{font-family:system-ui,sans-serif}h2{border-bottom:1px solid #cbd2d9;margin-top:2rem;break-after:avoid}"
    "h3{font-size:1.05rem;margin-bottom:.2rem;break-after:avoid}"
    ".status{display:inline-block;padding:0 .5rem;border-radius:.6rem;color:#fff;font-size:.85rem}"
    "blockquote{margin:.3rem 0 .3rem 1rem;color:#52606d}img{max-width:100%}figure{margin:1rem 0}"
    ".flags{color:#b42318;font-weight:bold}.small{font-size:.9rem;color:#3e4c59}"
    "section{break-inside:avoid-page}@page{margin:1.5cm}"
)


def html(doc: dict[str, Any], charts: dict[str, bytes]) -> str:
    """The page; `charts`: chart name → PNG bytes, embedded."""
    pillar = doc["pillar"]
    title = f"Commitments report{' — ' + label(pillar) if pillar else ''}"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<meta http-equiv='Content-Security-Policy' content=\"{_POLICY}\">",
        f"<title>{escape(title)}, {escape(doc['as_of'])}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1><p>As of {escape(doc['as_of'])}.</p><ul>",
    ]
    parts += [f"<li>{escape(line)}</li>" for line in doc["summary"]] + ["</ul>"]
    for name, png in charts.items():
        parts.append(f"<figure><img alt='{escape(name.replace('-', ' '))}' "
                     f"src='data:image/png;base64,{base64.b64encode(png).decode()}'></figure>")
    for group in doc["pillars"]:
        parts.append(f"<h2>{escape(group['label'])} ({len(group['commitments'])})</h2>")
        parts += [_commitment(c) for c in group["commitments"]]
    parts.append("</body></html>")
    return "\n".join(parts)


def _commitment(c: dict[str, Any]) -> str:
    colour = STATUS_COLOURS.get(c["status"], "#555")
    who = f", by {c['status_by']}" if c.get("status_by") else ""
    parts = [
        f"<section><h3>{c['id']}. {escape(c['text'])}</h3>",
        f"<p><span class='status' style='background:{colour}'>{escape(c['status'].replace('_', ' '))}</span> "
        f"({escape(c['status_origin'] + who)})" + (f" · stage {escape(c['stage'])}" if c.get("stage") else "")
        + f" · first pledged {escape(c['first_pledged'] or 'undated')}, reaffirmed {c['times_reaffirmed']}×"
        + (f" · <span class='flags'>⚑ {escape(', '.join(c['flags']))}</span>" if c["flags"] else "") + "</p>",
        f"<p class='small'>Pillars: {escape(', '.join(label(p) for p in c['pillars']) or 'none')}"
        + (f" · parties: {escape(', '.join(c['parties']))}" if c["parties"] else "") + "</p>",
    ]
    if c["targets"]:
        parts.append("<ul>" + "".join(f"<li>Target: {escape(progress_line(t))}</li>" for t in c["targets"]) + "</ul>")
    parts += [f"<blockquote>“{escape(s['text'])}” — {escape(source_line(s))}</blockquote>" for s in c["sources"]]
    evidence = shown_evidence(c)
    if evidence:
        parts.append("<p class='small'>Evidence:</p><ul class='small'>"
                     + "".join(f"<li>{escape(evidence_line(e))}</li>" for e in evidence) + "</ul>")
    if c["history"]:
        parts.append("<p class='small'>Status history:</p><ul class='small'>"
                     + "".join(f"<li>{escape(history_line(h))}</li>" for h in c["history"]) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)
