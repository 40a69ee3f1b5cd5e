"""HTML input: the article body without the page's furniture, its metadata, the raw bytes kept."""

from datetime import date
from pathlib import Path

import pytest

from accord.errors import InputNotText
from accord.ingest import read_document

TITLE = "Thailand and Cambodia agree to reopen border checkpoints"
PARAGRAPHS = [
    "Thailand and Cambodia agreed on Tuesday to reopen two border checkpoints by March 2026 and to restore "
    "direct flights between Bangkok and Phnom Penh.",
    "The foreign ministers of both countries met in Siem Reap for six hours of talks, the first since the "
    "ceasefire of July 2025.",
    "Both sides committed to a joint survey of the disputed border segment, to be completed within twelve "
    "months, with observers from ASEAN.",
    "They also agreed to double bilateral trade to US$20 billion by 2030 and to set up a hotline between the "
    "two defence ministries.",
]
FURNITURE = ["Subscribe now", "Most read", "Floods hit northern provinces", "All rights reserved", "dataLayer",
             "Privacy policy", "World", "color: red"]


def news_page(title: str = TITLE, paragraphs: list[str] = PARAGRAPHS, *, headline: bool = True,
              head_meta: bool = True) -> str:
    """A news page as sites serve them: navigation, ads, scripts, an aside and a footer around the article."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    meta = f"""<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Mekong Daily">
<meta property="article:published_time" content="2025-11-18T09:30:00+07:00">""" if head_meta else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Mekong Daily</title>
{meta}
<script>window.dataLayer = []; function track() {{ console.log("ad"); }}</script>
<style>.ad {{ color: red; }}</style>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="ad">Advertisement: Subscribe now and save 50% on your first year!</div>
<main><article>
{f"<h1>{title}</h1>" if headline else ""}
<p class="byline">By Somchai Prasert</p>
{body}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Floods hit northern provinces</a></li>
<li><a href="/b">Rice prices climb again</a></li></ul></aside>
<footer><p>Copyright 2025 Mekong Daily. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
<script>track();</script>
</body></html>"""


def write(tmp_path: Path, html: str, name: str = "article.html") -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def test_article_body_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, news_page())
    doc = read_document(path)
    lines = doc.text.split("\n")
    assert lines[0] == TITLE
    assert [line for line in lines if line in PARAGRAPHS] == PARAGRAPHS
    for junk in FURNITURE:
        assert junk not in doc.text
    assert (doc.format, doc.title, doc.outlet, doc.published, doc.language) == (
        "html", TITLE, "Mekong Daily", date(2025, 11, 18), "en")
    assert doc.raw == path.read_bytes()
    assert doc.source == str(path)


def test_title_is_put_back_when_the_body_has_no_headline(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, news_page(headline=False)))
    assert doc.text.split("\n")[0] == TITLE
    assert doc.text.count(TITLE) == 1


def test_dateline_of_the_body_fills_what_the_page_lacks(tmp_path: Path) -> None:
    paragraphs = ["SIEM REAP, Nov 18, 2025 (Reuters) - " + PARAGRAPHS[0], *PARAGRAPHS[1:]]
    doc = read_document(write(tmp_path, news_page(paragraphs=paragraphs, head_meta=False)))
    assert doc.place == "Siem Reap"
    assert doc.outlet == "Reuters"  # the page names no site, so the dateline's agency
    assert doc.published == date(2025, 11, 18)


def test_page_metadata_wins_over_the_dateline(tmp_path: Path) -> None:
    paragraphs = ["SIEM REAP, Nov 17, 2025 (Reuters) - " + PARAGRAPHS[0], *PARAGRAPHS[1:]]
    doc = read_document(write(tmp_path, news_page(paragraphs=paragraphs)))
    assert (doc.outlet, doc.published, doc.place) == ("Mekong Daily", date(2025, 11, 18), "Siem Reap")


def test_non_ascii_page_in_another_charset(tmp_path: Path) -> None:
    paragraphs = [p.replace("Phnom Penh", "Phnôm Pénh") for p in PARAGRAPHS]
    html = news_page(paragraphs=paragraphs).replace('charset="utf-8"', 'charset="iso-8859-1"')
    path = tmp_path / "latin1.htm"
    path.write_bytes(html.encode("iso-8859-1"))
    doc = read_document(path)
    assert paragraphs[0] in doc.text.split("\n")


def test_page_without_an_article(tmp_path: Path) -> None:
    html = """<!doctype html><html><head><title>Mekong Daily</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav><footer>All rights reserved.</footer></body></html>"""
    with pytest.raises(InputNotText, match=r"empty\.html: no article text found in the page"):
        read_document(write(tmp_path, html, "empty.html"))


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\xff\xfe garbage", b"<html>"])
def test_unusable_html_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.html"
    path.write_bytes(content)
    with pytest.raises(InputNotText, match=r"broken\.html: "):
        read_document(path)


def test_same_page_same_hash(tmp_path: Path) -> None:
    first = read_document(write(tmp_path, news_page(), "a.html"))
    again = read_document(write(tmp_path, news_page(), "b.xhtml"))
    assert first.sha256 == again.sha256
