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
