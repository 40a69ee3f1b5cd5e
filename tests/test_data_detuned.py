"""The data files name structures, not phrases of the labelled corpus, and no country.

The cues, pillar words and patterns under `src/accord/data` are the features a
learned model reads; fitted to the labelled documents they would only
remember them. Two checks hold them general:

* **No copied phrase.** No phrase of a data file can match five consecutive
  words that stand in a document of `../shared/corpus` (any of its folders).
* **No country.** No statement cue (`statements.yaml`) or pillar word
  (`pillars.yaml` `terms`/`weak_terms`) names a country, a place in one or a
  demonym, and no pillar `names` entry is a country itself.

What is checked, and what is exempt. The copy check reads every string of
every YAML file under `src/accord/data` (cues, scopes, actor phrases, verb
lists, pillar terms, titles, abbreviations, progress cues, target words) and
every token pattern of `patterns/*.jsonl`. Exempt are the gazetteers of names,
which must be spelled as the documents spell them: `entities/*.jsonl` (places,
people, organizations, instruments, projects, events) and the `names` lists of
`pillars.yaml` (acronyms and proper names: NATO, the South China Sea). The
name patterns of `patterns/*.jsonl` are read all the same: they are token
slots, and a literal five-word name belongs in `entities/`. The country check
reads what decides a statement's type and pillars: every string of
`statements.yaml` and the `terms`/`weak_terms` of `pillars.yaml`, where a
country, a place within one or a demonym appears as a word; and the pillar
`names`, where an entry may name a programme, an institution or a sea but not
be a country itself ("DPRK" as a defence name is a rule about one country).
Lists that are names by nature stay outside it: `mentions.yaml` (demonyms,
titles), `targets.yaml` (currencies), `datelines.yaml` (outlets) and the
entity patterns. YAML comments are not data and are not read. Countries come
from the places gazetteer (every name and alias of an entry that is not a
shared region, sea or river), the demonyms of `mentions.yaml` and `DEMONYMS`.

How a phrase is read. Each string is parsed as a regular expression with the
standard library's own parser (a string that does not parse is a literal) and
expanded into the word sequences it can match literally: alternations,
optional parts, small character classes (`[sd]`, `[- ]`) and `{verbs}`
are enumerated (up to `_CAP` sequences per part; a bigger part counts as a
free slot); whitespace (`\\s+`) is a space; a repeated group
(`(?:\\w+ ){0,4}`) is a free slot or nothing; an unbounded class inside a word
(`reiterat\\w*`) makes a word that matches any completion; lookarounds and
anchors match nothing. Free slots break a sequence into runs, and every
window of five words of a run is looked up in the corpus. Both sides are
lower-cased, typographic quotes and dashes made plain and split into words of
letters, digits, apostrophes and hyphens, so punctuation and spacing never
hide a copy. A spaCy token pattern is expanded the same way, token by token:
`LOWER`/`ORTH`/`TEXT`/`NORM` values and `IN` lists are words, `OP: "?"` makes a
token optional, any other token is a free slot.
"""

from __future__ import annotations

import json
import re
import re._constants as sre_c  # the standard library's own regex parser (Python 3.11, as pyproject pins)
import re._parser as sre_parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).resolve().parent.parent / "src" / "accord" / "data"
WINDOW = 5
_CAP = 20_000  # word sequences one part of a pattern may expand to before it counts as a free slot
_WILD = "\ue000"  # any characters inside a word
_SLOT = "\ue001"  # any words at all
_WORD = re.compile(rf"[\w'{_WILD}{_SLOT}-]+")
_PLAIN = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "–": "-", "—": "-", "‑": "-"})


# ---------------------------------------------------------------- reading the data


@dataclass(frozen=True, slots=True)
class Phrase:
    """One string of a data file: where it stands and the word sequences it can match."""

    file: str
    key: str
    text: str
    expansions: tuple[tuple[str, ...], ...] = field(repr=False)


