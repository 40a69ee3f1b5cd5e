"""Full-text search over statements, in pages that cost the same at any ledger size (docs/scale.md).

SQLite searches its FTS5 index (`statements_fts`, kept by triggers on every insert, edit and delete of a
statement); PostgreSQL a stored tsvector column (`statements.search_vector`) through its GIN index. The
words are plain words on both: FTS5's syntax (quotes, *, ^, :, NEAR, AND/OR/NOT, parentheses) is quoted
away term by term, as plainto_tsquery ignores it, so no input is ever read as a query operator. Hits come
newest first (statement id descending) or oldest first: an order both indexes give without reading every
hit, so a page is the next LIMIT hits after the cursor's id. Ranking by relevance would read every hit.

Counting is bounded: `count` stops at COUNT_LIMIT hits and says whether it got to the end, and facet
counts are taken over the newest COUNT_LIMIT hits. A word found in millions of statements costs what one
found in ten thousand does. On PostgreSQL a one-word search's total is read from `search_words` (revision
0008: how many statements hold each word, kept by triggers), so even those ten thousand are not read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, TextClause, func, select, text

from accord.errors import InputError
from accord.ledger import tables as t

S, D = t.statements, t.documents
COUNT_LIMIT = 10_000
HIT_COLUMNS = (S.c.id, S.c.text, S.c.type, S.c.start, S.c.end, S.c.commitment_id, D.c.id.label("document"),
               D.c.title, D.c.published, S.c.pillars, D.c.relation)


def fts5_query(words: str) -> str:
    """`words` as an FTS5 query of plain terms: each whitespace-separated word a quoted string (an inner
    quote doubled), all of them required. FTS5 reads nothing inside quotes as syntax."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words.split())


def _checked(words: str) -> str:
    if "\x00" in words:
        raise InputError("search: a NUL character is not allowed in a search")
    return words


def _sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _fts_ids(words: str, newest_first: bool, after: int | None, limit: int | None) -> Select[Any]:
    """SQLite: the ids of matching statements straight from the FTS5 index, in rowid order (FTS5 walks
    its doclists in either direction and stops at LIMIT; a rowid bound skips to the cursor)."""
    rowid = text("rowid")
    query = select(rowid).select_from(text("statements_fts")).where(
        text("statements_fts MATCH :fts_q").bindparams(fts_q=fts5_query(words)))
    if after is not None:
        query = query.where(text(("rowid < :fts_after" if newest_first else "rowid > :fts_after"))
                            .bindparams(fts_after=after))
    return query.order_by(text("rowid DESC" if newest_first else "rowid")).limit(limit)


def _pg_match() -> Any:
    return text("statements.search_vector @@ plainto_tsquery('english', :pg_q)")


def page(conn: Connection, words: str, *, newest_first: bool = True, after: int | None = None,
         limit: int | None = 50) -> list[dict[str, Any]]:
    """Up to `limit` statements matching `words` after the statement id `after` (None: from the start),
    newest first unless `newest_first` is False; every hit when `limit` is None."""
    words = _checked(words)
    if not words.split():
        return []
    query = select(*HIT_COLUMNS).join(D, D.c.id == S.c.document_id).order_by(S.c.id.desc() if newest_first else S.c.id)
    if _sqlite(conn):
        # rowid IN (the index's ids, already cut at LIMIT): a primary-key lookup per hit
        query = query.where(S.c.id.in_(_fts_ids(words, newest_first, after, limit)))
    else:
        query = query.where(_pg_match().bindparams(pg_q=words)).limit(limit)
        if after is not None:
            query = query.where(S.c.id < after if newest_first else S.c.id > after)
    return [_hit(r._mapping) for r in conn.execute(query)]


