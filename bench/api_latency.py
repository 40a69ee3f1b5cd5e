"""`make bench`: how the API's cost grows with the ledger — p50 / p95 of the hot reads at several sizes.

For each ledger size, builds a ledger with `bench/big_ledger.py` (the samples ingested for real, then copied in
SQL through the real indexes and triggers), serves it with `accord serve` (uvicorn) in its own process on
127.0.0.1, and times requests from this process, one at a time: the commitments list (plain, by pillar,
by status, by relation, and a page deep in the list through its cursor), search (a common word, a word
pair, a page deep in the hits), and a commitment's page (HTML, a different commitment each time).
Then the ingest rate of new documents into that full ledger: the shared corpus's documents of relations
the ledger's copies do not hold (../shared/gold/documents.json; `ACCORD_SHARED` names the folder), each
with a closing line of its own so that it is new every run, ingested through `accord.Ledger` with the
models loaded first; it writes through the same indexes and triggers as the copies. The documents are
the same every run, kept ledger or new. (A relation the copies hold is left out: its hundreds of
thousands of copies of the same few commitments carry no stored vectors, and a run loads a relation
whole the first time it meets it — see docs/scale.md.)

Sizes (statements per ledger), by `ACCORD_BENCH_SIZES`:
  default    "sqlite:10000,100000 postgresql:10000,1000000"           (about 5 minutes on 2 cores)
  "full"     "sqlite:10000,100000,1000000 postgresql:10000,1000000,10000000"   (the table of docs/scale.md;
             the 10 M PostgreSQL ledger takes about half an hour to build)
  or any "DIALECT:N,N ..." of your own.
`ACCORD_BENCH_POSTGRES_URL` names the server (default the local one; a database per size is created and
dropped). `ACCORD_BENCH_KEEP=DIR` keeps the ledgers (SQLite files in DIR, PostgreSQL databases
accord_bench_N) and reuses those already built. `ACCORD_BENCH_REQUESTS` (default 100) requests per row.
Prints a Markdown table; figures, never assertions. Goal: p95 < 50 ms at every size.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_ledger import build_ledger  # noqa: E402  (bench/ is not a package)

DEFAULT_SIZES = "sqlite:10000,100000 postgresql:10000,1000000"
FULL_SIZES = "sqlite:10000,100000,1000000 postgresql:10000,1000000,10000000"
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ACCORD_SHARED", ROOT.parent / "shared"))
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))  # what bench/big_ledger.py ingests first, then copies
INGEST_DOCUMENTS = int(os.environ.get("ACCORD_BENCH_INGEST_NEW", "12"))
GOAL_MS = 50.0


def sizes() -> list[tuple[str, int]]:
    given = os.environ.get("ACCORD_BENCH_SIZES", DEFAULT_SIZES)
    given = FULL_SIZES if given == "full" else given
    out = []
    for part in given.split():
        dialect, numbers = part.split(":")
        out += [(dialect, int(n)) for n in numbers.split(",")]
    return out


def timed_build(url: str, statements: int) -> float:
    """Seconds to build the ledger of `statements` statements at `url`."""
    start = time.perf_counter()
    build_ledger(url, statements)
    return time.perf_counter() - start


@contextmanager
def ledger(dialect: str, statements: int) -> Iterator[tuple[str, float | None]]:
    """The URL of a ledger of `statements` statements, and its build time (None when reused)."""
    keep = os.environ.get("ACCORD_BENCH_KEEP")
    if dialect == "sqlite":
        folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="accord-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"sqlite-{statements}.db"
        url = f"sqlite:///{db}"
        built = None
        if not (keep and db.exists()):
            for stale in folder.glob(f"sqlite-{statements}.db*"):
                stale.unlink()
            built = timed_build(url, statements)
        try:
            yield url, built
        finally:
            if not keep:
                for f in folder.glob("*"):
                    f.unlink()
                folder.rmdir()
        return
    server = make_url(os.environ.get("ACCORD_BENCH_POSTGRES_URL", SERVER))
    name = f"accord_bench_{statements}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        built = None
        if not (keep and exists):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            built = timed_build(url, statements)
    try:
        yield url, built
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def serve(url: str) -> Iterator[str]:
    """`accord serve` on the ledger, in its own process; its base address once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    accord = str(Path(sys.executable).parent / "accord")
    process = subprocess.Popen([accord, "serve", "--db", url, "--port", str(port)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"accord serve did not start on {url}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def percentiles(ms: list[float]) -> tuple[float, float]:
    ordered = sorted(ms)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def deep(client: httpx.Client, path: str, pages: int) -> str:
    """`path` with the cursor of the page `pages` pages in (walked once, untimed)."""
    joiner = "&" if "?" in path else "?"
    cursor = None
    for _ in range(pages):
        response = client.get(f"{path}{joiner}cursor={cursor}" if cursor else path)
        response.raise_for_status()
        cursor = response.json()["next"]
        if cursor is None:
            break
    return f"{path}{joiner}cursor={cursor}" if cursor else path


def time_ledger(base: str, n: int, commitments: int) -> list[tuple[str, float, float]]:
    rows = []
    with httpx.Client(base_url=base, timeout=120) as client:
        paths = ["/api/v1/commitments", "/api/v1/commitments?pillar=economy_trade",
                 "/api/v1/commitments?status=in_progress", "/api/v1/commitments?relation=KHM-THA",
                 deep(client, "/api/v1/commitments?limit=50", 20),
                 "/api/v1/search?q=railway", "/api/v1/search?q=trade%20agreement",
                 deep(client, "/api/v1/search?q=railway&limit=50", 20)]
        for path in paths:
            client.get(path).raise_for_status()  # warm
            ms = []
            for _ in range(n):
                start = time.perf_counter()
                client.get(path).raise_for_status()
                ms.append((time.perf_counter() - start) * 1000)
            rows.append((path if "cursor=" not in path else path.split("cursor=")[0] + "cursor=(page 21)",
                         *percentiles(ms)))
        ms = []
        step = max(1, commitments // n)
        for i in range(n):
            commitment = 1 + (i * step + 7919 * i) % commitments
            start = time.perf_counter()
            client.get(f"/commitments/{commitment}", headers={"Accept": "text/html"}).raise_for_status()
            ms.append((time.perf_counter() - start) * 1000)
        rows.append(("/commitments/{id} (HTML)", *percentiles(ms)))
    return rows


def new_documents(folder: Path, held: set[frozenset[str]]) -> tuple[list[Path], int]:
    """Up to INGEST_DOCUMENTS shared-corpus documents of relations not in `held`, written to `folder`,
    each with a closing line of its own (a new text every run), and their words; none without ../shared."""
    import json
    import uuid

    listed = SHARED / "gold" / "documents.json"
    if not listed.exists():
        return [], 0
    out = []
    words = 0
    for entry in json.loads(listed.read_text(encoding="utf-8")):
        if frozenset(entry["parties"]) in held or len(out) >= INGEST_DOCUMENTS:
            continue
        body = (SHARED / "corpus" / entry["doc"]).read_text(encoding="utf-8")
        path = folder / f"{len(out):02d}-{Path(entry['doc']).name}"
        body = body.rstrip() + f"\n\nBenchmark copy {uuid.uuid4().hex[:12]}.\n"
        path.write_text(body, encoding="utf-8")
        out.append(path)
        words += len(body.split())
    return out, words


def ingest_rate(url: str, held: set[frozenset[str]]) -> tuple[int, int, float] | None:
    """(documents, words, seconds) of ingesting new documents of relations not in `held` into the ledger
    at `url`, models loaded."""
    from accord.api import Ledger
    from accord.process.scale import warm

    with tempfile.TemporaryDirectory() as tmp:
        paths, words = new_documents(Path(tmp), held)
        if not paths:
            return None
        warm(True)
        with Ledger(url) as ledger:
            start = time.perf_counter()
            results = ledger.ingest(*[str(p) for p in paths])
            seconds = time.perf_counter() - start
        stored = [r for r in results if r.status != "unchanged"]
        return len(stored), words, seconds


def main() -> None:
    n = int(os.environ.get("ACCORD_BENCH_REQUESTS", "100"))
    print(f"API latency by ledger size, {n} requests each, one at a time (ms); goal p95 < {GOAL_MS:.0f} ms")
    print("| database | statements | built in | request | p50 | p95 |")
    print("|---|---:|---:|---|---:|---:|")
    rates = []
    for dialect, wanted in sizes():
        with ledger(dialect, wanted) as (url, built):
            engine = create_engine(url)
            with engine.connect() as conn:
                total = int(conn.execute(text("SELECT count(*) FROM statements")).scalar_one())
                commitments = int(conn.execute(text("SELECT max(id) FROM commitments")).scalar_one())
                # The relations of the samples the ledger was built from (its first documents; every
                # copy has one of them), not those of documents an earlier run ingested into a kept
                # ledger: so every run ingests the same documents, whether the ledger is new or kept.
                held = {frozenset(r.split("-")) for r in conn.execute(
                    text("SELECT DISTINCT relation FROM documents WHERE id <= :n AND relation IS NOT NULL"),
                    {"n": len(SAMPLES)}).scalars()}
            engine.dispose()
            with serve(url) as base:
                for path, p50, p95 in time_ledger(base, n, commitments):
                    flag = "" if p95 < GOAL_MS else " ✗"
                    took = f"{built:.0f} s" if built is not None else "kept"
                    print(f"| {dialect} | {total:,} | {took} | `{path}` | {p50:.1f} | {p95:.1f}{flag} |", flush=True)
            rates.append((dialect, total, ingest_rate(url, held)))
    print("\nIngest of new documents into the full ledger (relations the ledger does not hold yet)")
    print("| database | statements | documents | words | seconds | documents/s | words/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for dialect, total, rate in rates:
        if rate is None:
            print(f"| {dialect} | {total:,} | skipped: no {SHARED / 'gold' / 'documents.json'} | | | | |")
            continue
        documents, words, seconds = rate
        print(f"| {dialect} | {total:,} | {documents} | {words:,} | {seconds:.1f} | {documents / seconds:.2f} | "
              f"{words / seconds:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
