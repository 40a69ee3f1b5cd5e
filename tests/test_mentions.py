"""Mentions: NER and the entity ruler reconciled, on sentences written for these tests."""

from spacy.language import Language

from accord.extract import extract_text


def mentions(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.kind) for s in extract_text(text) for m in s.mentions]


def test_country_spellings_with_and_without_diacritics() -> None:
    found = mentions("Việt Nam and Cambodia agreed to open a consulate. Viet Nam will also work with Türkiye.")
    assert ("Việt Nam", "place") in found
    assert ("Cambodia", "place") in found
    assert ("Viet Nam", "place") in found
    assert ("Türkiye", "place") in found


def test_dateline_place_in_capitals() -> None:
    found = mentions("PHNOM PENH - Cambodia and Thailand held talks on border trade.")
    assert ("PHNOM PENH", "place") in found


def test_route_projects_and_numbered_projects() -> None:
    found = mentions(
        "The two sides will speed up the Phnom Penh - Bavet expressway."
    )
    assert ("Phnom Penh - Bavet expressway", "project") in found
    found = mentions("They agreed to expand Port No. 2 of the Kampot port.")
    assert ("Port No. 2", "project") in found


def test_conventions_with_years_and_abbreviations() -> None:
    text = (
        "They stressed resolving disputes under the 1982 United Nations Convention on the Law of the Sea "
        "(UNCLOS 1982) and the UN Convention against Corruption, and looked to an early Code of Conduct "
        "in the South China Sea (COC)."
    )
    found = mentions(text)
    assert ("1982 United Nations Convention on the Law of the Sea (UNCLOS 1982)", "instrument") in found
    assert ("UN Convention against Corruption", "instrument") in found
    assert ("Code of Conduct in the South China Sea (COC)", "instrument") in found


def test_defined_acronym_is_found_again_with_its_kind() -> None:
    text = (
        "The ministers launched the Blue Economy Partnership Framework (BEPF) in Suva.\n"
        "Officials will report on the BEPF next year."
    )
    found = mentions(text)
    assert ("Blue Economy Partnership Framework (BEPF)", "instrument") in found
    assert ("BEPF", "instrument") in found


def test_titles_are_stripped_from_people() -> None:
    found = mentions("Prime Minister Narendra Modi and Prime Minister Fumio Kishida held talks in Tokyo.")
    assert ("Narendra Modi", "person") in found
    assert ("Fumio Kishida", "person") in found
    assert ("Tokyo", "place") in found


def test_relative_dates_keep_their_preposition_absolute_dates_do_not() -> None:
    found = mentions(
        "The leaders agreed to raise trade in the coming time and to meet again at a suitable time. "
        "They met on March 4, 2024 and will review progress by 2030."
    )
    assert ("in the coming time", "date") in found
    assert ("at a suitable time", "date") in found
    assert ("March 4, 2024", "date") in found
    assert ("by 2030", "date") in found


def test_adjectives_and_era_words_are_not_mentions() -> None:
    found = mentions("Vietnamese and Lao officials praised progress in the new era.")
    assert found == []


def test_money_mentions() -> None:
    found = mentions("Japan pledged US$1.2 billion in loans.")
    assert ("US$1.2 billion", "money") in found


def test_mentions_never_nest_and_slice_exactly(nlp: Language) -> None:
    text = "The India-Japan Special Strategic and Global Partnership Year 2027 will see 30 events in Delhi."
    statements = extract_text(text)
    spans = [(m.start, m.end) for s in statements for m in s.mentions]
    for a, b in zip(spans, spans[1:]):
        assert a[1] <= b[0]
    for s in statements:
        for m in s.mentions:
            assert text[m.start : m.end] == m.text


def test_money_written_with_a_country_name() -> None:
    found = mentions("China pledged to import goods worth 15 billion U.S. dollars.")
    assert ("15 billion U.S. dollars", "money") in found
    assert ("U.S.", "place") not in found


def test_a_dateline_dash_ends_the_date() -> None:
    found = mentions("OSLO, March 3, 2025 - Norwegian Prime Minister Jonas Gahr Store held talks in Oslo.")
    assert ("March 3, 2025", "date") in found
    assert ("Jonas Gahr Store", "person") in found


def test_two_names_joined_by_and_the_stay_two() -> None:
    found = mentions("The plan serves the Lima Accord on Fisheries and the Pacific Tuna Charter of 2020.")
    assert ("Lima Accord on Fisheries", "instrument") in found
    assert not any(text.startswith("Lima Accord on Fisheries and") for text, _ in found)


def test_a_defined_acronym_keeps_its_parties_compound() -> None:
    text = ("They welcomed the Bilateral Investment Treaty (BIT).\n"
            "Talks under the India-Oman BIT will resume in May.")
    assert ("India-Oman BIT", "instrument") in mentions(text)


def test_kinds_of_documents_are_not_names_and_dates_keep_their_article() -> None:
    found = mentions("They will implement the Protocols, Agreements and plans signed a few years ago.")
    assert ("Protocols", "instrument") not in found and ("Agreements", "instrument") not in found
    assert ("a few years ago", "date") in found
