"""Text input: one-line errors for unusable files; blocks that cover the file exactly."""

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import InputNotFound, InputNotText
from accord.ingest import check_text_file, iter_blocks, iter_text_blocks, stored_text


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="no such file"):
        check_text_file(tmp_path / "absent.txt")


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputNotText, match="binary"):
        check_text_file(path)


def test_latin1_file_reports_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Hanoi, the two sides agreed.\nCafé au lait.".encode("latin-1"))
    with pytest.raises(InputNotText, match=r"not UTF-8 text \(invalid byte at offset 32\)"):
        check_text_file(path)


def test_empty_file_is_text(tmp_path: Path) -> None:  # extract reads it as no statements; ingest refuses it
    path = tmp_path / "empty.txt"
    path.write_text("")
    assert check_text_file(path) == 0
    assert list(iter_blocks(path)) == []


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .\n\r\tÀệ’\u2028")), max_size=400), st.integers(5, 50))
def test_blocks_cover_the_text_exactly(text: str, max_block: int) -> None:
    blocks = list(iter_text_blocks(text, max_block=max_block))
    assert "".join(b for _, b in blocks) == text
    for offset, block in blocks:
        assert text[offset : offset + len(block)] == block


def test_file_blocks_equal_text_blocks_with_crlf_and_long_lines(tmp_path: Path) -> None:
    text = "Heading\r\n" + ("The two sides agreed to act. " * 50) + "\nLast line without newline"
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode("utf-8"))
    assert list(iter_blocks(path, max_block=200)) == list(iter_text_blocks(text, max_block=200))
    assert all(len(b) <= 200 for _, b in iter_blocks(path, max_block=200))


def test_streaming_a_50_mb_file_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    line = "The two sides agreed to expand trade and investment in the coming time. " * 20 + "\n"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(50_000_000 // len(line) + 1):
            f.write(line)
    assert path.stat().st_size > 50_000_000
    tracemalloc.start()
    try:
        check_text_file(path)
        total = sum(len(b) for _, b in iter_blocks(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == path.stat().st_size  # ASCII: one character a byte
    assert peak < 8_000_000


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .\n\r\tÀ\ufeff\u2028")), max_size=200))
def test_stored_text_has_one_line_ending_and_no_leading_bom(text: str) -> None:
    stored = stored_text(text)
    assert "\r" not in stored
    assert stored.count("\n") == text.count("\n") + text.count("\r") - text.count("\r\n")
    assert stored.startswith("\ufeff") == text.startswith("\ufeff\ufeff")  # only the first is a BOM
    body = "a" + stored  # a text that opens with no BOM is stored as it is: storing is idempotent
    assert stored_text(body) == body
    for offset, block in iter_text_blocks(stored, max_block=20):
        assert stored[offset : offset + len(block)] == block


def test_stored_text_of_bom_and_crlf() -> None:
    assert stored_text("\ufeffA\r\nB\rC\n\r\n") == "A\nB\nC\n\n"
    assert stored_text("plain\n") == "plain\n"
