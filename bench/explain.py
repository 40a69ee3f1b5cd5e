"""The query plans of the hot reads on a ledger: `python bench/explain.py URL` (docs/scale.md quotes them).

Each query is built by the same library function the API calls (accord.ledger.keyset, .search,
.queries), or is the one-row read of a kept total, compiled with its parameters, and explained: EXPLAIN
QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL (it runs the query and gives the time),
with JIT off and parallel workers as the library sets them (off for search).
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import Connection, select, text


def hot_queries(conn: Connection) -> list[tuple[str, Any]]:
    from accord.ledger import keyset, search
    from accord.ledger import tables as t

    last = int(conn.execute(text("SELECT max(id) FROM commitments")).scalar_one())
    middle = last // 2
    F = keyset.Filters
    page = keyset._ids  # the same query commitment_ids runs, with bounds and order added below

    def ids(filters: keyset.Filters, after: int | None = None) -> Any:
        query, column = page(filters, None)
        if after is not None:
            query = query.where(column > after)
        return query.order_by(column).limit(51)

    S, D, K = t.statements, t.documents, t.commitment_counts

    def kept(field: str, value: str) -> Any:  # the total keyset.count_commitments reads for one filter or none
        return select(K.c.n).where(K.c.field == field, K.c.value == value)

    if conn.dialect.name == "sqlite":
        hits = search._fts_ids("railway", True, None, 51)
        hits_deep = search._fts_ids("railway", True, middle * 2, 51)
        counted = select(text("count(*)")).select_from(search._fts_ids("railway", True, None, 10_001).subquery())
        pair = select(text("count(*)")).select_from(search._fts_ids("trade agreement", True, None, 10_001).subquery())
        searches = [("search railway, count up to 10,000", counted),
                    ("search trade agreement, count up to 10,000", pair)]
    else:
        match = search._pg_match().bindparams(pg_q="railway")
        hits = select(S.c.id).where(match).order_by(S.c.id.desc()).limit(51)
        hits_deep = select(S.c.id).where(match, S.c.id < middle * 2).order_by(S.c.id.desc()).limit(51)
        searches = [("search railway, its total (one word: search_words)", search.pg_known("railway")),
                    ("search trade agreement, counted and paged in one pass over the index",
                     search.pg_counted("trade agreement", True, None, 51, search.COUNT_LIMIT))]
    return [
        ("commitments, first page", ids(F())),
        ("commitments, a page deep in the list", ids(F(), after=middle)),
        ("commitments ?pillar=economy_trade", ids(F(pillar="economy_trade"))),
        ("commitments ?status=in_progress", ids(F(status="in_progress"))),
        ("commitments ?relation=KHM-THA", ids(F(relation="KHM-THA"))),
        ("commitments ?pillar=economy_trade&status=in_progress", ids(F(pillar="economy_trade", status="in_progress"))),
        ("total, plain (kept)", kept("all", "")),
        ("total ?pillar=economy_trade (kept)", kept("pillar", "economy_trade")),
        ("total ?pillar=economy_trade&status=in_progress (two filters: counted)",
         select(text("count(*)")).select_from(page(F(pillar="economy_trade", status="in_progress"), None)[0].subquery())),
        ("search railway, first page", hits),
        ("search railway, a page deep", hits_deep),
        *searches,
        ("a commitment's statements (its page)", select(S.c.id, D.c.title).join(D, D.c.id == S.c.document_id)
         .where(S.c.commitment_id == middle)),
    ]


def main() -> None:
    from accord.ledger import search
    from accord.ledger.store import open_engine

    engine = open_engine(sys.argv[1])  # as `accord serve` opens it: PostgreSQL without JIT
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        for title, query in hot_queries(conn):
            if title.startswith("search") and not sqlite:
                search._one_process(conn)
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            print(f"-- {title}\n{sql}")
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
            for row in conn.exec_driver_sql(explain + sql):
                print("   ", row[-1])
            print()
    engine.dispose()


if __name__ == "__main__":
    main()
