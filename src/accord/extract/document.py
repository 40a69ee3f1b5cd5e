"""Document-level reading over the blocks of one document, in order.

Sentences are analysed block by block (a block is a line or paragraph);
what needs the whole document so far is done here: abbreviations defined in
the text ("Trade and Investment Framework Agreement (TIFA)") are found again
when used alone, and "the two sides" / "they" resolve to the document's two
main parties.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

from accord.extract.lexicon import load_jsonl, strip_diacritics
from accord.extract.dateline import DATELINE
from accord.model import Actor, Mention, Statement, Target

_COMPOUND = re.compile(r"(?<![\w.-])(?:[A-Z][\w.’']*[-–])+[A-Z][\w.’']*\s")
_DEFINED = re.compile(r"\(([A-Z][A-Za-z0-9&\-]{1,12})\)$")


@cache
def _place_names() -> dict[str, str]:
    """Every spelling of a lexicon place -> its canonical name ("Việt Nam", "Viet Nam" -> one name)."""
    out: dict[str, str] = {}
    for entity in load_jsonl("entities"):
        if entity["kind"] == "place":
            for alias in [entity["name"], *entity.get("aliases", [])]:
                out.setdefault(strip_diacritics(alias).casefold(), entity["name"])
    return out


def canonical_place(name: str) -> str:
    return _place_names().get(strip_diacritics(name).casefold(), name)


class DocumentReader:
    """Turns the raw per-sentence dicts of a document's blocks into Statements."""

    def __init__(self) -> None:
        self.acronyms: dict[str, str] = {}
        self.place_counts: Counter[str] = Counter()
        self.last_person: Actor | None = None
        self.lead: tuple[str, str, float] | None = None  # the type, cue and confidence of a list's lead-in

    def finish(self, block: str, offset: int, raw: list[dict[str, Any]]) -> list[Statement]:
        """Statements of one block; `raw` offsets are relative to `block`, output offsets absolute."""
        out: list[Statement] = []
        for r in raw:
            s, e = r["start"], r["end"]
            r = self._inherit(r, block[s:e])
            spans = [(ms, me, k) for ms, me, k in r["mentions"]]
            spans = self._with_acronyms(block, s, e, spans)
            mentions = [Mention(ms + offset, me + offset, block[ms:me], k) for ms, me, k in spans]
            dateline = DATELINE.match(block, s)
            for m in mentions:
                if m.kind == "place" and not (dateline and m.end - offset <= dateline.end()):
                    self.place_counts[canonical_place(m.text)] += 1
                match = _DEFINED.search(m.text)
                if match and m.kind in ("organization", "instrument", "project", "event", "place"):
                    self.acronyms.setdefault(match.group(1), m.kind)
            targets = [
                Target(metric=t["metric"], value=t["value"], unit=t["unit"], start=t["start"] + s + offset,
                       end=t["end"] + s + offset, deadline=t.get("deadline"),
                       deadline_start=t["deadline_start"] + s + offset if "deadline" in t else None,
                       deadline_end=t["deadline_end"] + s + offset if "deadline" in t else None,
                       max=t.get("max"))
                for t in r["targets"]
            ]
            out.append(Statement(
                start=s + offset, end=e + offset, text=block[s:e], type=r["type"],
                confidence=r["confidence"], cue=r["cue"], pillars=r["pillars"],
                mentions=mentions, targets=targets,
                actors=self._actors(block, offset, r, mentions),
            ))
        return out

    def _inherit(self, r: dict[str, Any], text: str) -> dict[str, Any]:
        """Items of a list read with their lead-in: "The two sides agreed to:" then "- open a consulate;"."""
        if r.get("bullet") and r["cue"] is None and self.lead is not None:
            kind, cue, confidence = self.lead
            pillars = r["every_pillar"]  # a list item typed "other" alone still has its sectors
            return {**r, "type": kind, "confidence": confidence, "cue": f"list under “{cue}”", "pillars": pillars}
        if text.rstrip().endswith(":") and r["type"] in ("commitment", "position", "assessment"):
            self.lead = (r["type"], r["cue"] or "", r["confidence"])
        elif not r.get("bullet"):
            self.lead = None
        return r

    def _with_acronyms(self, block: str, s: int, e: int, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Add (or correct the kind of) abbreviations defined earlier in the document."""
        if not self.acronyms:
            return spans
        out = list(spans)
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, self.acronyms)) + r")(?![\w-])")
        for m in pattern.finditer(block, s, e):
            kind = self.acronyms[m.group(1)]
            start = m.start()
            compound = _COMPOUND.search(block, max(s, start - 60), start)
            if compound and compound.end() == start and kind in ("instrument", "organization", "project"):
                # "U.S.-Indonesia TIFA": the parties' compound belongs to the name
                start = compound.start()
                out = [x for x in out if not (start <= x[0] and x[1] <= m.start())]
                if not any(x[0] < m.end() and start < x[1] for x in out):
                    out.append((start, m.end(), kind))
                continue
            covering = [x for x in out if x[0] <= m.start() and m.end() <= x[1]]
            if not covering:
                if not any(x[0] < m.end() and m.start() < x[1] for x in out):
                    out.append((m.start(), m.end(), kind))
            elif covering[0][:2] == (m.start(), m.end()) and covering[0][2] != kind:
                out[out.index(covering[0])] = (m.start(), m.end(), kind)
        return sorted(out)

    def _actors(self, block: str, offset: int, raw: dict[str, Any], mentions: list[Mention]) -> list[Actor]:
        actors = [Actor(block[a:b], a + offset, b + offset) for a, b in raw["actors"]]
        if actors:
            people = [a for a in actors if any(m.kind == "person" and m.start == a.start for m in mentions)]
            if people:
                self.last_person = people[-1]
            return actors
        if raw["both"]:
            return [Actor(name) for name, _ in self.place_counts.most_common(2)]
        subject = block[raw["start"] : raw["start"] + 12].lower()
        if re.match(r"(he|she)\b", subject) and self.last_person is not None:
            return [Actor(self.last_person.name)]
        return []
