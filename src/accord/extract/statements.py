"""`accord_statements`: each sentence's type, actors, confidence, pillars and targets.

The type comes from the sentence's structure, read shallowly: the speech-act
cues of `data/statements.yaml`, where they stand (main clause or embedded),
and who their subject is. "The two sides agreed to ..." is a commitment;
"They affirmed that the strategic cohesion will serve as a foundation" is a
position, because its "will" belongs to an embedded clause whose subject is
not a party; "affirmed that they will soon complete ..." is a commitment.
"""


import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from accord.extract.dateline import DATELINE
from accord.extract.features import candidate_features, sentence_features
from accord.extract.learned import Models, shipped_models
from accord.extract.lexicon import load_yaml
from accord.extract.pillars import PillarTagger
from accord.extract.targets import TargetReader

STATEMENTS_KEY = "accord_statements"
_PRIORITY = ["commitment", "position", "assessment", "event"]
_STRONG = 0.8
_PARTY_KINDS = {"place", "person", "organization"}


@dataclass(frozen=True, slots=True)
class Cue:
    type: str
    strength: float
    start: int
    end: int
    kind: str = "cue"  # or "modal-party", "modal-passive", "modal-other": a will/shall and its subject


@dataclass(slots=True)
class Reading:
    """What the classifier concluded about one sentence."""

    type: str  # the rules' type: "none" when no cue speaks (the model decides)
    confidence: float
    cue: str | None
    subject_end: int  # where the main clause's subject ends (sentence-relative)
    cues: tuple[Cue, ...] = ()  # every cue that counts, for the model's features
    heading: bool = False


