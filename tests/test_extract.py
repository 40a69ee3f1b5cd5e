"""Whole-text extraction: offsets always slice to the text; file and text agree."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.extract import extract_file, extract_text

PIECES = [
    "The two sides agreed to raise two-way trade to US$5 billion in the coming time.",
    "Prime Minister Anwar Ibrahim held talks with President Prabowo Subianto in Jakarta.",
    "They reaffirmed the importance of the UN Convention on the Law of the Sea (UNCLOS 1982).",
    "Cooperation in health will be intensified.",
    "Thủ tướng Phạm Minh Chính visited Phnom Penh on 12-13 May 2024.",
    "India and Japan pledged to complete the Mumbai - Ahmedabad high speed railway by 2030.",
    "KUALA LUMPUR, May 5 (Bernama) -",
    "Both leaders congratulated each other “warmly”.",
    "Mr. Wong met No. 10 staff; they agreed to meet again.",
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", "\n", "\r\n", "\n\n", "  "])),
                min_size=1, max_size=8))
def test_offsets_always_slice_to_the_text(parts: list[tuple[str, str]]) -> None:
    text = "".join(p + sep for p, sep in parts)
    statements = extract_text(text)
    previous_end = 0
    for s in statements:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= previous_end
        previous_end = s.end
        assert 0.0 <= s.confidence <= 1.0
        for m in s.mentions:
            assert s.start <= m.start < m.end <= s.end
            assert text[m.start : m.end] == m.text
        for t in s.targets:
            assert s.start <= t.start < t.end <= s.end
            if t.deadline is not None:
                assert t.deadline_start is not None and t.deadline_end is not None
                assert text[t.deadline_start : t.deadline_end] == t.deadline
        for a in s.actors:
            if a.start is not None and a.end is not None:
                assert text[a.start : a.end] == a.name


def test_file_and_text_give_the_same_statements(tmp_path: Path) -> None:
    text = "\ufeffHeadline of the day\r\n" + " ".join(PIECES) + "\n"
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode("utf-8"))
    from_file = [s.to_dict() for s in extract_file(path)]
    from_text = [s.to_dict() for s in extract_text(text)]
    assert from_file == from_text
    assert from_file[0]["text"] == "Headline of the day"


def test_two_processes_give_the_same_output_as_one(tmp_path: Path) -> None:
    import accord.extract as extract

    path = tmp_path / "doc.txt"
    text = "\n".join(PIECES * 30)
    path.write_text(text, encoding="utf-8")
    old = extract.BATCH_CHARS
    extract.BATCH_CHARS = 500  # many batches, so both workers get some
    try:
        one = [s.to_dict() for s in extract_file(path, jobs=1)]
        two = [s.to_dict() for s in extract_file(path, jobs=2)]
    finally:
        extract.BATCH_CHARS = old
    assert one == two
    assert len(one) == len(extract_text(text))


def test_a_statement_as_a_dict_names_every_field_of_its_mentions_and_actors() -> None:
    """`Statement.to_dict` builds mentions and actors field by field: a field added to either shows here."""
    from dataclasses import asdict

    [statement] = [s for s in extract_text(
        "Kenya and Tanzania agreed to raise bilateral trade to US$2 billion by 2027, President Ruto said.")
        if s.mentions]
    shown = statement.to_dict()
    assert shown["mentions"] == [asdict(m) for m in statement.mentions]
    assert shown["actors"] == [asdict(a) for a in statement.actors] and shown["actors"]