def data_phrases(root: Path = DATA) -> Iterator[Phrase]:
    """Every phrase of the YAML files and token patterns under `root`, gazetteers left out."""
    for path in sorted(root.glob("*.yaml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        verbs = "|".join(loaded.get("commitment_verbs", [])) if isinstance(loaded, dict) else ""
        for key, text in _strings(loaded):
            if path.name == "pillars.yaml" and key.split("/")[1] == "names":
                continue  # a gazetteer of proper names and acronyms
            yield Phrase(path.name, key, text, expand_regex(text.replace("{verbs}", f"(?:{verbs})")))
    for path in sorted((root / "patterns").glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip() and not line.lstrip().startswith("//"):
                entry = json.loads(line)
                yield Phrase(f"patterns/{path.name}", f"line {n} ({entry['id']})", json.dumps(entry["pattern"]),
                             expand_token_pattern(entry["pattern"]))


def _strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{key}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{key}/{i}")


# ---------------------------------------------------------------- expanding patterns


def expand_regex(pattern: str) -> tuple[tuple[str, ...], ...]:
    """The word sequences `pattern` can match literally; `_SLOT` words stand for any words."""
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return _words_of([pattern])
    return _words_of(_expand(list(parsed)))


def expand_token_pattern(tokens: list[dict[str, Any]]) -> tuple[tuple[str, ...], ...]:
    """The word sequences a spaCy Matcher pattern can match literally."""
    options: list[list[str]] = []
    for token in tokens:
        values: list[str] | None = None
        for attr in ("LOWER", "ORTH", "TEXT", "NORM"):
            value = token.get(attr)
            if isinstance(value, str):
                values = [value]
            elif isinstance(value, dict) and set(value) == {"IN"}:
                values = [str(v) for v in value["IN"]]
        op = token.get("OP", "")
        if values is None or op in ("*", "+"):
            values = [_SLOT]
        spaced = [f"{v} " for v in values]  # tokens are words apart
        options.append(spaced + [""] if op in ("?", "*") else spaced)
    return _words_of(_product(options))


def _expand(items: list[tuple[Any, Any]]) -> list[str]:
    """The strings a parsed (sub)pattern can match, with `_WILD` and `_SLOT` for what it leaves open."""
    return _product([_expand_item(op, av) for op, av in items])


def _expand_item(op: Any, av: Any) -> list[str]:
    if op is sre_c.LITERAL:
        return [chr(av)]
    if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
        return [""]
    if op is sre_c.SUBPATTERN:
        return _expand(list(av[-1]))
    if op is sre_c.ATOMIC_GROUP:
        return _expand(list(av))
    if op is sre_c.BRANCH:
        out = [s for branch in av[1] for s in _expand(list(branch))]
        return out if len(out) <= _CAP else [f" {_SLOT} "]
    if op is sre_c.IN:
        return _expand_class(av)
    if op is sre_c.CATEGORY:
        return [" "] if av is sre_c.CATEGORY_SPACE else [_WILD]
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        low, high, sub = av
        inner = _expand(list(sub))
        if all(not s.strip() for s in inner):  # `\s+`, ` *`: whitespace however long
            return [" "] if low else [" ", ""]
        if high == 1:
            return inner + [""] if low == 0 else inner
        if low == high and low <= 3 and len(inner) ** low <= _CAP:
            return _product([inner] * low)
        if len(sub) == 1 and sub[0][0] in (sre_c.IN, sre_c.CATEGORY, sre_c.LITERAL):
            free = _WILD  # `\w*`, `[a-z]+`: a word's open ending
        else:
            free = f" {_SLOT} "  # `(?:\w+ ){0,4}`: words the pattern leaves open
        return [free, ""] if low == 0 else [free]
    return [_WILD]  # ANY, NOT_LITERAL, group references: one unknown character


def _expand_class(items: list[tuple[Any, Any]]) -> list[str]:
    if items == [(sre_c.CATEGORY, sre_c.CATEGORY_SPACE)]:
        return [" "]
    if all(op is sre_c.LITERAL for op, _ in items) and len(items) <= 8:
        return [chr(c) for _, c in items]
    return [_WILD]


def _product(options: list[list[str]]) -> list[str]:
    out = [""]
    for choice in options:
        if len(out) * len(choice) > _CAP:
            choice = [f" {_SLOT} "]
        out = [a + b for a in out for b in choice]
    return out


def _words_of(strings: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(dict.fromkeys(seq for seq in (tuple(words(s)) for s in strings) if seq))


def words(text: str) -> list[str]:
    """`text` as the words both sides are compared in."""
    found = _WORD.findall(text.translate(_PLAIN).lower())
    return [w for w in found if re.search(rf"[\w{_WILD}{_SLOT}]", w)]


# ---------------------------------------------------------------- the corpus side


@dataclass(slots=True)
class Corpus:
    """The words of every document, with an index from word to where it stands."""

    docs: list[tuple[str, list[str]]]
    grams: set[tuple[str, ...]] = field(default_factory=set)
    where: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for d, (_, toks) in enumerate(self.docs):
            for i, w in enumerate(toks):
                self.where.setdefault(w, []).append((d, i))
            self.grams.update(zip(*(toks[k:] for k in range(WINDOW))))

    def find(self, window: tuple[str, ...]) -> str | None:
        """The document holding `window` (words, some with `_WILD` completions), or None."""
        if _WILD not in "".join(window):
            if window not in self.grams:
                return None
            return next(name for name, toks in self.docs if window in set(zip(*(toks[k:] for k in range(WINDOW)))))
        matchers = [_matcher(w) for w in window]
        choices = [[v for v in self.where if m(v)] for m in matchers]
        if not all(choices):
            return None
        k = min(range(WINDOW), key=lambda j: sum(len(self.where[v]) for v in choices[j]))
        for v in choices[k]:
            for d, i in self.where[v]:
                toks = self.docs[d][1]
                if i - k >= 0 and i - k + WINDOW <= len(toks) \
                        and all(matchers[j](toks[i - k + j]) for j in range(WINDOW)):
                    return self.docs[d][0]
        return None


@cache
def _matcher(word: str) -> Any:
    if _WILD not in word:
        return word.__eq__
    return re.compile(".*".join(map(re.escape, word.split(_WILD)))).fullmatch


def load_corpus(shared: Path) -> Corpus:
    paths = sorted((shared / "corpus").glob("**/*.txt"))
    return Corpus([(str(p.relative_to(shared)), words(p.read_text(encoding="utf-8"))) for p in paths])


def copied_phrases(phrases: list[Phrase], corpus: Corpus) -> list[str]:
    """One line per phrase that can match five words of a corpus document."""
    out = []
    for phrase in phrases:
        for seq in phrase.expansions:
            hit = next(((w, doc) for w in _windows(seq) if (doc := corpus.find(w))), None)
            if hit:
                out.append(f"{phrase.file} {phrase.key}: {phrase.text!r} matches {' '.join(hit[0])!r} of {hit[1]}")
                break
    return out


def _windows(seq: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Each five-word window of `seq` that no free slot interrupts."""
    for i in range(len(seq) - WINDOW + 1):
        window = seq[i : i + WINDOW]
        if not any(_SLOT in w or w.strip(_WILD) == "" for w in window):
            yield window


# ---------------------------------------------------------------- countries

# Adjectives the places gazetteer can't give (it lists names, and "Lao" on purpose
# not as an alias of Laos): those of the countries the project reads most, and
# the mentions lexicon's demonyms.
DEMONYMS = {
    "afghan", "american", "angolan", "armenian", "australian", "azerbaijani", "bangladeshi", "brazilian",
    "british", "bruneian", "burmese", "cambodian", "canadian", "chinese", "colombian", "emirati", "filipino",
    "french", "german", "indian", "indonesian", "iranian", "israeli", "japanese", "kenyan", "khmer", "korean",
    "lao", "laotian", "malaysian", "mongolian", "myanmar", "nepali", "pakistani", "palestinian", "peruvian",
    "philippine", "russian", "singaporean", "soviet", "sri lankan", "taiwanese", "tanzanian", "thai",
    "timorese", "turkish", "ukrainian", "vietnamese",
}
# Places in the gazetteer that no single country owns: regions, oceans, seas,
# rivers and straits shared by several, and their adjectives. An entry with a
# name like these (its aliases too: "SCS", "GMS") is no country's.
SHARED_PLACE = re.compile(
    r"\b(?:sea|seas|ocean|strait|straits|gulf|bay|river|basin|peninsula|subregion|sub-region|region|"
    r"asia|asian|africa|african|europe|european|pacific|atlantic|arctic|antarctica|indo-pacific|"
    r"middle east|global north|global south|mekong|nile|himalayas?|balkans|caucasus|sahel|caribbean|"
    r"latin america|north america|south america|central america|oceania|eurasia|arab|arabia|horn of|"
    r"southeast|south asia|east asia)\b",
    re.IGNORECASE,
)
# Gazetteer names that are also common English words in lower case ("US", Malé,
# the Central African Republic's "CAR", Huế, Ream), and "America", a continent too.
NOT_COUNTRY_WORDS = {"us", "male", "car", "hue", "ream", "america"}


def country_words(places: list[dict[str, Any]]) -> set[str]:
    """Lower-cased names, aliases and demonyms of countries and of places within one."""
    from accord.extract.lexicon import load_yaml, strip_diacritics

    found = {d.lower() for d in load_yaml("mentions.yaml")["demonyms"]} | DEMONYMS
    for place in places:
        names = [place["name"], *place.get("aliases", [])]
        if not any(SHARED_PLACE.search(name) for name in names):
            found |= {" ".join(words(v)) for name in names for v in (name, strip_diacritics(name))}
    return {w for w in found if w and w not in NOT_COUNTRY_WORDS and not SHARED_PLACE.fullmatch(w)}


def country_specific(phrases: list[Phrase], names: list[tuple[str, str]], countries: set[str]) -> list[str]:
    """One line per cue or pillar word that holds a country word, and per pillar name that is one."""
    longest = max(len(c.split()) for c in countries)
    out = []
    for phrase in phrases:
        for seq in phrase.expansions:
            hit = next((" ".join(seq[i : i + n]) for n in range(1, longest + 1) for i in range(len(seq) - n + 1)
                        if " ".join(seq[i : i + n]) in countries), None)
            if hit:
                out.append(f"{phrase.file} {phrase.key}: {phrase.text!r} names {hit!r}")
                break
    for key, name in names:
        if " ".join(words(name)) in countries:
            out.append(f"pillars.yaml {key}: {name!r} is a country")
    return out


def _country_scope(phrases: list[Phrase]) -> list[Phrase]:
    return [p for p in phrases if p.file == "statements.yaml"
            or (p.file == "pillars.yaml" and p.key.split("/")[2] in ("terms", "weak_terms"))]


def _pillar_names(root: Path = DATA) -> list[tuple[str, str]]:
    config = yaml.safe_load((root / "pillars.yaml").read_text(encoding="utf-8"))
    return [(f"/{p}/names/{i}", n) for p, spec in config.items() for i, n in enumerate(spec.get("names") or [])]


def _places(root: Path = DATA) -> list[dict[str, Any]]:
    lines = (root / "entities" / "places.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.lstrip().startswith("//")]


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def corpus(shared: Path) -> Corpus:
    return load_corpus(shared)


def test_no_data_phrase_is_copied_from_the_corpus(corpus: Corpus) -> None:
    found = copied_phrases(list(data_phrases()), corpus)
    assert found == [], "phrases of the labelled corpus in the data files:\n" + "\n".join(found)


def test_no_cue_or_pillar_word_names_a_country() -> None:
    found = country_specific(_country_scope(list(data_phrases())), _pillar_names(), country_words(_places()))
    assert found == [], "country-specific cues or pillar words:\n" + "\n".join(found)


# The checkers themselves, on planted data: each would fail the tests above.

@cache
def planted() -> Corpus:
    """A one-document corpus with the phrases the planted data copies."""
    return Corpus([("doc.txt", words("Both sides agreed that the railway, bringing Laos to the sea, "
                                     "has always been identified as a priority."))])


def _phrase(text: str, file: str = "statements.yaml", key: str = "/cues/position/0.85/0") -> Phrase:
    return Phrase(file, key, text, expand_regex(text))


def test_a_copied_literal_phrase_is_caught() -> None:
    found = copied_phrases([_phrase("has always been identified as")], planted())
    assert found == ["statements.yaml /cues/position/0.85/0: 'has always been identified as' "
                     "matches 'has always been identified as' of doc.txt"]


def test_a_phrase_copied_through_alternation_option_and_class_is_caught() -> None:
    assert copied_phrases([_phrase(r"(?:bringing|taking)\s+\w*laos? (?:to|into) (?:the )?seas?")], planted()) != []
    assert copied_phrases([_phrase(r"ha(?:s|ve) always\s+been identifie[sd] as")], planted()) != []
    assert copied_phrases([_phrase(r"has always been (?:identified|seen) as")], planted()) != []


def test_a_structure_with_open_words_is_not_a_copy() -> None:
    assert copied_phrases([_phrase(r"has (?:\w+ ){0,2}been identified as")], planted()) == []
    assert copied_phrases([_phrase(r"always been identified as")], planted()) == []  # four words


def test_a_word_completion_matches_corpus_words() -> None:
    assert copied_phrases([_phrase(r"(?:reaffirm|agree)\w* that the railway bring\w*")], planted()) != []


def test_token_patterns_are_expanded() -> None:
    pattern: list[dict[str, Any]] = [
        {"LOWER": {"IN": ["has", "had"]}}, {"LOWER": "always"}, {"LOWER": "been", "OP": "?"},
        {"LOWER": "identified"}, {"LOWER": "as"},
    ]
    phrase = Phrase("patterns/x.jsonl", "line 1", "", expand_token_pattern(pattern))
    assert copied_phrases([phrase], planted()) != []
    slotted: list[dict[str, Any]] = [*pattern[:2], {"IS_LOWER": True}, *pattern[3:]]
    assert copied_phrases([Phrase("patterns/x.jsonl", "line 2", "", expand_token_pattern(slotted))], planted()) == []


def test_a_country_word_in_a_cue_is_caught() -> None:
    countries = country_words(_places())
    assert {"laos", "lao", "vietnamese", "north korea", "dprk"} <= countries
    assert not {"us", "asean", "mekong", "indo-pacific", "south china sea"} & countries
    found = country_specific([_phrase("the lao leader"), _phrase(r"(?:the )?(?:\w+ )?leaders?")], [], countries)
    assert found == ["statements.yaml /cues/position/0.85/0: 'the lao leader' names 'lao'"]
    assert country_specific([_phrase(r"north korea(?:n|ns)?", "pillars.yaml", "/x/terms/0")], [], countries) != []
    assert country_specific([], [("/x/names/0", "DPRK"), ("/x/names/1", "NATO")], countries) == [
        "pillars.yaml /x/names/0: 'DPRK' is a country",
    ]
