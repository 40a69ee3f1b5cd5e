"""PDF input: page text with wrapped lines joined into paragraphs, /Title and /CreationDate, clear errors."""

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fpdf import FPDF

from accord.errors import InputNotText
from accord.ingest import read_document

TITLE = "Thailand and Cambodia agree to reopen border checkpoints"
PARAGRAPHS = [
    "Thailand and Cambodia agreed on Tuesday to reopen two border checkpoints by March 2026 and to restore "
    "direct flights between Bangkok and Phnom Penh, the first since the clashes of the summer.",
    "The foreign ministers of both countries met in Siem Reap for six hours of talks, the first since the "
    "ceasefire of July 2025, and said they would meet again within three months",
    "Both sides committed to a joint survey of the disputed border segment, to be completed within twelve "
    "months, with observers from ASEAN. They asked the secretariat to fund it.",
    "They also agreed to double bilateral trade to US$20 billion by 2030 and to set up a hotline between the "
    "two defence ministries.",
]


def make_pdf(paragraphs: list[str] = PARAGRAPHS, *, title: str | None = TITLE, heading: str | None = TITLE,
             gap: float = 3, pages: int = 1) -> bytes:
    """A PDF as word processors print one: a bold heading, then wrapped paragraphs, spread over `pages`."""
    pdf = FPDF()
    if title is not None:
        pdf.set_title(title)
    pdf.set_creation_date(datetime(2025, 11, 18, 9, 30, tzinfo=timezone.utc))
    per_page = -(-len(paragraphs) // pages)
    for start in range(0, len(paragraphs), per_page):
        pdf.add_page()
        if heading is not None and start == 0:
            pdf.set_font("Helvetica", "B", 16)
            pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs[start : start + per_page]:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(gap)
    return bytes(pdf.output())


def write(tmp_path: Path, data: bytes, name: str = "report.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_paragraphs_title_and_date(tmp_path: Path) -> None:
    path = write(tmp_path, make_pdf())
    doc = read_document(path)
    assert doc.text.split("\n") == [TITLE, *PARAGRAPHS]
    assert (doc.format, doc.title, doc.published, doc.language) == ("pdf", TITLE, date(2025, 11, 18), "en")
    assert doc.raw == path.read_bytes()


def test_paragraphs_without_space_between_them(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, make_pdf(gap=0)))
    assert [p for p in PARAGRAPHS if p in doc.text.split("\n")] == PARAGRAPHS


def test_pages_are_joined_in_order(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, make_pdf(pages=2)))
    assert doc.text.split("\n") == [TITLE, *PARAGRAPHS]


def test_hyphenated_line_ends_are_repaired(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in ["The ministers agreed to deepen defence and security coop-",
                 "eration along the border, and to open the Ban Khlong Luek-",
                 "Poipet crossing to trucks by the end of the first quarter."]:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    doc = read_document(write(tmp_path, bytes(pdf.output())))
    assert doc.text == ("The ministers agreed to deepen defence and security cooperation along the border, "
                        "and to open the Ban Khlong Luek-Poipet crossing to trucks by the end of the first quarter.")


def test_title_from_the_text_when_the_pdf_has_none(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, make_pdf(title=None)))
    assert doc.title == TITLE


def test_word_processor_titles_are_ignored(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, make_pdf(title="Microsoft Word - draft3.docx", heading=None)))
    assert doc.title is None


def test_encrypted_pdf(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "The two sides agreed to meet again next year.")
    with pytest.raises(InputNotText, match=r"^\S+locked\.pdf: the PDF is encrypted with a password; "):
        read_document(write(tmp_path, bytes(pdf.output()), "locked.pdf"))


def test_pdf_without_a_password_to_open_is_read(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner")  # restricts editing only, as many official PDFs do
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "The two sides agreed to meet again next year.")
    doc = read_document(write(tmp_path, bytes(pdf.output())))
    assert doc.text == "The two sides agreed to meet again next year."


def test_pdf_without_text(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a drawing, as a scan would be an image: no text layer
    with pytest.raises(InputNotText, match=r"scan\.pdf: the PDF has no text layer \(a scan\?\); run OCR"):
        read_document(write(tmp_path, bytes(pdf.output()), "scan.pdf"))


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\nnot really a pdf", b"plain text in a .pdf file\n",
                                     make_pdf()[:400]])
def test_unreadable_pdf(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(InputNotText, match=r"bad\.pdf: not a readable PDF \(.+\)$") as caught:
        read_document(write(tmp_path, content, "bad.pdf"))
    assert "\n" not in str(caught.value)