def counted_page(conn: Connection, words: str, *, newest_first: bool = True, after: int | None = None,
                 limit: int = 50, count_limit: int = COUNT_LIMIT) -> tuple[list[dict[str, Any]], int, bool]:
    """A page of hits as `page` gives it, with `count`'s total (up to `count_limit`) and whether it is exact.

    On PostgreSQL the count reads the hits' ids (up to `count_limit` + 1, in whatever order the planner finds
    them cheapest: a scan of the table for a common word, the GIN index for rare words). When they are all
    there (the count is exact), the page is cut from them in the same query and its rows read by primary
    key, so two words that are each common but rarely together cost one pass over the index, not two.
    When there are more, hits are dense enough that walking the primary key from the cursor finds a page
    after a few hundred rows."""
    if _sqlite(conn):
        total, exact = count(conn, words, count_limit)
        return page(conn, words, newest_first=newest_first, after=after, limit=limit), total, exact
    words = _checked(words)
    known = _pg_known(conn, words) if words.split() else 0
    if known == 0:
        return [], 0, True
    if known is not None and known > count_limit:
        return page(conn, words, newest_first=newest_first, after=after, limit=limit), count_limit, False
    _one_process(conn)
    n, ids = conn.execute(pg_counted(words, newest_first, after, limit, count_limit)).one()
    if n > count_limit:
        return page(conn, words, newest_first=newest_first, after=after, limit=limit), count_limit, False
    if not ids:
        return [], int(n), True
    rows = conn.execute(select(*HIT_COLUMNS).join(D, D.c.id == S.c.document_id).where(S.c.id.in_(ids))
                        .order_by(S.c.id.desc() if newest_first else S.c.id))
    return [_hit(r._mapping) for r in rows], int(n), True


def pg_counted(words: str, newest_first: bool, after: int | None, limit: int, count_limit: int) -> Select[Any]:
    """PostgreSQL: how many statements match `words`, up to `count_limit` + 1, and the ids of the page after
    `after` among them (whole only when the count is not over `count_limit`), in one query."""
    found = select(S.c.id).where(_pg_match().bindparams(pg_q=words)).limit(count_limit + 1).cte("found")
    window = select(found.c.id).order_by(found.c.id.desc() if newest_first else found.c.id).limit(limit)
    if after is not None:
        window = window.where(found.c.id < after if newest_first else found.c.id > after)
    page_ids = select(func.array_agg(window.subquery().c.id)).scalar_subquery()
    return select(select(func.count()).select_from(found).scalar_subquery(), page_ids)


def count(conn: Connection, words: str, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many statements match `words`, counted up to `limit`: (the count, whether it is exact)."""
    words = _checked(words)
    if not words.split():
        return 0, True
    if _sqlite(conn):
        found = _fts_ids(words, True, None, limit + 1).subquery()
    else:
        known = _pg_known(conn, words)
        if known is not None:
            return min(known, limit), known <= limit
        _one_process(conn)
        found = select(S.c.id).where(_pg_match().bindparams(pg_q=words)).limit(limit + 1).subquery()
    n = int(conn.execute(select(func.count()).select_from(found)).scalar_one())
    return min(n, limit), n <= limit


def pg_known(words: str) -> TextClause:
    """The query `_pg_known` reads: how many words the search has, and how many statements hold the rarest."""
    return text("SELECT numnode(plainto_tsquery('english', :q)), (SELECT min(coalesce(w.n, 0)) FROM "
                "unnest(tsvector_to_array(to_tsvector('english', :q))) AS q (word) LEFT JOIN search_words w "
                "ON w.word = q.word)").bindparams(q=words)


def _one_process(conn: Connection) -> None:
    """PostgreSQL: no parallel workers for the rest of this read. The planner reads a rare pair of common
    words' hits with two workers beside it, whose start costs more than they save (35 ms against 28 at
    10 M statements; more on a busy machine): the GIN index is read by one process either way."""
    conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _pg_known(conn: Connection, words: str) -> int | None:
    """PostgreSQL: how many statements match `words` when `search_words` (revision 0008) says it without
    reading a statement — none for a query of stop words alone or with a word no statement holds, the
    word's count for one word — else None (several words: only reading their hits can say)."""
    nodes, fewest = conn.execute(pg_known(words)).one()
    if nodes == 0 or not fewest:
        return 0
    return int(fewest) if nodes == 1 else None


def newest(conn: Connection, words: str, limit: int = COUNT_LIMIT) -> list[dict[str, Any]]:
    """The newest `limit` hits, for facet counts and the search page's choices."""
    return page(conn, words, limit=limit)


def commitments_matching(conn: Connection, words: str) -> Any:
    """A subquery of the ids of the commitments one of whose statements matches `words`."""
    words = _checked(words)
    if _sqlite(conn):
        hits: Any = S.c.id.in_(_fts_ids(words, True, None, None).order_by(None))
    else:
        hits = _pg_match().bindparams(pg_q=words)
    return select(S.c.commitment_id).where(hits, S.c.commitment_id.is_not(None))


def _hit(row: Any) -> dict[str, Any]:
    published = row["published"]
    return {**row, "pillars": list(row["pillars"] or []),
            "published": published.isoformat() if published is not None else None}
