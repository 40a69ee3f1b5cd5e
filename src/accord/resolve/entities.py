"""Mentions to canonical entities: lexicon aliases, diacritics, titles, defined abbreviations.

"Tô Lâm", "To Lam" and "General Secretary To Lam" are one person; "Việt Nam",
"Viet Nam" and "Vietnam" one place; "Communist Party of Vietnam (CPV)" makes
"CPV" an alias of the party wherever it appears later. Pure: the resolver is
given the aliases the ledger already knows and returns what to store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from accord.extract.lexicon import load_jsonl, load_yaml, strip_diacritics

NAMED_KINDS = ("person", "organization", "place", "project", "instrument", "event")
_ABBR = re.compile(r"^(?P<name>.+?)\s*\((?P<abbr>[A-Za-z][A-Za-z0-9&.\- ]{0,14})\)$")
_DASH = re.compile(r"\s*[-–—]\s*")


@lru_cache(maxsize=1 << 16)  # the same names come back in every document of a run
def alias_key(text: str) -> str:
    """The lookup key of a name: no diacritics, one apostrophe, one dash, case folded."""
    text = strip_diacritics(text).replace("’", "'").replace("‘", "'")
    text = _DASH.sub("-", text)
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A canonical entity: its kind, name and lookup key, and the aliases to record."""

    kind: str
    name: str
    key: str
    aliases: tuple[str, ...] = field(default=())


@cache
def _lexicon() -> dict[str, tuple[str, str]]:
    """alias key -> (kind, canonical name) for every lexicon entity."""
    out: dict[str, tuple[str, str]] = {}
    for entity in load_jsonl("entities"):
        for alias in [entity["name"], *entity.get("aliases", [])]:
            out.setdefault(alias_key(alias), (entity["kind"], entity["name"]))
    return out


@cache
def _titles() -> tuple[str, ...]:
    titles: list[str] = load_yaml("mentions.yaml")["person_titles"]
    return tuple(sorted((alias_key(t) + " " for t in titles), key=len, reverse=True))


class EntityResolver:
    """Resolves the mentions of one document, remembering abbreviations it defines."""

    def __init__(self, known: dict[tuple[str, str], EntityRef]) -> None:
        self.known = known  # (kind, alias key) -> entity, from the ledger
        self.defined: dict[str, EntityRef] = {}
        self.surnames: dict[str, EntityRef] = {}  # first and last names of people named in full

    def resolve(self, text: str, kind: str) -> EntityRef | None:
        """The entity a mention names; None for dates and money."""
        if kind not in NAMED_KINDS:
            return None
        name, abbr = text, None
        m = _ABBR.match(text)
        if m:
            name, abbr = m.group("name"), m.group("abbr")
        key = self._strip_titles(alias_key(name), kind)
        if abbr is None and key in self.defined:
            return self.defined[key]
        if kind == "person" and " " not in key and key in self.surnames:
            return self.surnames[key]  # "Lam" after "To Lam" in the same document
        ref = self._lookup(key, kind, name)
        if abbr:
            ref = EntityRef(ref.kind, ref.name, ref.key, tuple(sorted({*ref.aliases, abbr})))
            self.defined[alias_key(abbr)] = ref
        self.known.setdefault((ref.kind, key), ref)
        if ref.kind == "person":
            for part in key.split()[:1] + key.split()[-1:]:
                self.surnames.setdefault(part, ref)
        return ref

    def _lookup(self, key: str, kind: str, surface: str) -> EntityRef:
        lexicon = _lexicon().get(key)
        if lexicon is not None:
            lex_kind, canonical = lexicon
            return EntityRef(lex_kind, canonical, alias_key(canonical), (surface,))
        for k in (kind, *NAMED_KINDS):
            found = self.known.get((k, key))
            if found is not None:
                return EntityRef(found.kind, found.name, found.key, (surface,))
        return EntityRef(kind, _tidy(surface, kind), key, (surface,))

    def _strip_titles(self, key: str, kind: str) -> str:
        if kind != "person":
            return key
        changed = True
        while changed:
            changed = False
            for title in _titles():
                if key.startswith(title) and len(key) > len(title):
                    key = key[len(title):]
                    changed = True
        return key


def _tidy(surface: str, kind: str) -> str:
    """A first-seen name as canonical: titles off for people, single spaces."""
    name = " ".join(surface.split())
    if kind == "person":
        for title in sorted(load_yaml("mentions.yaml")["person_titles"], key=len, reverse=True):
            if name.startswith(title + " "):
                name = name[len(title) + 1 :]
    return name
