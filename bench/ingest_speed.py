"""`make bench`: ingest rate (documents/s, words/s) into SQLite and PostgreSQL.

Writes 1,000 distinct documents (the bundled samples, varied so that every
text and its figures differ), then times `accord ingest FOLDER --quiet` as a
whole process into a fresh SQLite file and a fresh PostgreSQL database
(ACCORD_BENCH_POSTGRES_URL, default the local server). Prints figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLACES = ["Bangkok", "Hanoi", "Manila", "Jakarta", "Delhi", "Tokyo", "Seoul", "Canberra", "Vientiane", "Phnom Penh"]


def write_corpus(folder: Path, n: int) -> int:
    samples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.txt"))]
    words = 0
    for i in range(n):
        text = samples[i % len(samples)]
        text = text.replace("US$5 billion", f"US${5 + i % 7} billion").replace("2030", str(2030 + i % 9))
        text += f"Officials said the {i + 1}th round of talks would be held in {PLACES[i % len(PLACES)]}.\n"
        (folder / f"doc-{i:04d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def run(db: str, folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "accord"), "ingest", str(folder), "--db", db, "--quiet"],
                   check=True)
    return time.perf_counter() - start


def main() -> None:
    n = int(os.environ.get("ACCORD_BENCH_DOCUMENTS", "1000"))
    pg = os.environ.get("ACCORD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        words = write_corpus(folder, n)
        print(f"ingest: {n:,} documents, {words:,} words")
        print(f"{'ledger':12s} {'seconds':>8s} {'docs/s':>8s} {'words/s':>9s}")
        seconds = run(f"sqlite:///{Path(tmp) / 'bench.db'}", folder)
        print(f"{'SQLite':12s} {seconds:8.1f} {n / seconds:8.1f} {words / seconds:9,.0f}")
        from scale_out import database, drop  # the same scratch database as the scale benchmark

        made = database(pg)
        if made is None:
            return
        admin, url = made
        try:
            seconds = run(url, folder)
            print(f"{'PostgreSQL':12s} {seconds:8.1f} {n / seconds:8.1f} {words / seconds:9,.0f}")
        finally:
            drop(admin, url)
            admin.dispose()

if __name__ == "__main__":
    main()
