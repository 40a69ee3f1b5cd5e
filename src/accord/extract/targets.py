"""Targets: amounts of money and other quantities that a sentence sets as a goal.

"increase bilateral trade to US$5 billion in the near future and move toward
US$10 billion" gives two targets of metric "bilateral trade": 5e9 USD by "in
the near future", and 1e10 USD with no deadline. A figure reported as reached
("trade reached US$2.3 billion") is not a target.
"""

from __future__ import annotations

import re
from typing import Any

_NUM = r"\d+(?:[.,]\d+)*"


class TargetReader:
    """Finds amounts in a sentence and keeps those set as goals."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.currencies: dict[str, str] = config["currencies"]
        self.scales: dict[str, float] = {k.lower(): float(v) for k, v in config["scales"].items()}
        self.number_words: dict[str, float] = {k: float(v) for k, v in config["number_words"].items()}
        self.units: dict[str, str] = config["units"]
        cur = "|".join(re.escape(c) for c in sorted(self.currencies, key=len, reverse=True))
        scale = "|".join(sorted(self.scales, key=len, reverse=True))
        words = "|".join(sorted(self.number_words, key=len, reverse=True))
        unit = "|".join(re.escape(u) for u in sorted(self.units, key=len, reverse=True))
        number = rf"(?:{_NUM}|(?:{words}))"
        self.money = re.compile(
            rf"(?<![\w$€£¥₹])(?:(?P<cur1>{cur})\s?(?P<n1>{number})(?:\s?(?P<s1>{scale}))?(?![\w])"
            rf"|(?P<n2>{number})(?:\s?(?P<s2>{scale}))?\s?(?P<cur2>{cur})(?![\w]))",
            re.IGNORECASE,
        )
        self.quantity = re.compile(
            rf"(?<![\w])(?P<n>{number})(?:\s?(?P<s>{scale}))?\s?(?P<u>{unit})(?![\w])", re.IGNORECASE
        )
        self.metrics = [(m["metric"], re.compile(r"(?<![\w-])(?:" + "|".join(m["patterns"]) + r")(?![\w-])",
                                                  re.IGNORECASE)) for m in config["metrics"]]
        self.goal = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, config["goal_words"])) + r")(?![\w-])",
                               re.IGNORECASE)
        self.report = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, config["report_words"])) +
                                 r")\s+(?:\w+\s+){0,2}$", re.IGNORECASE)

    def read(self, text: str, mentions: list[tuple[int, int, str]], type_: str) -> list[dict[str, Any]]:
        """Targets of one sentence; offsets relative to `text`."""
        amounts = self._amounts(text)
        out: list[dict[str, Any]] = []
        for i, (start, end, value, unit) in enumerate(amounts):
            clause_start = max(text.rfind(";", 0, start) + 1, 0)
            before = text[clause_start:start]
            if self.report.search(before) or not self.goal.search(before[-120:]):
                continue
            metric = self._metric(text, clause_start, start, end)
            if metric == "unspecified":  # "provide 2,000 scholarships", "provide $150 million"
                metric = "funding" if unit in set(self.currencies.values()) else unit
            target: dict[str, Any] = {"metric": metric,
                                      "value": value, "unit": unit, "start": start, "end": end}
            limit = amounts[i + 1][0] if i + 1 < len(amounts) else len(text)
            semi = text.find(";", end)
            if semi >= 0:
                limit = min(limit, semi)
            deadline = next((m for m in mentions if m[2] == "date" and end <= m[0] < min(limit, end + 90)), None)
            if deadline is not None:
                target["deadline"] = text[deadline[0] : deadline[1]]
                target["deadline_start"], target["deadline_end"] = deadline[0], deadline[1]
            out.append(target)
        return out

    def _amounts(self, text: str) -> list[tuple[int, int, float, str]]:
        found: list[tuple[int, int, float, str]] = []
        for m in self.money.finditer(text):
            cur = m.group("cur1") or m.group("cur2")
            number = m.group("n1") or m.group("n2")
            scale = m.group("s1") or m.group("s2")
            code = self.currencies.get(cur) or self.currencies.get(cur.upper()) or cur.upper()
            found.append((m.start(), m.end(), self._value(number, scale), code))
        for m in self.quantity.finditer(text):
            if any(s <= m.start() < e for s, e, _, _ in found):
                continue
            unit = self.units.get(m.group("u")) or self.units.get(m.group("u").lower(), m.group("u"))
            found.append((m.start(), m.end(), self._value(m.group("n"), m.group("s")), unit))
        return sorted(found)

    def _value(self, number: str, scale: str | None) -> float:
        low = number.lower()
        if low in self.number_words:
            base = self.number_words[low]
        else:
            base = float(number.replace(",", ""))
        if scale:
            base *= self.scales[scale.lower()]
        return base

    def _metric(self, text: str, clause_start: int, start: int, end: int) -> str:
        window = text[clause_start:start] + " " + text[end : end + 60]
        best: tuple[int, str] | None = None
        for metric, regex in self.metrics:
            for m in regex.finditer(window):
                distance = abs(len(text[clause_start:start]) - m.end())
                if best is None or distance < best[0]:
                    best = (distance, metric)
        if best is not None:
            return best[1]
        before = text[clause_start:start]
        goal = None
        for goal in self.goal.finditer(before):
            pass
        if goal is not None:  # what follows the last goal word: "increase [the budget for defence] to"
            before = before[goal.end() :]
        words = re.findall(r"[\w’'-]+", before)[-7:]
        while words and words[-1].lower() in {"to", "of", "at", "by", "a", "an", "the", "least", "about", "some"}:
            words.pop()
        return " ".join(words) or "unspecified"
