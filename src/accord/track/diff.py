"""What changed between two sides, two documents or two occasions of a relation: commitments new in B,
continued from A (their wording word by word, their targets), dropped since A.

For two outlets' reports of the same event the same lists read as what one
reported that the other did not.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from typing import Any

from accord.errors import InputError
from accord.ledger import NotFound

Side = dict[str, Any]

_SELECTOR = re.compile(r"#(?P<id>\d+)|(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")
_SELECTORS = "a year (2026), a month (2026-04), a date (2026-04-10) or an occasion id ('#12')"


def document_id(value: int | str, name: str) -> int:
    """A document id as given on a command line or in a query string."""
    if isinstance(value, int) or str(value).strip().isdigit():
        return int(value)
    raise InputError(f"{name}: {value!r} is not a document id; to compare two occasions of a relation, "
                     "give the relation (--relation USA-JPN) and a year, a date or an occasion id")


def document_side(document: dict[str, Any]) -> Side:
    """One document as a side of a diff (a row of `queries.documents`)."""
    shown = {k: document[k] for k in ("id", "title", "outlet", "published")}
    return {"kind": "document", "id": document["id"], "relation": document["relation"],
            "date": document["published"], "documents": [shown],
            "label": f"document {document['id']}: {_titled(shown)}, {document['published'] or 'undated'}"}


def occasion_side(relation: str, occasions: list[dict[str, Any]], selector: int | str, name: str) -> Side:
    """The one occasion of `relation` that `selector` names: a year, a month, a date or "#id".

    `occasions` as `queries.occasions` lists them. A year or month holding several occasions is an
    error that lists them: guessing would compare the wrong meeting without saying so."""
    text = str(selector).strip()
    match = _SELECTOR.fullmatch(text)
    if match is None or (match["month"] and not 1 <= int(match["month"]) <= 12):
        raise InputError(f"{name}: {text!r} is not {_SELECTORS}; document ids go without a relation")
    if match["id"]:
        found = [o for o in occasions if o["id"] == int(match["id"])]
        if not found:
            raise NotFound(f"{name}: no occasion #{match['id']} of {relation} (see `accord relations {relation}`)")
    elif match["day"]:
        try:
            day = date.fromisoformat(text).isoformat()
        except ValueError:
            raise InputError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None
        # A document's own date names its occasion too (an occasion is dated by its earliest document).
        found = [o for o in occasions if o["date"] == day or any(d["published"] == day for d in o["documents"])]
    else:
        found = [o for o in occasions if (o["date"] or "").startswith(text + "-")]
    if not found:
        years = sorted({o["date"][:4] for o in occasions if o["date"]})
        held = f"its occasions are of {', '.join(years)}" if years else "its occasions are undated"
        raise NotFound(f"{name}: no occasion of {relation} in {text}; {held} (see `accord relations {relation}`)")
    if len(found) > 1:
        listed = ", ".join(f"#{o['id']} {o['date']} ({_titled(o['documents'][0])})" for o in found)
        raise InputError(f"{name}: {relation} has {len(found)} occasions in {text}: {listed}; "
                         f"give a date or an occasion id ('#{found[0]['id']}')")
    occasion = found[0]
    titles = "; ".join(_titled(d) for d in occasion["documents"])
    return {"kind": "occasion", "id": occasion["id"], "relation": relation, "date": occasion["date"],
            "documents": occasion["documents"],
            "label": f"occasion #{occasion['id']} of {relation}, {occasion['date'] or 'undated'}: {titles}"}


def same_relation(a: Side, b: Side) -> str | None:
    """The relation both sides belong to; a diff across relations compares unrelated undertakings."""
    if a["relation"] != b["relation"]:
        said = [f"{s['kind']} {s['id']} is of {s['relation']}" if s["relation"] else
                f"{s['kind']} {s['id']} has no relation (correct its parties with `accord documents --set-parties`)"
                for s in (a, b)]
        raise InputError(f"{said[0]} but {said[1]}: a diff compares documents of one relation")
    relation: str | None = a["relation"]
    return relation


def diff(commitments: list[dict[str, Any]], a: Side, b: Side,
         targets: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    """`commitments` as the ledger lists them (with sources); `targets` each statement's own targets
    (`queries.statements`), so that a deadline moved on an unchanged value is still seen."""
    docs_a = {d["id"] for d in a["documents"]}
    docs_b = {d["id"] for d in b["documents"]}
    new, continued, dropped = [], [], []
    for c in commitments:
        in_a = [_source(s) for s in c["sources"] if s["document"] in docs_a]
        in_b = [_source(s) for s in c["sources"] if s["document"] in docs_b]
        row = {"commitment": c["id"], "pillars": c["pillars"], "text": c["text"]}
        if in_a and in_b:
            first, second = _closest(in_a, in_b)
            words = word_diff(first["text"], second["text"])
            continued.append({**row, "a": in_a, "b": in_b,
                              "wording_changed": any(op["op"] != "equal" for op in words), "words": words,
                              "targets": target_changes(_targets(in_a, targets), _targets(in_b, targets))})
        elif in_b:
            new.append({**row, "b": in_b, "targets": _targets(in_b, targets)})
        elif in_a:
            dropped.append({**row, "a": in_a, "targets": _targets(in_a, targets)})
    return {"relation": a["relation"], "a": a, "b": b, "new": new, "dropped": dropped, "continued": continued}


def word_diff(a: str, b: str) -> list[dict[str, str]]:
    """Ops that turn `a` into `b` word by word (words split at white space, rejoined with one space)."""
    old, new = a.split(), b.split()
    ops: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append({"op": "equal", "text": " ".join(old[i1:i2])})
            continue
        if i2 > i1:
            ops.append({"op": "delete", "text": " ".join(old[i1:i2])})
        if j2 > j1:
            ops.append({"op": "insert", "text": " ".join(new[j1:j2])})
    return ops


def target_changes(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A continued commitment's targets side by side: unchanged, changed (value or deadline), added, dropped.

    Targets restated exactly pair first; the others pair by metric and unit in the order stated, so
    "US$2 billion by 2030" restated as "US$3 billion by 2032" reads as one target raised and moved."""
    left, right = list(a), list(b)
    out = []
    for tg in a:
        same = next((o for o in right if _key(o) == _key(tg)), None)
        if same is not None:
            left.remove(tg)
            right.remove(same)
            out.append(_change("unchanged", tg, same))
    for tg in list(left):
        other = next((o for o in right if (o["metric"], o["unit"]) == (tg["metric"], tg["unit"])), None)
        if other is not None:
            left.remove(tg)
            right.remove(other)
            out.append(_change("changed", tg, other))
    out += [_change("dropped", tg, None) for tg in left] + [_change("added", None, tg) for tg in right]
    return out


