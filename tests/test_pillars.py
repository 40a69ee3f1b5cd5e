"""Pillars from sector words; `political` when a sentence names no sector."""

from accord.extract import extract_text
from accord.extract.lexicon import load_yaml
from accord.extract.pillars import PillarTagger
from accord.model import Pillar


def pillars(text: str) -> list[str]:
    return extract_text(text)[0].pillars


def test_sector_words_give_their_pillars() -> None:
    assert set(pillars("The two sides agreed to build the Kunming - Vientiane railway and a new power line.")) == {
        "infrastructure_transport", "energy_mining",
    }
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


def tagger() -> PillarTagger:
    return PillarTagger(load_yaml("pillars.yaml"))


def test_named_seas_and_agreements_are_names_not_words() -> None:
    # Proper names live in `names`, matched as written: a sea or a treaty, not a country's words.
    assert tagger().tag("Both sides discussed recent developments in the South China Sea.", []) == [
        "multilateral_regional",
    ]
    assert tagger().tag("They called for restraint and dialogue over the East Sea.", []) == ["multilateral_regional"]
    assert tagger().tag("The ministers agreed to keep the East China Sea calm.", []) == ["multilateral_regional"]
    assert tagger().tag("We will each do our part under the Paris Agreement.", []) == ["multilateral_regional"]


def test_the_region_and_the_world_in_any_wording() -> None:
    assert tagger().tag("Their partnership serves peace in the region and the world.", []) == [
        "multilateral_regional",
    ]
    assert tagger().tag("Stability across the region and world matters to every nation here.", []) == [
        "multilateral_regional",
    ]


def test_a_country_picks_no_pillar_its_sector_words_do() -> None:
    assert tagger().tag("The leaders discussed North Korea at length.", []) == ["political"]
    assert tagger().tag("They condemned North Korea's latest ballistic missile launch.", []) == ["defence_security"]
    assert tagger().tag("A new rail link would give the landlocked north access to seaports.", []) == [
        "infrastructure_transport",
    ]


def test_people_of_both_countries_is_the_relationship_not_culture() -> None:
    assert tagger().tag("Such friendship brings real benefits to the people of the two countries.", []) == [
        "political",
    ]
    assert tagger().tag("They will expand people-to-people exchanges between the two countries.", []) == [
        "culture_people",
    ]
