"""The one place that runs the stages: here, ingest → extract over files and folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from accord.errors import InputNotFound
from accord.model import Statement


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for its `.txt` files, sorted. Missing paths fail first."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
            if not found:
                raise InputNotFound(f"{path}: folder has no .txt files")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputNotFound(f"{path}: no such file or folder")
    return files


def check_files(files: list[Path]) -> None:
    """Fail on the first unreadable file before any output, so a run is all or nothing."""
    from accord.ingest import check_text_file

    for path in files:
        check_text_file(path)


def extract_paths(files: list[Path], jobs: int = 1) -> Iterator[tuple[Path, Statement]]:
    """(file, statement) pairs, file by file, each file checked before it is read."""
    from accord.extract import extract_file

    for path in files:
        for statement in extract_file(path, jobs=jobs):
            yield path, statement