def _change(kind: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> dict[str, Any]:
    either = a or b
    assert either is not None
    metric, unit = either["metric"], either["unit"]
    if kind == "changed" and a is not None and b is not None:
        parts = []
        if a["value"] != b["value"]:
            parts.append(f"value changed {_values(a['value'], b['value'], unit)}")
        if a["deadline"] != b["deadline"]:
            parts.append(f"deadline {_deadline(a['deadline'])} → {_deadline(b['deadline'])}")
        said = "; ".join(parts)
    elif kind == "unchanged":
        said = f"unchanged, {_target(either)}"
    else:
        said = f"target {kind}, {_target(either)}"
    return {"metric": metric, "unit": unit, "change": kind, "a": _plain_target(a), "b": _plain_target(b),
            "said": f"{metric}: {said}"}


def _plain_target(tg: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if tg is None else {"value": tg["value"], "deadline": tg["deadline"], "statement": tg["statement"]}


def _key(tg: dict[str, Any]) -> tuple[Any, ...]:
    return tg["metric"], tg["unit"], tg["value"], tg["deadline"]


def _targets(sources: list[dict[str, Any]], targets: dict[int, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One side's targets of a commitment, each once however many of its sources state it."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for s in sources:
        for tg in targets.get(s["statement"], []):
            row = {"metric": tg["metric"], "value": tg["value"], "unit": tg["unit"], "deadline": tg["deadline"],
                   "statement": s["statement"]}
            out.setdefault(_key(row), {**row, "said": f"{tg['metric']}: {_target(row)}"})
    return list(out.values())


def _source(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s[k] for k in ("document", "statement", "start", "end", "text")}


def _closest(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The pair of sources to compare word by word: the closest, so that two outlets' paraphrases of one
    occasion don't pass for a change of wording between occasions."""
    pairs = [(x, y) for x in a for y in b]
    return max(pairs, key=lambda p: difflib.SequenceMatcher(None, p[0]["text"].split(), p[1]["text"].split(),
                                                            autojunk=False).ratio())


def _titled(document: dict[str, Any]) -> str:
    return f"{document['title'] or 'untitled'} ({document['outlet'] or 'no outlet'})"


def _target(tg: dict[str, Any]) -> str:
    by = f" by {_deadline(tg['deadline'])}" if tg["deadline"] else ""
    return f"{_amount(tg['value'])} {tg['unit']}{by}"


def _deadline(text: str | None) -> str:
    return re.sub(r"^by\s+", "", text) if text else "none"


_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def _scaled(value: float) -> tuple[str, str]:
    for size, word in _SCALES:
        if abs(value) >= size:
            return f"{value / size:,.3f}".rstrip("0").rstrip("."), word
    return f"{value:,.3f}".rstrip("0").rstrip("."), ""


def _amount(value: float) -> str:
    number, word = _scaled(value)
    return f"{number} {word}".strip()


def _values(a: float, b: float, unit: str) -> str:
    """"2 → 3 billion USD" when both are of one scale, else "950 million → 2 billion USD"."""
    (x, scale_a), (y, scale_b) = _scaled(a), _scaled(b)
    if scale_a == scale_b:
        return " ".join(p for p in (f"{x} → {y}", scale_a, unit) if p)
    return f"{_amount(a)} → {_amount(b)} {unit}"
