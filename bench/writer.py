"""`make bench`: what the ledger's writer costs a document, apart from extraction and embedding.

Prepares the first ACCORD_BENCH_WRITER_DOCUMENTS documents (default 200) of the corpus `scale_out.py`
builds (read, extracted, embedded: the workers' share), then places and writes them one transaction
each, in this process, into a fresh SQLite file and a fresh PostgreSQL database (ACCORD_BENCH_POSTGRES_URL,
default the local server), as `accord ingest` does. The first 20 warm the caches and are not counted.

Prints, for each ledger: the writer's CPU and wall time a document, and the SQL statements it sends a
document (counted with SQLAlchemy's `before_cursor_execute`), beside extraction's time a document.
Asserts nothing.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_out  # noqa: E402 - the benchmark corpus and the throwaway PostgreSQL database

WARM = 20


def prepared_documents(n: int) -> tuple[list[Any], float]:
    """The first `n` documents of the benchmark corpus prepared, and extraction's seconds a document."""
    from accord.extract import extract_text
    from accord.ingest.corpus import iter_inputs
    from accord.process.ingest import prepare_documents, read_input

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        scale_out.write_corpus(corpus, 1_000 * n)
        docs = [read_input(item, None) for _, item in zip(range(n), iter_inputs([str(corpus)]))]
    extract_text(docs[0].text)  # the pipeline loaded before the clock starts
    start = time.process_time()
    for doc in docs:
        extract_text(doc.text)
    extraction = (time.process_time() - start) / len(docs)
    return [p for i in range(0, len(docs), 8) for p in prepare_documents(docs[i:i + 8])], extraction


def write(url: str, prepared: list[Any]) -> tuple[float, float, float]:
    """(CPU seconds, wall seconds, SQL statements) a document, writing `prepared` into the ledger at `url`."""
    from sqlalchemy import event

    from accord.api import Ledger
    from accord.process.ingest import store_prepared
    from accord.process.known import KnownState

    sent = [0]
    with Ledger(url) as ledger:
        state = KnownState()
        for p in prepared[:WARM]:
            store_prepared(ledger.engine, p, state)
        event.listen(ledger.engine, "before_cursor_execute", lambda *args: sent.__setitem__(0, sent[0] + 1))
        cpu, wall = time.process_time(), time.perf_counter()
        for p in prepared[WARM:]:
            store_prepared(ledger.engine, p, state)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    n = len(prepared) - WARM
    return cpu / n, wall / n, sent[0] / n


def main() -> None:
    n = max(WARM + 1, int(os.environ.get("ACCORD_BENCH_WRITER_DOCUMENTS", "200")))
    pg = os.environ.get("ACCORD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    prepared, extraction = prepared_documents(n)
    print(f"writer: {n - WARM:,} documents after {WARM} to warm up; extraction alone: {extraction * 1000:.0f} ms "
          "of CPU a document")
    print(f"{'ledger':12s} {'CPU ms/doc':>11s} {'wall ms/doc':>12s} {'vs extraction':>14s} {'SQL/doc':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [("SQLite", f"sqlite:///{Path(tmp) / 'writer.db'}", None)]
        made = scale_out.database(pg)
        if made is not None:
            rows.append(("PostgreSQL", made[1], made[0]))
        for label, url, admin in rows:
            try:
                cpu, wall, statements = write(url, prepared)
            finally:
                if admin is not None:
                    scale_out.drop(admin, url)
                    admin.dispose()
            print(f"{label:12s} {cpu * 1000:11.1f} {wall * 1000:12.1f} {cpu / extraction:13.2f}x {statements:8.1f}")


if __name__ == "__main__":
    main()
