"""Targets: amounts that a sentence sets as a goal, pledges, buys or holds.

Reading a target has two steps. The rules here find every *amount* a target
could be — money in any written currency, shares and rates, quantities of a
unit, "ten-fold", counted things ("three patrol vessels", "5,000 teachers"),
ranges ("$6 to $10 million", "20-25 percent") — and what surrounds it: a goal
word before it in its clause, a word that reports it as reached, whether it
is a parenthetical restatement in another currency. The learned target model
(`accord.extract.learned`) then decides which amounts are targets
(GUIDELINE.md "Targets"): "will provide $50 million" is one, "trade reached
US$2.3 billion last year" is not. Units are ISO 4217 codes for money, `%` for
shares, otherwise the unit or counted noun as written ("tonnes", "vessels").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NUM = r"\d+(?:[.,]\d+)*"
_WORD = re.compile(r"[a-z][a-z'’-]*")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass(slots=True)
class Amount:
    """One amount found in a sentence; offsets relative to the sentence."""

    start: int
    end: int
    value: float
    unit: str
    unit_class: str  # money | percent | unit | count | fold
    high: float | None = None  # a range's upper bound
    in_parentheses: bool = False  # "(550 billion baht)" restating an amount before it


class TargetReader:
    """Finds the amounts of a sentence and the context the target model reads."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.currencies: dict[str, str] = config["currencies"]
        self.codes = set(self.currencies.values())
        self.scales: dict[str, float] = {k.lower(): float(v) for k, v in config["scales"].items()}
        self.number_words: dict[str, float] = {k: float(v) for k, v in config["number_words"].items()}
        self.units: dict[str, str] = config["units"]
        self.count_stop = set(config["count_stop_words"])
        self.count_skip = set(config["count_number_words_skipped"])
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
            rf"(?<![\w])(?P<n>{number})(?:\s?(?P<s>{scale}))?\s?(?P<u>{unit})(?P<per>\s?/\s?\w+|\s+per\s+\w+)?(?![\w])",
            re.IGNORECASE,
        )
        self.fold = re.compile(rf"(?<![\w])(?P<n>{number})[- ]fold(?![\w])", re.IGNORECASE)
        self.count = re.compile(rf"(?<![\w$€£¥₹.,-])(?P<n>{_NUM}|{words})(?:\s(?P<s>{scale}))?\s(?=[A-Za-z(])",
                                re.IGNORECASE)
        self.more = re.compile(rf"(?<![\w$€£¥₹.,-])(?P<n>{_NUM}|{words})\s(?:more|additional|further)(?=\s*(?:[,.;:)]|$|"
                               r"(?:if|when|as|in|by|to|from|for|later|over|after|before|and|or)\b))", re.IGNORECASE)
        self.range_low = re.compile(rf"(?<![\w.,])(?:(?:{cur})\s?)?(?P<n>{_NUM})(?:\s?(?P<s>{scale}))?\s?(?:-|–|to)\s?$",
                                    re.IGNORECASE)
        self.metrics = [(m["metric"], re.compile(r"(?<![\w-])(?:" + "|".join(m["patterns"]) + r")(?![\w-])",
                                                  re.IGNORECASE)) for m in config["metrics"]]
        self.goal = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, config["goal_words"])) + r")(?![\w-])",
                               re.IGNORECASE)
        self.signals: dict[str, frozenset[str]] = {name: frozenset(w.lower() for w in ws)
                                                   for name, ws in config.get("signals", {}).items()}
        self.signal_words = frozenset().union(*self.signals.values())  # every word a group names
        self.report = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, config["report_words"])) +
                                 r")\s+(?:\w+\s+){0,2}$", re.IGNORECASE)

    # -- amounts -------------------------------------------------------------------------------

    def amounts(self, text: str, mentions: list[tuple[int, int, str]]) -> list[Amount]:
        """Every amount of `text`, in order; dates are never amounts."""
        found: list[Amount] = []
        dates = [(s, e) for s, e, k in mentions if k == "date"]

        def free(s: int, e: int) -> bool:
            return not any(a.start < e and s < a.end for a in found) and not any(ds < e and s < de for ds, de in dates)

        for m in self.money.finditer(text):
            cur = m.group("cur1") or m.group("cur2")
            code = self.currencies.get(cur) or self.currencies.get(cur.upper()) or self._code(cur)
            found.append(self._ranged(text, Amount(m.start(), m.end(), self._value(m.group("n1") or m.group("n2"),
                                                                                      m.group("s1") or m.group("s2")),
                                                   code, "money")))
        for m in self.quantity.finditer(text):
            if not free(m.start(), m.end()):
                continue
            written = m.group("u")
            unit = self.units.get(written) or self.units.get(written.lower(), written.lower())
            if m.group("per"):
                unit += m.group("per").lower()
            kind = "percent" if unit == "%" else "unit"
            found.append(self._ranged(text, Amount(m.start(), m.end(), self._value(m.group("n"), m.group("s")),
                                                   unit, kind)))
        for m in self.fold.finditer(text):
            if free(m.start(), m.end()):
                found.append(Amount(m.start(), m.end(), self._value(m.group("n"), None), "fold", "fold"))
        for m in self.count.finditer(text):
            counted = self._counted(text, m)
            if counted is not None and free(m.start(), counted[1]):
                found.append(counted[0])
        for m in self.more.finditer(text):  # "three vessels, with up to two more": the noun left out is the last one
            earlier = [a for a in found if a.unit_class == "count" and a.end <= m.start()]
            if earlier and free(m.start(), m.end()) and m.group("n").lower() not in self.count_skip:
                found.append(Amount(m.start(), m.end(), self._value(m.group("n"), None), earlier[-1].unit, "count"))
        found.sort(key=lambda a: a.start)
        # "$6 to $10 million": the range starts at "$6", also found alone; the range holds it.
        found = [a for a in found if not any(b is not a and b.high is not None and b.start <= a.start
                                             and a.end <= b.end for b in found)]
        self._mark_restatements(text, found)
        return found

    def _code(self, written: str) -> str:
        for form, code in self.currencies.items():
            if form.lower() == written.lower():
                return code
        return written.upper()

    def _ranged(self, text: str, amount: Amount) -> Amount:
        """"$6 to $10 million", "50-52 percent": the lower bound is the value, the upper one `max`."""
        low = self.range_low.search(text, max(0, amount.start - 24), amount.start)
        if low is None or re.search(r"\bfrom\s+(?:\S+\s+){0,3}$", text[max(0, low.start() - 40) : low.start()],
                                    re.IGNORECASE):
            return amount  # "from $40 billion to $100 billion" is a change, not a range
        scale = self.scales[low.group("s").lower()] if low.group("s") else None
        value = float(low.group("n").replace(",", ""))
        if scale is None:  # "$6 to $10 million": the scale written once belongs to both
            value *= amount.value / max(self._bare(text, amount), 1e-12)
        else:
            value *= scale
        if not value < amount.value:
            return amount
        return Amount(low.start(), amount.end, value, amount.unit, amount.unit_class, high=amount.value)

    def _bare(self, text: str, amount: Amount) -> float:
        """The written number of an amount without its scale word ("10" of "$10 million")."""
        m = re.search(_NUM, text[amount.start : amount.end])
        return float(m.group().replace(",", "")) if m else amount.value

    def _counted(self, text: str, m: re.Match[str]) -> tuple[Amount, int] | None:
        """A number and the noun it counts: "three patrol vessels", "31 (...) remotely piloted aircraft"."""
        number = m.group("n")
        low = number.lower()
        if low in self.count_skip:
            return None
        if number[0].isdigit() and re.fullmatch(r"(?:1[89]|20|21)\d\d", number):
            return None  # a year
        pos, last, head_end, content = m.end(), None, m.end(), False
        for _ in range(8):
            if text.startswith("(", pos):  # a parenthetical breakdown: "(16 of one kind and 15 of another)"
                close = text.find(")", pos)
                if close < 0:
                    break
                pos = close + 1
                while pos < len(text) and text[pos] == " ":
                    pos += 1
                continue
            w = re.match(r"(?:[A-Z]\.){2,}|[A-Za-z][\w’'-]*", text[pos:])  # "U.S." is one word
            if w is None:
                break
            word = w.group()
            lw = word.lower()
            if lw == "and":
                following = re.match(r"\s+([\w-]+)", text[pos + 3 :])
                if following and (following.group(1)[0].isdigit() or following.group(1).lower() in self.number_words):
                    break  # "90 cars and 19 locomotives", "20 trucks and five buses": two counts
                pos += 4
                continue
            if lw in self.count_stop:
                break
            if word.islower() and lw.endswith(("ed", "ing")) and content:
                break  # "aircraft valued at", "buses including" (not a name: "Boeing aircraft")
            if word.islower() and not lw.endswith("ly") and not lw.endswith(("ed", "ing")):
                content = True
            last, head_end = word, pos + len(word)
            pos = head_end
            if pos < len(text) and text[pos] == " ":
                pos += 1
            else:
                break
        if last is None or not last.islower():
            return None
        value = self._value(number, m.group("s"))
        return Amount(m.start(), head_end, value, last.lower(), "count"), head_end

    def _mark_restatements(self, text: str, amounts: list[Amount]) -> None:
        """"3.5 trillion yen (USD 35 billion)": a restatement in another currency is not a second target."""
        for i, a in enumerate(amounts):
            if a.unit_class != "money":
                continue
            opening = text.rfind("(", 0, a.start)
            if opening < 0 or ")" in text[opening : a.start]:
                continue
            before = [b for b in amounts[:i] if b.unit_class == "money" and b.end <= opening
                      and not text[b.end : opening].strip()]
            if before and before[-1].unit != a.unit:
                a.in_parentheses = True
                for later in amounts[i + 1 :]:  # "(Rs 2,10,000 crore, USD 35 billion)": the whole group
                    if later.start < text.find(")", a.end) and later.unit_class == "money":
                        later.in_parentheses = True

    def _value(self, number: str, scale: str | None) -> float:
        low = number.lower()
        if low in self.number_words:
            base = self.number_words[low]
        else:
            base = float(number.replace(",", ""))
        if scale:
            base *= self.scales[scale.lower()]
        return base

    # -- context ------------------------------------------------------------------------------

    def context(self, text: str, amount: Amount) -> tuple[bool, bool]:
        """(a goal word before it in its clause, reported as reached just before it)."""
        clause_start = max(text.rfind(";", 0, amount.start) + 1, 0)
        before = text[clause_start : amount.start]
        return bool(self.goal.search(before[-120:])), bool(self.report.search(before))

    def signals_of(self, text: str, amount: Amount) -> list[str]:
        """The signal groups (targets.yaml `signals`) around an amount: "future:clause", "past:near", ...

        Besides the word groups: a verb in -ed just before it that no group names ("invested $2 million"),
        "to" + a verb before it ("to provide $50 million"), a year after "in", "since" or "during" in
        its sentence (a time gone by, as a rule) and one after "by", "before" or "until" (a deadline), and
        the first amount of "from X to Y" (where a change starts, not where it is going).
        """
        clause_start = max(text.rfind(";", 0, amount.start) + 1, 0)
        before = _words(text[clause_start : amount.start])
        after = _words(text[amount.end : amount.end + 80])[:6]
        near = before[-4:]
        joined = {f"{a}-{b}" for a, b in zip(before, before[1:])}
        out = []
        for name, group in self.signals.items():
            if group & (set(before) | joined):
                out.append(f"{name}:clause")
            if group & set(near):
                out.append(f"{name}:near")
            if group & set(after):
                out.append(f"{name}:after")
        if any(w.endswith("ed") and w not in self.signal_words and len(w) > 4 for w in before[-3:]):
            out.append("verb-ed:near")
        if re.search(r"\bto\s+[a-z]+\s+(?:\S+\s+){0,3}$", text[clause_start : amount.start].lower()):
            out.append("infinitive:near")
        if re.search(r"\bfrom\s+(?:\S+\s+){0,4}$", text[clause_start : amount.start], re.IGNORECASE) and \
                re.match(r"\s*(?:\S+\s+){0,2}?to\s", text[amount.end : amount.end + 40], re.IGNORECASE):
            out.append("from-to:start")  # "from $40 billion to $100 billion": the level it starts from
        if re.search(r"\b(?:in|since|during|for)\s+(?:the\s+)?(?:(?:year|fiscal year|fy)\s+)?(?:19|20)\d\d\b", text,
                     re.IGNORECASE):
            out.append("year-gone")
        if re.search(r"\b(?:by|before|until|through|within)\s+(?:the\s+end\s+of\s+)?(?:19|20)\d\d\b", text,
                     re.IGNORECASE):
            out.append("year-ahead")
        return out

    def target(self, text: str, amounts: list[Amount], i: int, mentions: list[tuple[int, int, str]]) -> dict[str, Any]:
        """The target record of amounts[i]: metric, value, unit, and the deadline when one is stated."""
        a = amounts[i]
        clause_start = max(text.rfind(";", 0, a.start) + 1, 0)
        metric = self._metric(text, clause_start, a.start, a.end)
        if metric == "unspecified":  # "provide 2,000 scholarships", "provide $150 million"
            metric = "funding" if a.unit in self.codes else a.unit
        out: dict[str, Any] = {"metric": metric, "value": a.value, "unit": a.unit, "start": a.start, "end": a.end}
        if a.high is not None:
            out["max"] = a.high
        following = [b.start for b in amounts[i + 1 :] if not b.in_parentheses]
        limit = following[0] if following else len(text)
        semi = text.find(";", a.end)
        if semi >= 0:
            limit = min(limit, semi)
        deadline = next((m for m in mentions if m[2] == "date" and a.end <= m[0] < min(limit, a.end + 90)), None)
        if deadline is None:  # "Starting in the early 2030s, ... three submarines": a deadline before it
            deadline = next((m for m in mentions if m[2] == "date" and clause_start <= m[0] and m[1] <= a.start
                             and m[0] < 40), None)
        if deadline is not None:
            out["deadline"] = text[deadline[0] : deadline[1]]
            out["deadline_start"], out["deadline_end"] = deadline[0], deadline[1]
        return out

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
