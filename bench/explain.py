"""The query plans of the hot reads on a ledger: `python bench/explain.py URL` (docs/scale.md quotes them).

Each query is built by the same library function the API calls (accord.ledger.keyset, .search,
.queries), compiled with its parameters, and explained: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE,
BUFFERS) on PostgreSQL (it runs the query and gives the time).
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import Connection, create_engine, select, text


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

    S, D = t.statements, t.documents
    if conn.dialect.name == "sqlite":
        hits = search._fts_ids("railway", True, None, 51)
        hits_deep = search._fts_ids("railway", True, middle * 2, 51)
        counted = select(text("count(*)")).select_from(search._fts_ids("railway", True, None, 10_001).subquery())
    else:
        match = search._pg_match().bindparams(pg_q="railway")
        hits = select(S.c.id).where(match).order_by(S.c.id.desc()).limit(51)
        hits_deep = select(S.c.id).where(match, S.c.id < middle * 2).order_by(S.c.id.desc()).limit(51)
        counted = select(text("count(*)")).select_from(select(S.c.id).where(match).limit(10_001).subquery())
    return [
        ("commitments, first page", ids(F())),
        ("commitments, a page deep in the list", ids(F(), after=middle)),
        ("commitments ?pillar=economy_trade", ids(F(pillar="economy_trade"))),
        ("commitments ?status=in_progress", ids(F(status="in_progress"))),
        ("commitments ?relation=KHM-THA", ids(F(relation="KHM-THA"))),
        ("commitments ?pillar=economy_trade&status=in_progress", ids(F(pillar="economy_trade", status="in_progress"))),
        ("count ?pillar=economy_trade", select(text("count(*)")).select_from(page(F(pillar="economy_trade"), None)[0].subquery())),
        ("count, plain", select(text("count(*)")).select_from(t.commitments)),
        ("search railway, first page", hits),
        ("search railway, a page deep", hits_deep),
        ("search railway, count up to 10,000", counted),
        ("a commitment's statements (its page)", select(S.c.id, D.c.title).join(D, D.c.id == S.c.document_id)
         .where(S.c.commitment_id == middle)),
    ]


def main() -> None:
    engine = create_engine(sys.argv[1])
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        for title, query in hot_queries(conn):
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            print(f"-- {title}\n{sql}")
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
            for row in conn.exec_driver_sql(explain + sql):
                print("   ", row[-1])
            print()
    engine.dispose()


if __name__ == "__main__":
    main()
