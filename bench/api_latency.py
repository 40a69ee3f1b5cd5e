"""`make bench`: p50/p95 latency of the commitments list and search endpoints, 100,000 statements.

Builds a SQLite ledger by ingesting the bundled samples for real, then
replicating their documents, statements, mentions and commitments with SQL
until the ledger holds at least 100,000 statements (each copy a document of
its own, its commitments its own). Then serves it with uvicorn on 127.0.0.1
and times requests from a client in the same process. Prints figures.
"""

from __future__ import annotations

import os
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(db: Path, statements_wanted: int) -> int:
    from sqlalchemy import create_engine, text

    from accord.api import Ledger

    url = f"sqlite:///{db}"
    with Ledger(url) as ledger:
        ledger.ingest(str(ROOT / "samples"))
    engine = create_engine(url)
    with engine.begin() as conn:
        n = conn.execute(text("SELECT count(*) FROM statements")).scalar_one()
        copies = -(-statements_wanted // n) - 1
        for copy in range(1, copies + 1):
            doc_shift = copy * 100_000
            st_shift = copy * 10_000_000
            c_shift = copy * 1_000_000
            conn.execute(text(
                "INSERT INTO documents (id, sha256, source, format, title, outlet, published, place, language, words,"
                " text, raw, ingested_at) SELECT id + :d, sha256 || '-' || :k, source, format, title, outlet, published,"
                " place, language, words, text, raw, ingested_at FROM documents WHERE id < 100000"),
                {"d": doc_shift, "k": copy})
            conn.execute(text(
                "INSERT INTO commitments (id, text, pillars, status, created_at) SELECT id + :c, text, pillars, status,"
                " created_at FROM commitments WHERE id < 1000000"), {"c": c_shift})
            conn.execute(text(
                "INSERT INTO statements (id, document_id, seq, start, \"end\", text, type, confidence, cue, pillars,"
                " actors, commitment_id, embedding) SELECT id + :s, document_id + :d, seq, start, \"end\", text, type,"
                " confidence, cue, pillars, actors, commitment_id + :c, NULL FROM statements WHERE id < 10000000"),
                {"s": st_shift, "d": doc_shift, "c": c_shift})
            conn.execute(text(
                "INSERT INTO mentions (statement_id, start, \"end\", text, kind, entity_id) SELECT statement_id + :s,"
                " start, \"end\", text, kind, entity_id FROM mentions WHERE statement_id < 10000000"),
                {"s": st_shift})
            conn.execute(text(
                "INSERT INTO targets (statement_id, metric, value, unit, deadline, start, \"end\", deadline_start,"
                " deadline_end) SELECT statement_id + :s, metric, value, unit, deadline, start, \"end\","
                " deadline_start, deadline_end FROM targets WHERE statement_id < 10000000"), {"s": st_shift})
        total = conn.execute(text("SELECT count(*) FROM statements")).scalar_one()
    engine.dispose()
    return int(total)


def serve(db: Path) -> tuple[str, object]:
    import uvicorn

    from accord.config import Settings
    from accord.web import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(database_url=f"sqlite:///{db}")), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def timings(base: str, path: str, n: int) -> list[float]:
    import httpx

    out = []
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get(path).raise_for_status()  # warm
        for _ in range(n):
            start = time.perf_counter()
            client.get(path).raise_for_status()
            out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    wanted = int(os.environ.get("ACCORD_BENCH_STATEMENTS", "100000"))
    n = int(os.environ.get("ACCORD_BENCH_REQUESTS", "100"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "latency.db"
        total = build(db, wanted)
        base, server = serve(db)
        print(f"API latency: {total:,} statements in a SQLite ledger, {n} requests each (ms)")
        print(f"{'endpoint':52s} {'p50':>8s} {'p95':>8s}")
        for path in ("/api/v1/commitments", "/api/v1/commitments?pillar=economy_trade",
                     "/api/v1/commitments?q=railway", "/api/v1/search?q=trade", "/api/v1/search?q=railway%20link"):
            ms = sorted(timings(base, path, n))
            p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
            print(f"{path:52s} {statistics.median(ms):8.1f} {p95:8.1f}")
        server.should_exit = True  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
