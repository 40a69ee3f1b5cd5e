"""The analyst-editable data files load, compile and stay consistent."""

import re
from importlib import resources
from typing import Any

import yaml

from accord.extract.lexicon import load_jsonl, load_yaml, name_variants, strip_diacritics

KINDS = {"person", "organization", "place", "project", "instrument", "money", "date", "event"}


def walk(value: Any, path: str = "") -> list[str]:
    """Paths of YAML values that parsed as booleans (the `No:`/`on:` trap of YAML 1.1)."""
    if isinstance(value, bool):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in walk(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in walk(v, f"{path}/{i}")]
    return []


def test_yaml_files_hold_no_accidental_booleans() -> None:
    for entry in resources.files("accord.data").iterdir():
        if entry.name.endswith(".yaml"):
            assert walk(yaml.safe_load(entry.read_text(encoding="utf-8"))) == [], entry.name


def test_entities_have_known_kinds_and_unique_aliases() -> None:
    owner: dict[tuple[str, str], str] = {}
    for entity in load_jsonl("entities"):
        assert entity["kind"] in KINDS, entity
        for name in [entity["name"], *entity.get("aliases", [])]:
            key = (entity["kind"], name)
            assert owner.setdefault(key, entity["name"]) == entity["name"], f"{name!r} is claimed twice"


def test_patterns_are_spacy_ruler_patterns() -> None:
    for pattern in load_jsonl("patterns"):
        assert set(pattern) == {"label", "id", "pattern"}
        assert isinstance(pattern["pattern"], list) and pattern["pattern"]


def test_every_regex_in_the_data_compiles() -> None:
    statements = load_yaml("statements.yaml")
    for levels in statements["cues"].values():
        for patterns in levels.values():
            for p in patterns:
                re.compile(p.replace("{verbs}", "x"))
    for spec in load_yaml("pillars.yaml").values():
        for term in (spec.get("terms") or []) + (spec.get("weak_terms") or []):
            re.compile(term)


def test_diacritics_variants() -> None:
    assert strip_diacritics("Tô Lâm") == "To Lam"
    assert strip_diacritics("Đà Nẵng") == "Da Nang"
    assert name_variants("Lao People’s Revolutionary Party") >= {
        "Lao People’s Revolutionary Party", "Lao People's Revolutionary Party",
    }


def reading(text: str) -> tuple[str, str | None]:
    """(type, cue) the rules read in `text`, with no mentions."""
    from accord.extract.statements import StatementClassifier

    r = StatementClassifier(load_yaml("statements.yaml")).classify(text, [])
    return r.type, r.cue


def test_being_regarded_as_something_is_a_position() -> None:
    assert reading("Energy cooperation has long been regarded as a pillar of the partnership.") == (
        "position", "has long been regarded as")
    assert reading("Maritime safety was identified as a shared priority.") == ("position", "was identified as")
    assert reading("For both, clean water is seen as an urgent need.") == ("position", "is seen as")


def test_calling_something_a_milestone_is_an_assessment() -> None:
    assert reading("The leaders considered the visit a milestone in bilateral ties.") == (
        "assessment", "considered the visit a milestone")
    assert reading("Both sides regard this agreement as a turning point.") == (
        "assessment", "regard this agreement as a turning point")
    assert reading("Officials consider it a real breakthrough for regional trade.") == (
        "assessment", "consider it a real breakthrough")


def test_a_step_or_a_symbol_is_an_assessment() -> None:
    assert reading("The new bridge is a symbol of the friendship between our peoples.") == (
        "assessment", "is a symbol")
    assert reading("Today's signing was an important step towards a free trade area.") == (
        "assessment", "was an important step")
    assert reading("This is not merely a symbolic step but a practical one.") == (
        "assessment", "is not merely a symbolic step")


def test_placing_priority_on_something_is_a_commitment() -> None:
    assert reading("Both governments place a high priority on clean water.") == (
        "commitment", "place a high priority on")
    assert reading("We placed top priority on maritime safety.") == ("commitment", "placed top priority on")


def test_serving_as_a_foundation_is_a_position() -> None:
    assert reading("The charter will serve as our common foundation.") == (
        "position", "will serve as our common foundation")
    assert reading("Trade would be a key pillar of the relationship.") == ("position", "would be a key pillar")


def test_a_leader_of_any_country_is_a_party() -> None:
    # "the <nationality> leader", "the visiting leader": the word makes the subject a party, whatever the country.
    assert reading("The visiting leader will attend the opening of the trade fair.")[0] == "commitment"
    assert reading("The Kenyan leader will host the next round.")[0] == "commitment"
    assert reading("The Lao leader will chair the meeting.")[0] == "commitment"
    # No party: a claim about the world, not an undertaking; a bare title is not a party either.
    assert reading("The weather will delay the harvest.")[0] == "position"
    assert reading("President Ruto's state visit will be a historic occasion.")[0] == "position"
