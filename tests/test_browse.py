"""Finding things in the dashboard: search with facets, the entities index, Atom feeds, pages of long lists,
titles without datelines, deadlines, and how a status was set."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser  # type: ignore[import-untyped]  # ships no type information
import pytest
from fastapi.testclient import TestClient

from accord.api import Ledger
from conftest import page_client

LUSAKA = """Zambia and Chile agree on copper research
LUSAKA, March 4, 2022 - Zambia and Chile agreed to build a copper research centre in Kitwe by 2024.
The two governments will open a direct air link between Lusaka and Santiago.
Both presidents pledged to double the number of student exchanges in mining engineering.
The leaders praised the growth of bilateral trade in the past decade.
"""
HANOI = """Vietnam and Kenya discuss coffee and tea
HANOI, June 2, 2026 - Vietnam and Kenya agreed to set up a joint coffee and tea research programme in Da Lat.
The two sides will hold a trade fair in Nairobi <script>alert(3)</script> next year.
"""
COPPER = "Zambia and Chile agreed to build a copper research centre in Kitwe by 2024."
COPPER_LINE = "LUSAKA, March 4, 2022 - " + COPPER


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two relations; the copper centre's status recorded by a person with a web source, then a hostile one."""
    path = tmp_path_factory.mktemp("browse") / "ledger.db"
    with Ledger(f"sqlite:///{path}") as lg:
        lg.ingest_text(LUSAKA, "lusaka.txt")
        lg.ingest_text(HANOI, "hanoi.txt")
        copper = next(c for c in lg.commitments() if c["text"] == COPPER_LINE)
        lg.status(copper["id"], "in_progress", "Ground broken in Kitwe", source="https://news.example/kitwe", by="ana")
        lg.status(copper["id"], "stalled", "Works halted", source="javascript:alert(1)", by="ben")
    return path


@pytest.fixture()
def client(built: Path, tmp_path: Path) -> Iterator[TestClient]:
    copy = tmp_path / "ledger.db"
    shutil.copy(built, copy)
    with page_client(f"sqlite:///{copy}") as c:
        yield c


def commitment_id(client: TestClient, text: str) -> int:
    found: int = next(c["id"] for c in client.get("/api/v1/commitments").json()["items"] if c["text"] == text)
    return found


def test_commitment_titles_leave_the_dateline_out_and_keep_the_offset(client: TestClient) -> None:
    item = client.get(f"/api/v1/commitments/{commitment_id(client, COPPER_LINE)}").json()
    assert item["title"] == COPPER
    assert item["text"][item["title_offset"]:] == COPPER  # the title is the statement from that offset on
    page = client.get("/commitments").text
    assert f">{COPPER}</a>" in page and "LUSAKA, March 4" not in page
    assert f'<h1 class="quote">{COPPER}</h1>' in client.get(f"/commitments/{item['id']}").text


def test_commitments_show_the_deadline_and_flag_it_overdue(client: TestClient) -> None:
    page = client.get("/commitments").text
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if COPPER in r)
    deadline = re.search(r'<td data-label="Deadline">(.*?)</td>', row, re.S)
    assert deadline is not None
    assert '<span class="nowrap">2024-12-31</span> <span class="flag">Overdue</span>' in deadline.group(1)
    assert "by 2024" in deadline.group(1)
    air = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "direct air link" in r)
    assert "none stated" in air
    ordered = re.findall(r'<td class="num" data-label="#">(\d+)</td>', client.get("/commitments?sort=deadline").text)
    assert ordered[0] == str(commitment_id(client, COPPER_LINE))  # the only dated one first, undated after


def test_history_says_who_recorded_a_status_and_links_only_web_sources(client: TestClient) -> None:
    page = client.get(f"/commitments/{commitment_id(client, COPPER_LINE)}").text
    assert "recorded by ana" in page and "recorded by ben" in page
    assert 'Source: <a class="url" href="https://news.example/kitwe" rel="noopener noreferrer nofollow">' in page
    assert 'href="javascript:' not in page
    assert '<span class="url">javascript:alert(1)</span>' in page
    assert '<span class="origin" title="How this status was set">recorded by ben</span>' in page


def test_search_narrows_by_facets_and_counts_each_choice(client: TestClient) -> None:
    page = client.get("/search?q=research").text
    assert "3 statements name “research”" in page  # the headline too
    assert re.search(r'href="/search\?q=research&amp;relation=CHL-ZMB">CHL-ZMB</a> \(2\)', page)
    assert re.search(r'href="/search\?q=research&amp;year=2026">2026</a> \(1\)', page)
    narrowed = client.get("/search?q=research&relation=KEN-VNM").text
    assert "1 statement names “research”" in narrowed
    assert "coffee and tea research programme" in narrowed and "copper research centre" not in narrowed
    assert "<strong>KEN-VNM</strong> (1)" in narrowed
    both = client.get("/search?q=research&relation=KEN-VNM&year=2022").text
    assert "No statement names these words with these facets." in both
    assert client.get("/search?q=research&type=promise").status_code == 422  # not a type
    assert client.get("/search?q=research&year=20x6").status_code == 422


