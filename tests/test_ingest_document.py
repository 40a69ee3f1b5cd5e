"""read_document: format by suffix or first bytes, the text hash, limits, and one article in three formats."""

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fpdf import FPDF

from accord.errors import InputNotFound, InputNotText, InputTooLarge
from accord.ingest import read_document, text_document

TITLE = "Thailand and Cambodia agree to reopen border checkpoints"
PARAGRAPHS = [
    "BANGKOK, Nov 18, 2025 (Reuters) - Thailand and Cambodia agreed on Tuesday to reopen two border "
    "checkpoints by March 2026 and to restore direct flights between Bangkok and Phnom Penh.",
    "The foreign ministers of both countries met in Siem Reap for six hours of talks, the first since the "
    "ceasefire of July 2025. Both said the talks had been frank.",
    "Both sides committed to a joint survey of the disputed border segment, to be completed within twelve "
    "months, with observers from ASEAN and a secretariat in Bangkok.",
    "They also agreed to double bilateral trade to US$20 billion by 2030, to set up a hotline between the two "
    "defence ministries and to hold the next round of talks in Phnom Penh in February.",
    "\"We have turned a page,\" the Thai foreign minister told reporters after the meeting.",
]


def as_text() -> bytes:
    return ("\n".join([TITLE, "", *PARAGRAPHS]) + "\n").encode()


