"""accord_sentences: boundaries that survive abbreviations, sums and initials."""

from spacy.language import Language


def sentences(nlp: Language, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(text).sents if s.text.strip()]


def test_sum_at_sentence_end_ends_it(nlp: Language) -> None:
    text = "Both sides aim to lift two-way trade to US$5 billion. They also agreed to open a consulate."
    assert sentences(nlp, text) == [
        "Both sides aim to lift two-way trade to US$5 billion.",
        "They also agreed to open a consulate.",
    ]


def test_numbered_names_and_titles_do_not_end_sentences(nlp: Language) -> None:
    text = "Mr. Tanaka visited Port No. 3 at Cai Mep. Dr. Rao and Gen. Park met St. John's delegation."
    assert sentences(nlp, text) == [
        "Mr. Tanaka visited Port No. 3 at Cai Mep.",
        "Dr. Rao and Gen. Park met St. John's delegation.",
    ]


def test_initials_and_suffixes(nlp: Language) -> None:
    text = "President Joseph R. Biden, Jr. is honored to welcome President Lula to Washington, D.C. The two leaders met."
    assert sentences(nlp, text) == [
        "President Joseph R. Biden, Jr. is honored to welcome President Lula to Washington, D.C.",
        "The two leaders met.",
    ]


def test_abbreviation_before_a_name_continues(nlp: Language) -> None:
    text = "The U.S. Department of Commerce plans a trade mission to the U.K. in May."
    assert sentences(nlp, text) == [text]


def test_line_breaks_end_headlines_and_quotes_close_sentences(nlp: Language) -> None:
    text = 'India and Japan deepen ties\nThe leaders called it "a new chapter." They signed nine agreements.'
    assert sentences(nlp, text) == [
        "India and Japan deepen ties",
        'The leaders called it "a new chapter."',
        "They signed nine agreements.",
    ]


def test_lowercase_after_full_stop_continues(nlp: Language) -> None:
    text = "Trade reached 2.5 bn. dollars last year, officials said."
    assert sentences(nlp, text) == [text]


def test_paragraph_numbers_stay_with_their_sentence(nlp: Language) -> None:
    text = "1. The Prime Ministers met in Tokyo.\n2. They agreed to meet again.\niv. Both sides signed a memorandum."
    assert sentences(nlp, text) == [
        "1. The Prime Ministers met in Tokyo.",
        "2. They agreed to meet again.",
        "iv. Both sides signed a memorandum.",
    ]


def test_run_in_headings_are_sentences_of_their_own(nlp: Language) -> None:
    assert sentences(nlp, "Ports: The harbour authority will dredge the northern basin.") == [
        "Ports:", "The harbour authority will dredge the northern basin."]
    assert sentences(nlp, "2. Deepen Ties Between Our Universities: Both ministries will fund exchanges.") == [
        "2. Deepen Ties Between Our Universities:", "Both ministries will fund exchanges."]
    assert sentences(nlp, "WATER AND SANITATION (WASH): Grants of $4 million were approved.") == [
        "WATER AND SANITATION (WASH):", "Grants of $4 million were approved."]


def test_colons_that_are_not_headings_stay_inside(nlp: Language) -> None:
    for text in [
        "The minister said: The corridor is open to all.",  # a verb before the colon
        "NAIROBI: The two presidents met on Friday.",  # a dateline, a place of the gazetteer
        "LISBON, 4 June: The ministers signed a fisheries accord.",  # a dated dateline
        "Building Bridges: A Framework for a New Economic Partnership",  # a title in two halves
        "Both sides agreed on two points: First, the talks resume in spring.",
    ]:
        assert sentences(nlp, text) == [text], text
