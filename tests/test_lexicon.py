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