def as_html() -> bytes:
    body = "\n".join(f"<p>{p.replace('&', '&amp;')}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{TITLE} - Mekong Daily</title>
<meta property="og:title" content="{TITLE}"><script>var ads = [];</script></head><body>
<nav><a href="/">Home</a> | <a href="/asia">Asia</a></nav>
<article><h1>{TITLE}</h1>{body}</article>
<footer>Copyright 2025 Mekong Daily</footer></body></html>""".encode()


def as_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_title(TITLE)
    pdf.set_creation_date(datetime(2025, 11, 18, 8, 0, tzinfo=timezone.utc))  # else today, which wins
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Times", size=12)
    for paragraph in PARAGRAPHS:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_one_article_as_text_html_and_pdf_gives_the_same_lines(tmp_path: Path) -> None:
    docs = {}
    for name, data in [("a.txt", as_text()), ("a.html", as_html()), ("a.pdf", as_pdf())]:
        (tmp_path / name).write_bytes(data)
        docs[name] = read_document(tmp_path / name)
    assert [d.format for d in docs.values()] == ["text", "html", "pdf"]
    for doc in docs.values():
        assert lines(doc.text) == [TITLE, *PARAGRAPHS], doc.format
        assert (doc.title, doc.place, doc.language) == (TITLE, "Bangkok", "en")
        assert (doc.outlet, doc.published) == ("Reuters", date(2025, 11, 18))


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    text = "Talks end\nThe two sides agreed to meet again.\n\u2028Last line"
    path.write_bytes(text.encode())
    doc = read_document(path)
    assert doc.text == text
    assert (doc.format, doc.raw, doc.source, doc.title) == ("text", None, str(path), "Talks end")
    assert doc.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()


NOTE = "Harbour talks end\nThe two ministers agreed to open a ferry line by June.\nThey will meet again.\n"


@pytest.mark.parametrize("data", [
    NOTE.encode(),
    b"\xef\xbb\xbf" + NOTE.encode(),
    NOTE.replace("\n", "\r\n").encode(),
    b"\xef\xbb\xbf" + NOTE.replace("\n", "\r\n").encode(),
    NOTE.replace("\n", "\r").encode(),
])
def test_bom_and_line_endings_do_not_change_the_document(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "note.txt").write_bytes(data)
    doc = read_document(tmp_path / "note.txt")
    assert doc.text == NOTE  # stored without the BOM, every line ending a "\n": offsets index this
    assert doc.sha256 == hashlib.sha256(NOTE.encode()).hexdigest()
    assert doc.title == "Harbour talks end"


def test_pasted_text_is_the_same_document_as_the_file(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_bytes(NOTE.encode())
    pasted = text_document("\ufeff" + NOTE.replace("\n", "\r\n"))  # a browser sends CRLF
    assert (pasted.text, pasted.sha256) == (NOTE, read_document(tmp_path / "note.txt").sha256)


def test_a_bom_inside_the_text_is_kept(tmp_path: Path) -> None:
    text = "Talks\nThe sides agreed\ufeff to meet.\n"
    (tmp_path / "a.txt").write_bytes(text.encode())
    assert read_document(tmp_path / "a.txt").text == text  # only a leading BOM is no part of the text


def test_reading_again_gives_the_same_document(tmp_path: Path) -> None:
    for name, data in [("a.txt", as_text()), ("a.html", as_html()), ("a.pdf", as_pdf())]:
        (tmp_path / name).write_bytes(data)
        assert read_document(tmp_path / name) == read_document(str(tmp_path / name))


def test_the_hash_is_of_the_text(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(as_html())
    doc = read_document(tmp_path / "a.html")
    assert doc.sha256 == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    assert doc.sha256 != hashlib.sha256(as_html()).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("report", as_pdf, "pdf"),
        ("report.bin", as_pdf, "pdf"),
        ("page", as_html, "html"),
        ("page.php", as_html, "html"),
        ("notes.dat", as_text, "text"),
        ("README", as_text, "text"),
        ("REPORT.PDF", as_pdf, "pdf"),
        ("Page.HTM", as_html, "html"),
    ],
)
def test_format_by_suffix_then_first_bytes(tmp_path: Path, name: str, data: Callable[[], bytes], fmt: str) -> None:
    (tmp_path / name).write_bytes(data())
    assert read_document(tmp_path / name).format == fmt


def test_html_saved_as_txt_stays_text(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes(as_html())
    doc = read_document(tmp_path / "page.txt")
    assert (doc.format, doc.text) == ("text", as_html().decode())


def test_html_after_an_xml_declaration_and_comment(tmp_path: Path) -> None:
    data = b'<?xml version="1.0" encoding="utf-8"?>\n<!-- saved page -->\n' + as_html()
    (tmp_path / "saved").write_bytes(data)
    assert read_document(tmp_path / "saved").format == "html"


@pytest.mark.parametrize("name", ["absent.txt", "absent.html", "absent.pdf", "absent"])
def test_missing_file(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputNotFound, match=rf"{name}: no such file$"):
        read_document(tmp_path / name)


@pytest.mark.parametrize("name", ["folder", "folder.html"])
def test_folder(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(InputNotFound, match="is a folder, not a file"):
        read_document(tmp_path / name)


@pytest.mark.parametrize(("name", "data"), [("a.txt", as_text), ("a.html", as_html), ("a.pdf", as_pdf)])
def test_over_the_size_limit(tmp_path: Path, name: str, data: Callable[[], bytes]) -> None:
    content = data()
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputTooLarge, match=rf"{name}: {len(content):,} bytes, over the limit of 100; raise max_bytes"):
        read_document(tmp_path / name, max_bytes=100)
    assert read_document(tmp_path / name, max_bytes=len(content)).text


def test_binary_text_file(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputNotText, match="binary file, not text"):
        read_document(tmp_path / "image.txt")


def test_latin1_text_file(tmp_path: Path) -> None:
    (tmp_path / "latin1.txt").write_bytes("Café talks in Phnôm Pénh.".encode("latin-1"))
    with pytest.raises(InputNotText, match="not UTF-8 text"):
        read_document(tmp_path / "latin1.txt")


@pytest.mark.parametrize(("data", "what"), [
    (b"", "empty"),
    (b"\xef\xbb\xbf", "empty"),
    (b" \n\r\n\t\n", "only whitespace"),
    (b"\xef\xbb\xbf  \r\n\xe2\x80\xa8\n", "only whitespace"),  # a BOM, spaces, a line separator
])
def test_a_text_file_with_nothing_to_read_is_refused(tmp_path: Path, data: bytes, what: str) -> None:
    (tmp_path / "blank.txt").write_bytes(data)
    with pytest.raises(InputNotText, match=rf"blank.txt: {what}, no text to ingest$"):
        read_document(tmp_path / "blank.txt")


@pytest.mark.parametrize("text", ["", "   \n\t", "\ufeff", "\ufeff\r\n"])
def test_pasted_text_with_nothing_to_read_is_refused(text: str) -> None:
    with pytest.raises(InputNotText, match=r"^pasted text: (empty|only whitespace), no text to ingest$"):
        text_document(text)


def test_seed_reports(shared: Path) -> None:
    vna = read_document(shared / "corpus" / "seeds" / "vna-2025-12-02-joint-statement.txt")
    assert (vna.title, vna.outlet, vna.published, vna.place, vna.language) == (
        None, "VNA/VNS", date(2025, 12, 2), "Hà Nội", "en")
    vov = read_document(shared / "corpus" / "seeds" / "vov-2025-12-01-talks.txt")
    # The report gives no date; its file name does.
    assert (vov.outlet, vov.published, vov.place, vov.language) == ("VOV.VN", date(2025, 12, 1), None, "en")
    assert vov.title == vov.text.split("\n")[0]
    assert vna.text == (shared / "corpus" / "seeds" / "vna-2025-12-02-joint-statement.txt").read_bytes().decode()


def test_date_in_the_file_name_is_a_fallback(tmp_path: Path) -> None:
    (tmp_path / "mfa-2024_03_09-statement.txt").write_text("The two sides agreed to meet.\n", encoding="utf-8")
    assert read_document(tmp_path / "mfa-2024_03_09-statement.txt").published == date(2024, 3, 9)
    (tmp_path / "notes-2024-13-40.txt").write_text("The two sides agreed to meet.\n", encoding="utf-8")
    assert read_document(tmp_path / "notes-2024-13-40.txt").published is None
    dated = tmp_path / "2024-03-09.txt"
    dated.write_text("HANOI, May 5, 2025 (VNA) - The two sides agreed to meet.\n", encoding="utf-8")
    assert read_document(dated).published == date(2025, 5, 5)  # the dateline wins over the name
    wire = tmp_path / "fjord-post-2026-03-oslo-talks.txt"
    wire.write_text("OSLO, Mar. 4 (Fjord Post) -- Norway and Chile met.\nThe two sides agreed to meet.\n", "utf-8")
    assert read_document(wire).published == date(2026, 3, 4)  # the day from the text, the year from the name
