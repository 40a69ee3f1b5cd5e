"""Extraction: from a text to typed statements with mentions, pillars, targets and actors.

    extract_text(text)            -> list[Statement]   (a text in memory)
    extract_file(path, jobs=1)    -> Iterator[Statement] (a file, streamed)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.model import Statement

if TYPE_CHECKING:
    from spacy.language import Language

BATCH_CHARS = 40_000  # characters of text per unit of work sent to a process


def extract_text(text: str, nlp: Language | None = None) -> list[Statement]:
    """Every statement of `text`, offsets into `text`.

    `nlp` is a pipeline other than the shipped one (training reads each fold with its own models).
    """
    from accord.ingest import iter_text_blocks

    if nlp is None:
        return list(_extract_blocks(iter_text_blocks(text), jobs=1))
    from accord.extract.document import DocumentReader
    from accord.extract.statements import STATEMENTS_KEY

    reader = DocumentReader()
    blocks = [(o, b) for o, b in iter_text_blocks(text) if b.strip()]
    docs = nlp.pipe([b for _, b in blocks], batch_size=32)
    return [s for (offset, block), doc in zip(blocks, docs)
            for s in reader.finish(block, offset, doc.user_data[STATEMENTS_KEY])]


def extract_file(path: Path, jobs: int = 1) -> Iterator[Statement]:
    """Statements of a UTF-8 text file in document order, streamed block by block.

    Raises an InputError (one line) if the file is missing, binary or not UTF-8,
    before any statement is produced.
    """
    from accord.ingest import check_text_file, iter_blocks

    check_text_file(path)
    yield from _extract_blocks(iter_blocks(path), jobs=jobs)


def _extract_blocks(blocks: Iterable[tuple[int, str]], jobs: int) -> Iterator[Statement]:
    from accord.extract.document import DocumentReader
    from accord.extract.runner import run_batches

    reader = DocumentReader()
    for batch, results in run_batches(_batches(blocks), jobs):
        for (offset, block), raw in zip(batch, results):
            yield from reader.finish(block, offset, raw)


def _batches(blocks: Iterable[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    size = 0
    for offset, block in blocks:
        if not block.strip():
            continue
        batch.append((offset, block))
        size += len(block)
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def analyse_blocks(texts: list[str]) -> list[list[dict[str, Any]]]:
    """Run the pipeline over block texts; the raw per-sentence dicts of each block."""
    from accord.extract.pipeline import load_pipeline
    from accord.extract.statements import STATEMENTS_KEY

    nlp = load_pipeline()
    return [doc.user_data[STATEMENTS_KEY] for doc in nlp.pipe(texts, batch_size=32)]


__all__ = ["extract_file", "extract_text", "analyse_blocks"]
