"""Pillars from sector words; `political` when a sentence names no sector."""

from accord.extract import extract_text
from accord.extract.lexicon import load_yaml
from accord.extract.pillars import PillarTagger
from accord.model import Pillar


def pillars(text: str) -> list[str]:
    return extract_text(text)[0].pillars


def test_sector_words_give_their_pillars() -> None:
    assert pillars("The two sides agreed to build the Kunming - Vientiane railway and a new power line.") == [
        "infrastructure_transport", "energy_mining",
    ]
    assert pillars("They agreed to expand scholarships for students and vocational training.") == [
        "education_training",
    ]
    assert set(pillars("Both sides will cooperate on vaccines and pandemic preparedness.")) == {"health"}


def test_relationship_without_sector_is_political() -> None:
    assert pillars("The two sides agreed to lift their relationship to a new height.") == ["political"]


def test_energy_security_is_not_defence() -> None:
    assert "defence_security" not in pillars("They agreed to ensure energy security of both countries.")
    assert "defence_security" in pillars("They agreed to fight cross-border crime and drug trafficking.")


def test_acronyms_match_case_sensitively() -> None:
    assert "health" in pillars("They will coordinate closely with the WHO.")
    assert "health" not in pillars("Officials who met in Hue agreed to plant trees.")


def test_lexicon_names_only_known_pillars() -> None:
    config = load_yaml("pillars.yaml")
    assert set(config) == {p.value for p in Pillar}
    tagger = PillarTagger(config)
    assert tagger.tag("No sector words here at all.", []) == ["political"]
