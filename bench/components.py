"""Where the time of `accord extract` goes: seconds per pipeline stage over one corpus.

Imported by extract_speed.py; also runnable alone: python bench/components.py FILE
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def breakdown(path: Path, limit_words: int = 200_000) -> list[tuple[str, float]]:
    from accord.extract.pipeline import load_pipeline

    start = time.perf_counter()
    nlp = load_pipeline()
    rows = [("start-up (imports, model, lexicons)", time.perf_counter() - start)]
    blocks, words = [], 0
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.strip():
            blocks.append(line)
            words += len(line.split())
        if words >= limit_words:
            break
    start = time.perf_counter()
    docs = [nlp.make_doc(b) for b in blocks]
    rows.append(("tokenizer", time.perf_counter() - start))
    for name, component in nlp.pipeline:
        start = time.perf_counter()
        docs = list(component.pipe(docs, batch_size=64)) if hasattr(component, "pipe") else [component(d) for d in docs]
        rows.append((name, time.perf_counter() - start))
    return rows


def main() -> None:
    path = Path(sys.argv[1])
    for name, seconds in breakdown(path):
        print(f"  {name:40s} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
