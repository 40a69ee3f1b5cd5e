"""Full-text search (accord.ledger.search) on SQLite's FTS5 and PostgreSQL's tsvector: the index kept in step
with every insert, edit and delete, plain-word semantics on sentences written for them, and no query syntax
ever read from what a person typed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, delete, text, update

from accord.api import Ledger
from accord.config import Settings
from accord.ledger import tables as t
from accord.ledger.store import insert_id, now, transaction
from accord.web import create_app

SENTENCES = [
    "Laos and Vietnam agreed to build the Vientiane - Hanoi railway by 2030.",  # 0
    "The railway link will carry freight and passengers.",  # 1
    "Both sides pledged to raise bilateral trade to US$5 billion.",  # 2
    "Trade in coffee, tea and rice will be freed of tariffs.",  # 3
    "The ministers discussed cyber-security and the fight against cybercrime.",  # 4
    "A joint committee will meet each year to review trade and investment.",  # 5
]


def add_document(conn: Connection, sentences: Iterable[str], *, relation: str | None = "LAO-VNM",
                 pillars: Iterable[str] = ("economy_trade",), published: date | None = date(2026, 1, 2),
                 commitments: bool = True) -> list[int]:
    """A document of `sentences` written straight into the ledger (no pipeline), each sentence a statement
    and, with `commitments`, a commitment of its own; the statements' ids. Offsets slice the text."""
    sentences = list(sentences)
    body = " ".join(sentences)
    sha = hashlib.sha256(body.encode()).hexdigest()
    document = insert_id(conn, t.documents, {
        "sha256": sha, "source": f"{sha[:12]}.txt", "format": "text", "title": sentences[0][:40],
        "published": published, "words": len(body.split()), "text": body, "ingested_at": now(),
        "relation": relation})
    ids, at = [], 0
    for seq, sentence in enumerate(sentences):
        start = body.index(sentence, at)
        at = start + len(sentence)
        commitment = insert_id(conn, t.commitments, {
            "text": sentence, "pillars": sorted(pillars), "status": "announced", "created_at": now(),
            "relation": relation}) if commitments else None
        ids.append(insert_id(conn, t.statements, {
            "document_id": document, "seq": seq, "start": start, "end": at, "text": sentence,
            "type": "commitment", "confidence": 0.9, "cue": None, "pillars": sorted(pillars), "actors": [],
            "commitment_id": commitment}))
    return ids


@pytest.fixture()
def ledger(ledger_url: str) -> Iterator[Ledger]:
    with Ledger(ledger_url) as lg:
        with transaction(lg.engine) as conn:
            add_document(conn, SENTENCES)
        yield lg


def found(lg: Ledger, words: str) -> list[str]:
    return [h["text"] for h in lg.search(words)]


def search_problems(lg: Ledger) -> list[str]:
    return [str(p) for p in lg.check() if p.kind == "search"]


def test_search_finds_every_word_in_any_order_newest_first(ledger: Ledger) -> None:
    assert found(ledger, "railway") == [SENTENCES[1], SENTENCES[0]]  # newest (highest id) first
    assert found(ledger, "RAILWAY link") == [SENTENCES[1]]  # every word, any case
    assert found(ledger, "link railway") == [SENTENCES[1]]  # any order
    assert found(ledger, "trade,") == [SENTENCES[5], SENTENCES[3], SENTENCES[2]]  # punctuation is not a word
    assert found(ledger, "coffee rice") == [SENTENCES[3]]  # both words, not next to each other
    assert found(ledger, "coffee railway") == []  # never in one statement
    assert found(ledger, "cybercrime") == [SENTENCES[4]]
    assert found(ledger, "cyber-security") == [SENTENCES[4]]  # a hyphenated word, as its parts
    assert found(ledger, "US$5 billion") == [SENTENCES[2]]
    assert found(ledger, "   ") == [] and found(ledger, "nothing-like-this") == []
    assert [h["id"] for h in ledger.search("trade", limit=2)] == [h["id"] for h in ledger.search("trade")][:2]


def test_search_pages_walk_every_hit_once_in_both_orders(ledger: Ledger) -> None:
    every = [h["id"] for h in ledger.search("trade")]
    assert len(every) == 3
    for newest_first in (True, False):
        walked, after = [], None
        while True:
            hits, total, exact, after = ledger.search_page("trade", newest_first=newest_first, after=after, limit=2)
            assert (total, exact) == (3, True)
            walked += [h["id"] for h in hits]
            if after is None:
                break
        assert walked == (every if newest_first else every[::-1])


def test_a_page_is_the_same_whether_every_hit_was_counted_or_not(ledger: Ledger) -> None:
    """On PostgreSQL a page is cut from the counted hits when the count is exact, else walked by primary key."""
    from accord.ledger import search

    every = [h["id"] for h in ledger.search("trade")]
    with ledger.engine.connect() as conn:
        for cap in (1, 2, 3, 4):  # below, at and above the 3 hits
            for newest_first in (True, False):
                walked: list[int] = []
                while True:
                    hits, total, exact = search.counted_page(conn, "trade", newest_first=newest_first,
                                                             after=walked[-1] if walked else None, limit=1,
                                                             count_limit=cap)
                    assert (total, exact) == (min(cap, 3), cap >= 3)
                    if not hits:
                        break
                    walked += [h["id"] for h in hits]
                assert walked == (every if newest_first else every[::-1]), (cap, newest_first)
            assert search.counted_page(conn, "coffee railway", count_limit=cap) == ([], 0, True)