class StatementClassifier:
    """Reads the type of a sentence from its cues and their place in its structure."""

    def __init__(self, config: dict[str, Any]) -> None:
        verbs = "|".join(config["commitment_verbs"])
        self.cues: list[tuple[re.Pattern[str], str, float]] = []
        for type_, levels in config["cues"].items():
            for strength, patterns in levels.items():
                joined = "|".join(f"(?:{_prepare(p, verbs)})" for p in patterns)
                self.cues.append((re.compile(rf"(?<![\w-])(?:{joined})(?![\w-])"), type_, float(strength)))
        self.scopes = [
            (kind, re.compile("|".join(f"(?:{_bounded(_prepare(e, verbs))})" for e in config[kind])))
            for kind in ("opaque", "transparent", "relative")
        ]
        both = config["actor_phrases"]["both"]
        one = config["actor_phrases"]["one"]
        self.both_actors = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, both)) + r")(?![\w-])")
        self.one_actor = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, one)) + r")(?![\w-])")
        action = "|".join(config["action_verbs"])
        self.modal = re.compile(rf"(?<![\w-]){config['modal']}(?![\w-])")
        self.passive = re.compile(rf"\s+(?:\w+\s+){{0,2}}be\s+(?:\w+\s+)?(?:{action})\b")

    def classify(self, text: str, mentions: list[tuple[int, int, str]]) -> Reading:
        """`mentions` are (start, end, kind) relative to `text`."""
        low = text.lower()
        if _is_heading(text):
            return Reading("other", 0.9, None, 0, heading=True)
        scopes = sorted((m.start(), m.end(), kind) for kind, regex in self.scopes for m in regex.finditer(low))
        found: list[Cue] = []
        for regex, type_, strength in self.cues:
            for m in regex.finditer(low):
                if self._counts(low, m.start(), type_, scopes, mentions):
                    found.append(Cue(type_, strength, m.start(), m.end()))
        for m in self.modal.finditer(low):
            if not self._counts(low, m.start(), "commitment", scopes, mentions):
                continue
            clause = _clause_start(low, m.start(), scopes)
            if self._subject_is_party(low, clause, m.start(), mentions):
                found.append(Cue("commitment", 0.8, m.start(), m.end(), "modal-party"))
            elif self.passive.match(low, m.end()):
                found.append(Cue("commitment", 0.75, m.start(), m.end(), "modal-passive"))
            else:  # "Crises will continue to affect ...": a claim about the world, not an undertaking
                found.append(Cue("position", 0.6, m.start(), m.end(), "modal-other"))
        if not found:  # no cue speaks: the learned model decides from the sentence's other features
            return Reading("none", 0.0, None, 0)
        strong = [c for c in found if c.strength >= _STRONG]
        pool = strong or found
        best_type = next(t for t in _PRIORITY if any(c.type == t for c in pool))
        chosen = min((c for c in pool if c.type == best_type), key=lambda c: (-c.strength, c.start))
        rivals = {c.type for c in strong if c.type != best_type}
        confidence = chosen.strength - 0.1 * len(rivals)
        if not strong:
            confidence -= 0.1
        first = min(found, key=lambda c: c.start)
        return Reading(best_type, max(0.05, min(0.99, confidence)), text[chosen.start : chosen.end], first.start,
                       tuple(sorted(found, key=lambda c: c.start)))

    def _counts(self, low: str, pos: int, type_: str, scopes: list[tuple[int, int, str]],
                mentions: list[tuple[int, int, str]]) -> bool:
        """Does a cue of `type_` at `pos` speak for the sentence, given the clause it stands in?"""
        before = [s for s in scopes if s[1] <= pos and ";" not in low[s[1]:pos]]
        if not before:
            return True
        if any(kind == "opaque" for _, _, kind in before):
            return False
        _, end, kind = before[-1]
        if kind == "transparent" and type_ != "commitment":
            return True
        return self._subject_is_party(low, end, pos, mentions)

    def _subject_is_party(self, low: str, start: int, end: int, mentions: list[tuple[int, int, str]]) -> bool:
        """Is the subject of the clause low[start:end] (which ends at its verb) a party?

        The subject is what follows the clause's last comma; a party named inside a
        longer noun phrase ("U.S.-Japan Alliance command and control") is not one.
        """
        comma = low.rfind(",", start, end)
        sub_start = comma + 1 if comma >= 0 else start
        subject = low[sub_start:end]
        if len(subject.split()) > 8:
            return False
        if self.both_actors.search(subject) or self.one_actor.search(subject):
            return True
        for s, e, k in mentions:
            if sub_start <= s and e <= end and k in _PARTY_KINDS:
                rest = low[e:end].split()
                if all(w in _ADVERBS for w in rest):
                    return True
        return False

    def actors(self, text: str, subject_end: int, mentions: list[tuple[int, int, str]]) -> tuple[bool, list[tuple[int, int]]]:
        """(both parties?, spans of named parties) in the main clause's subject."""
        low = text[:subject_end].lower()
        dateline = DATELINE.match(text)
        skip = dateline.end() if dateline else 0
        named = [(s, e) for s, e, k in mentions if skip <= s and e <= subject_end and k in _PARTY_KINDS]
        both = bool(self.both_actors.search(low))
        m = re.search(r"welcome[sd]?\s+(?:\S+\s+){0,2}decision", text[subject_end: subject_end + 80].lower())
        if m:
            named = [(s, e) for s, e, k in mentions if subject_end < s < subject_end + m.end()
                     and k in _PARTY_KINDS][:1] or named
        return both, named


_BULLET = re.compile(r"(?:[-–•*▪●]|\(?[a-z]\)|\(?[ivx]{1,4}\))[ \t]+")
_ADVERBS = {"also", "jointly", "further", "closely", "together", "both", "each", "will", "and", "to", "hereby",
            "fully", "actively", "firmly", "continuously", "themselves", "itself", "alone"}


def _prepare(pattern: str, verbs: str) -> str:
    """Expand `{verbs}` and let `\\w+ ` word slots take possessives and abbreviations."""
    return pattern.replace("{verbs}", verbs).replace(r"(?:\w+ )", r"(?:[\w’'.-]+ )")


def _bounded(pattern: str) -> str:
    if pattern.startswith((",", " ")):
        return pattern
    return rf"(?<![\w-]){pattern}(?![\w-])"


def _clause_start(low: str, pos: int, scopes: list[tuple[int, int, str]]) -> int:
    start = max(low.rfind(";", 0, pos) + 1, 0)
    for _, e, _ in scopes:
        if start <= e <= pos:
            start = e
    return start


def _is_heading(text: str) -> bool:
    """A headline, section heading or byline: short, without a sentence's final stop."""
    stripped = text.rstrip()
    words = stripped.split()
    if len(words) <= 3 and not stripped.endswith((".", "!", "?")):
        return True
    if stripped.endswith(":"):
        return False  # a lead-in ("The two sides agreed to:") reads by its cues; a bare one has none
    return not stripped.endswith((".", "!", "?", ".”", '."', ";", ".)", "?”")) and len(words) <= 25


