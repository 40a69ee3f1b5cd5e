"""`make bench`: extraction and ingest on Dask beside the local engine (issue 13).

Builds a JSONL corpus of distinct documents: the shared corpus's texts (../shared/corpus, or the bundled
samples when it is absent), each copy with its own closing sentence and figures, so every text and its
hash differ. Then:

  extraction  `accord extract CORPUS -f jsonl` over >= ACCORD_BENCH_EXTRACT_WORDS words (default 5,000,000),
              local engine, then Dask with 1 and 2 workers, each timed as a whole process;
  ingest      the first ACCORD_BENCH_INGEST_DOCUMENTS documents (default 2,000) into a fresh PostgreSQL
              database (ACCORD_BENCH_POSTGRES_URL, default the local server) on Dask with 1 and 2 workers,
              beside extraction of the same documents on the same workers (both through the library,
              timed from when the workers have loaded their models); and the peak memory (RSS) of a
              worker after 500 and after all the documents.

The embeddings run as Accord runs them (OpenVINO, bfloat16 or float32 by the CPU; the ingest header says
which); ACCORD_EMBEDDING_INT8=1 in the environment times ingest with int8 embeddings in ONNX Runtime
instead, ACCORD_EMBEDDING_TORCH=1 in PyTorch (docs/scale.md).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ACCORD_SHARED", ROOT.parent / "shared"))
PLACES = ["Bangkok", "Hanoi", "Manila", "Jakarta", "Delhi", "Tokyo", "Seoul", "Canberra", "Nairobi", "Lima"]


def sources() -> list[str]:
    found = sorted((SHARED / "corpus").glob("*/*.txt")) or sorted((ROOT / "samples").glob("*.txt"))
    return [p.read_text(encoding="utf-8") for p in found]


def write_corpus(path: Path, words: int) -> tuple[int, int]:
    """A JSONL corpus of at least `words` words; (documents, words)."""
    texts = sources()
    n = total = 0
    with path.open("w", encoding="utf-8") as f:
        while total < words:
            body = texts[n % len(texts)].replace("2030", str(2030 + n % 9))
            body += f"\nOfficials said the {n + 1}th round of talks would be held in {PLACES[n % len(PLACES)]}.\n"
            f.write(json.dumps({"id": f"doc-{n:06d}", "text": body}) + "\n")
            total += len(body.split())
            n += 1
    return n, total


def head(path: Path, out: Path, documents: int) -> int:
    """The first `documents` records of a corpus as a corpus of their own; its words."""
    words = 0
    with path.open(encoding="utf-8") as f, out.open("w", encoding="utf-8") as g:
        for _, line in zip(range(documents), f):
            g.write(line)
            words += len(json.loads(line)["text"].split())
    return words


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "accord"), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def extract_on_dask(corpus: Path, workers: int) -> float:
    """Seconds to extract `corpus` on a local Dask cluster, once its workers have loaded the pipeline."""
    from accord.process.scale import DaskRunner, extract_job

    run = DaskRunner(None, workers, embed=False)
    try:
        start = time.perf_counter()
        for _ in extract_job([str(corpus)], run):
            pass
        return time.perf_counter() - start
    finally:
        run.close()


def ingest_on_dask(url: str, corpus: Path, workers: int, checkpoints: tuple[int, ...]) -> tuple[float, dict[int, int]]:
    """Seconds to ingest `corpus` on a local Dask cluster, once its workers have loaded the pipeline and
    the model, and the largest worker peak RSS (bytes) seen after each checkpoint (a number of documents;
    the peak is read while the clock is stopped)."""
    from accord.api import Ledger
    from accord.process.scale import DaskRunner, check_url, ingest_job

    peaks: dict[int, int] = {}
    with Ledger(url) as ledger:
        run = DaskRunner(None, workers)
        try:
            seconds = 0.0
            start = time.perf_counter()
            for done, _ in enumerate(ingest_job(ledger.engine, [str(corpus)], run, ledger_url=check_url(url)), 1):
                if done in checkpoints:
                    seconds += time.perf_counter() - start
                    peaks[done] = max(run.client.run(_peak_rss).values())
                    start = time.perf_counter()
            seconds += time.perf_counter() - start
        finally:
            run.close()
    return seconds, peaks


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def database(pg: str) -> tuple[Any, str] | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"accord_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not fail
        print(f"PostgreSQL skipped: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        return None
    return admin, make_url(pg).set(database=name).render_as_string(hide_password=False)


def drop(admin: Any, url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def main() -> None:
    extract_words = int(os.environ.get("ACCORD_BENCH_EXTRACT_WORDS", "5000000"))
    ingest_documents = int(os.environ.get("ACCORD_BENCH_INGEST_DOCUMENTS", "2000"))
    pg = os.environ.get("ACCORD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        documents, words = write_corpus(corpus, extract_words)
        print(f"scale: extraction over {documents:,} documents, {words:,} words (JSONL corpus), {os.cpu_count()} cores")
        print(f"{'extract':24s} {'seconds':>8s} {'words/s':>9s} {'vs 1 worker':>12s}")
        one = 0.0
        for label, args in (("local engine", []), ("dask, 1 worker", ["--engine", "dask", "--workers", "1"]),
                            ("dask, 2 workers", ["--engine", "dask", "--workers", "2"])):
            seconds = timed(["extract", str(corpus), "-f", "jsonl", *args])
            one = seconds if label == "dask, 1 worker" else one
            ratio = f"{one / seconds:11.2f}x" if one and label != "local engine" else ""
            print(f"{label:24s} {seconds:8.1f} {words / seconds:9,.0f} {ratio:>12s}")

        small = Path(tmp) / "ingest.jsonl"
        small_words = head(corpus, small, ingest_documents)
        from accord.resolve import embed

        number = "int8" if embed.int8() else "bfloat16" if embed.bfloat16() else "float32"
        print(f"\nscale: ingest of {ingest_documents:,} documents, {small_words:,} words, into PostgreSQL "
              f"(embeddings: {embed.runtime()}, {number})")
        print(f"{'workers':8s} {'extract s':>9s} {'ingest s':>9s} {'extract w/s':>12s} {'ingest w/s':>11s} "
              f"{'ingest/extract':>15s} {'peak RSS @500':>14s} {'@' + str(ingest_documents):>10s}")
        for workers in (1, 2):
            extract_s = extract_on_dask(small, workers)
            made = database(pg)
            if made is None:
                return
            admin, url = made
            try:
                ingest_s, peaks = ingest_on_dask(url, small, workers, (min(500, ingest_documents), ingest_documents))
            finally:
                drop(admin, url)
                admin.dispose()
            mb = {k: v / 2**20 for k, v in peaks.items()}
            print(f"{workers:<8d} {extract_s:9.1f} {ingest_s:9.1f} {small_words / extract_s:12,.0f} "
                  f"{small_words / ingest_s:11,.0f} {(small_words / ingest_s) / (small_words / extract_s):14.2f}x "
                  f"{mb.get(min(500, ingest_documents), 0):11.0f} MB {mb.get(ingest_documents, 0):7.0f} MB")


if __name__ == "__main__":
    main()