def test_the_index_follows_edits_moves_and_deletes(ledger: Ledger) -> None:
    S = t.statements

    def counted(*words: str) -> None:  # each word's total (kept per word on PostgreSQL) is its hits
        for word in words:
            assert ledger.search_count(word) == (len(found(ledger, word)), True), word

    rail, link = (h["id"] for h in ledger.search("railway")[::-1])
    counted("railway", "freight", "motorway")
    with transaction(ledger.engine) as conn:  # a statement's text edited (a correction of its offsets)
        conn.execute(update(S).where(S.c.id == rail).values(text="Laos and Vietnam agreed to build a motorway."))
    assert found(ledger, "railway") == [SENTENCES[1]]
    assert found(ledger, "motorway") == ["Laos and Vietnam agreed to build a motorway."]
    counted("railway", "motorway", "vientian", "laos")
    with transaction(ledger.engine) as conn:  # curation moves a statement to another commitment
        target = conn.execute(text("SELECT min(id) FROM commitments")).scalar_one()
        conn.execute(update(S).where(S.c.id == link).values(commitment_id=target))
    assert [h["commitment_id"] for h in ledger.search("freight")] == [target]
    counted("freight", "railway")
    with transaction(ledger.engine) as conn:
        conn.execute(delete(t.merge_reasons))
        conn.execute(delete(S).where(S.c.id == link))
    assert found(ledger, "freight") == [] and found(ledger, "railway") == []
    counted("freight", "railway", "trade")
    with transaction(ledger.engine) as conn:
        add_document(conn, ["A second railway will reach the sea."], commitments=False)
    assert found(ledger, "railway") == ["A second railway will reach the sea."]
    counted("railway", "sea", "second")
    with transaction(ledger.engine) as conn:  # a whole document removed: its statements go with it
        conn.execute(update(S).values(commitment_id=None))
        conn.execute(delete(t.commitments))
        conn.execute(delete(t.documents))
    assert found(ledger, "railway") == [] and found(ledger, "trade") == []
    counted("railway", "trade", "sea")
    assert search_problems(ledger) == []  # FTS5 (PostgreSQL: the words' counts) hold exactly the statements there are


def test_a_word_count_kept_wrong_is_found(ledger: Ledger) -> None:
    """PostgreSQL reads a one-word total from search_words (revision 0008); `accord check` counts again.
    SQLite counts from FTS5's doclists and keeps no such table."""
    with ledger.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'search_words'")).scalar() == 0
            return
        conn.execute(text("UPDATE search_words SET n = n + 5 WHERE word = 'railway'"))
        conn.execute(text("DELETE FROM search_words WHERE word = 'coffe'"))
    assert ledger.search_count("railway") == (7, True)  # what is kept is what a one-word search shows
    assert search_problems(ledger) == [
        "search_words: the count kept for the word 'coffe' is 0, but 1 statements hold it: a change went around "
        "the triggers; a search for it alone shows the kept total",
        "search_words: the count kept for the word 'railway' is 7, but 2 statements hold it: a change went around "
        "the triggers; a search for it alone shows the kept total"]


HOSTILE = ['"', '""', "'", "*", "trade*", "^trade", "NEAR(trade rice)", "NEAR(trade rice, 2)", "trade OR railway",
           "trade AND NOT rice", "-trade", "trade NOT rice", "(", ")", "((trade", "trade)", "{text}: trade",
           "text:trade", "col:trade", "trade + rice", "\\", "é", "\x01", "'; DROP TABLE statements; --",
           "1' OR '1'='1", "trade\" OR \"railway", "%", "_", "rowid:1", "MATCH", "*:*", "railway -- comment"]


@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_words_never_error_nor_act_as_operators(ledger: Ledger, words: str) -> None:
    hits = ledger.search(words)
    total, exact = ledger.search_count(words)
    assert (total, exact) == (len(hits), True)
    # Whatever FTS5 or tsquery would make of the syntax, a hit holds every letter-word of the query as a
    # word: no OR widened it, no * or NOT changed it. And nothing was dropped.
    for hit in hits:
        words_in = {w.strip(".,$").lower() for w in hit["text"].replace("-", " ").split()}
        for word in "".join(c if c.isalnum() else " " for c in words).lower().split():
            if word not in ("and", "or", "not", "near", "the", "a"):  # stop words PostgreSQL ignores
                assert word in words_in, (words, hit["text"])
    assert len(found(ledger, "trade")) == 3


def test_hostile_words_through_the_api(ledger_url: str) -> None:
    with Ledger(ledger_url) as lg, transaction(lg.engine) as conn:
        add_document(conn, SENTENCES)
    settings = Settings(database_url=ledger_url, secret_key="k")
    with TestClient(create_app(settings)) as client:
        for words in HOSTILE:
            for path in ("/api/v1/search", "/api/v1/commitments", "/search"):
                response = client.get(path, params={"q": words})
                assert response.status_code == 200, (path, words, response.text)
        body = client.get("/api/v1/search", params={"q": "trade"}).json()
        assert [h["text"] for h in body["items"]] == [SENTENCES[5], SENTENCES[3], SENTENCES[2]]
        assert (body["total"], body["total_exact"], body["next"]) == (3, True, None)
        assert client.get("/api/v1/search", params={"q": "railway"}).json()["total"] == 2


def test_a_count_stops_at_its_limit_and_says_so(ledger: Ledger) -> None:
    from accord.ledger import search

    with ledger.engine.connect() as conn:
        assert search.count(conn, "trade", limit=2) == (2, False)
        assert search.count(conn, "trade", limit=3) == (3, True)