class StatementAnalyzer:
    """The spaCy component: fills `doc.user_data["accord_statements"]`, one dict per sentence.

    The rules read each sentence (its cues, the lexicons' hits, its amounts);
    the trained models decide from what they read: the type and its calibrated
    probability, the pillars, and which amounts are targets. With `models`
    None (only while training them) the rules' own readings stand, and
    `keep_features` puts every model input into the dicts.
    """

    def __init__(self, classifier: StatementClassifier, pillars: PillarTagger, targets: TargetReader,
                 models: Models | None) -> None:
        self.classifier = classifier
        self.pillars = pillars
        self.targets = targets
        self.models = models
        self.keep_features = False

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        mentions: list[tuple[int, int, str]] = doc.user_data.get("accord_mention_chars", [])
        out: list[dict[str, Any]] = []
        for sent in doc.sents:
            s, e = sent.start_char, sent.end_char
            while s < e and (text[s].isspace() or text[s] == "\ufeff"):
                s += 1
            while e > s and (text[e - 1].isspace() or text[e - 1] == "\ufeff"):
                e -= 1
            bullet = _BULLET.match(text, s, e)
            if bullet:
                s = bullet.end()  # "- We commit to ...": the marker is not part of the statement
            if e <= s:
                continue
            out.append(self._analyse(text[s:e], s, [(ms - s, me - s, k) for ms, me, k in mentions
                                                        if s <= ms and me <= e], bool(bullet)))
        doc.user_data[STATEMENTS_KEY] = out
        return doc

    def _analyse(self, sentence: str, s: int, local: list[tuple[int, int, str]], bullet: bool) -> dict[str, Any]:
        reading = self.classifier.classify(sentence, local)
        dateline = DATELINE.match(sentence)
        features = sentence_features(sentence, dateline.end() if dateline else 0, reading, local,
                                     self.pillars.hits(sentence), bullet)
        amounts = self.targets.amounts(sentence, local)
        amount_features = []
        for a in amounts:
            goal, reported = self.targets.context(sentence, a)
            amount_features.append(candidate_features(sentence, a.start, a.end, a.unit_class, a.unit, reading,
                                                      goal, reported, a.in_parentheses, a.high is not None,
                                                      self.targets.signals_of(sentence, a)))
        probabilities: dict[str, float] = {}
        if self.models is not None:
            p = self.models.types.probabilities(features)
            probabilities = {label: float(x) for label, x in zip(self.models.types.labels, p)}
            type_, confidence = max(probabilities.items(), key=lambda kv: kv[1])
            every = [label for label, _ in self.models.pillars.chosen(features)]
            keep = [not a.in_parentheses and self.models.targets.chosen(f, at_least_one=False) != []
                    for a, f in zip(amounts, amount_features)]
        else:
            type_ = reading.type if reading.type != "none" else "assessment"
            confidence = reading.confidence
            every = self.pillars.tag(sentence, local)
            keep = [not a.in_parentheses and self.targets.context(sentence, a) == (True, False) for a in amounts]
        targets = [self.targets.target(sentence, amounts, i, local) for i, k in enumerate(keep) if k]
        both, named = self.classifier.actors(sentence, reading.subject_end, local)
        record: dict[str, Any] = {
            "start": s, "end": s + len(sentence), "type": type_, "confidence": confidence,
            "cue": reading.cue, "pillars": [] if type_ == "other" else every, "every_pillar": every,
            "targets": targets, "bullet": bullet,
            "both": both, "actors": [(a + s, b + s) for a, b in named],
            "mentions": [(ms + s, me + s, k) for ms, me, k in local], "probabilities": probabilities,
        }
        if self.keep_features:
            record["features"] = features
            record["amounts"] = [(a, f) for a, f in zip(amounts, amount_features)]
        return record


@Language.factory("accord_statements", requires=["doc.spans"], assigns=["doc.user_data"],
                  default_config={"trained": True})
def make_statements(nlp: Language, name: str, trained: bool) -> StatementAnalyzer:
    return StatementAnalyzer(
        StatementClassifier(load_yaml("statements.yaml")),
        PillarTagger(load_yaml("pillars.yaml")),
        TargetReader(load_yaml("targets.yaml")),
        shipped_models() if trained else None,
    )