def test_search_escapes_what_it_echoes_and_finds_hostile_text_as_text(client: TestClient) -> None:
    page = client.get("/search", params={"q": "<script>alert(9)</script> trade"}).text
    assert "<script>alert(9)" not in page and "&lt;script&gt;alert(9)&lt;/script&gt;" in page
    hit = client.get("/search?q=fair").text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in hit and "<script>alert(3)" not in hit


def test_entities_index_lists_names_by_kind_with_counts_and_finds_by_alias(client: TestClient) -> None:
    page = client.get("/entities").text
    assert '<a href="/entities/' in page and ">Kitwe</a>" in page
    places = client.get("/entities?kind=place").text
    names = re.findall(r'<td data-label="Name"><a href="/entities/\d+">([^<]+)</a>', places)
    assert "Zambia" in names and "Kitwe" in names
    assert all(k not in names for k in ("Accord",))
    kinds = {e["name"]: e["kind"] for e in client.get("/api/v1/entities?limit=500").json()["items"]}
    assert {kinds[n] for n in names} == {"place"}
    found = client.get("/entities?q=kitw").text
    assert re.findall(r'<td data-label="Name"><a href="/entities/\d+">([^<]+)</a>', found) == ["Kitwe"]
    assert client.get("/entities?kind=planet").status_code == 422
    assert '<a class="json" href="/api/v1/entities?kind=place&format=csv"' in places.replace("&amp;", "&")


def test_long_lists_come_in_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accord.web.paging.PER_PAGE", 2)
    first = client.get("/commitments").text
    ids = re.findall(r'<td class="num" data-label="#">(\d+)</td>', first)
    assert len(ids) == 2 and "1–2 of 5 · page 1 of 3" in first
    assert 'rel="next" href="?sort=id&amp;page=2"' in first
    second = re.findall(r'<td class="num" data-label="#">(\d+)</td>', client.get("/commitments?page=2").text)
    third = re.findall(r'<td class="num" data-label="#">(\d+)</td>', client.get("/commitments?page=3").text)
    assert len(second) == 2 and len(third) == 1 and len(set(ids) | set(second) | set(third)) == 5
    past = client.get("/commitments?page=9")
    assert past.status_code == 404 and "page 9 does not exist: there are 3 pages" in past.text
    assert client.get("/commitments?page=0").status_code == 422
    docs = client.get("/documents?page=1").text
    assert "1–2 of 2" not in docs  # two documents fit on one page: no pager
    monkeypatch.setattr("accord.web.paging.PER_PAGE", 1)
    assert "page 2 of 2" in client.get("/documents?page=2").text


def test_every_list_offers_csv(client: TestClient) -> None:
    for path, csv in (("/commitments", "/api/v1/commitments?format=csv"), ("/documents", "/api/v1/documents?format=csv"),
                      ("/relations", "/api/v1/relations?format=csv"), ("/entities", "/api/v1/entities?format=csv"),
                      ("/search?q=trade", "/api/v1/search?q=trade&format=csv")):
        page = client.get(path).text.replace("&amp;", "&")
        assert f'<a class="json" href="{csv}"' in page, path
        answer = client.get(csv)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv"), csv


def test_atom_feeds_follow_new_commitments_and_status_changes(client: TestClient) -> None:
    whole = client.get("/feed.atom")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(whole.text)
    assert feed.bozo == 0, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    copper = commitment_id(client, COPPER_LINE)
    assert titles[0].startswith(f"#{copper} status: stalled")  # the newest change first
    assert f"#{copper} status: in progress" in titles[1]
    assert any(t.startswith("New commitment #") and "coffee and tea" in t for t in titles)
    stalled = feed.entries[0]
    assert stalled.link == f"http://testserver/commitments/{copper}"
    assert "recorded by ben" in stalled.summary
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    fair = next(e for e in feed.entries if "trade fair" in e.summary)
    assert "<script>alert(3)</script>" in fair.summary  # the text itself, escaped in the XML
    assert "&lt;script&gt;alert(3)" in whole.text
    one = feedparser.parse(client.get("/relations/ZMB-CHL/feed.atom").text)
    assert one.feed.title == "Accord: CHL-ZMB"
    assert one.entries and all("coffee" not in e.title and "trade fair" not in e.summary for e in one.entries)
    assert {t.term for e in one.entries for t in e.tags} == {"CHL-ZMB"}
    assert client.get("/relations/FRA-PER/feed.atom").status_code == 404
    assert '<link rel="alternate" type="application/atom+xml"' in client.get("/relations/CHL-ZMB").text
