"""The report in Markdown: charts are links to PNG files beside it, never inline images."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from accord.report.brief import evidence_line, history_line, label, progress_line, shown_evidence, source_line, \
    status_line

CHARTS_LEFT_OUT = ("Charts (statuses by pillar, target progress, timeline) are not part of this text: "
                   "`accord report --format md --out DIR` writes them as PNG files into DIR, linked from "
                   "DIR/report.md.")
_SPECIAL = re.compile(r"([\\`*_{}\[\]#|!~])")
_ENTITY = re.compile(r"&(?=[#A-Za-z0-9])")  # only an & that could start an entity: "Economy & trade" stays


def markdown(doc: dict[str, Any], charts: dict[str, str] | None = None) -> str:
    """`charts`: chart name → relative link of its PNG file; None: say where they would go."""
    pillar = doc["pillar"]
    out = [f"# Commitments report{' — ' + text(label(pillar)) if pillar else ''}", "",
           f"As of {doc['as_of']}.", ""]
    out += [f"- {text(line)}" for line in doc["summary"]] + [""]
    if charts is None:
        out += [f"_{CHARTS_LEFT_OUT}_", ""]
    for name, link in (charts or {}).items():
        out += [f"![{name.replace('-', ' ')}]({quote(link)})", ""]
    for group in doc["pillars"]:
        out += [f"## {text(group['label'])} ({len(group['commitments'])})", ""]
        for c in group["commitments"]:
            out += _commitment(c)
    return "\n".join(out)


def _commitment(c: dict[str, Any]) -> list[str]:
    flags = f" · ⚑ {text(', '.join(c['flags']))}" if c["flags"] else ""
    status, _, rest = status_line(c).partition(" (")
    out = [f"### {c['id']}. {text(c['text'])}", "",
           f"**{text(status)}** ({text(rest)}{flags}", "",
           f"- Pillars: {text(', '.join(label(p) for p in c['pillars']) or 'none')}"
           + (f" · parties: {text(', '.join(c['parties']))}" if c["parties"] else "")]
    out += [f"- Target: {text(progress_line(t))}" for t in c["targets"]]
    out += [f"- Source: {text(source_line(s))}: “{text(s['text'])}”" for s in c["sources"]]
    out.append("")
    evidence = shown_evidence(c)
    if evidence:
        out += ["Evidence:", ""] + [f"- {text(evidence_line(e))}" for e in evidence] + [""]
    if c["history"]:
        out += ["Status history:", ""] + [f"- {text(history_line(h))}" for h in c["history"]] + [""]
    return out


def text(value: str) -> str:
    """`value` as plain text in Markdown: on one line, its HTML and Markdown syntax shown, never run.
    Entities for < > and an & that could start one (every Markdown renderer knows HTML entities);
    backslashes for Markdown's own syntax."""
    value = " ".join(value.split())
    value = _ENTITY.sub("&amp;", value).replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", value)
