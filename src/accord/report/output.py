"""Where a report goes: text for standard output, or files written whole (a temporary file, then renamed)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord.errors import InputError

if TYPE_CHECKING:
    from accord.api import Ledger

FORMATS = ("md", "html", "csv", "json", "pdf")


class ReportError(InputError):
    """The report can't be written where asked: a file is there already, or a path is a folder (exit 2)."""


@dataclass(frozen=True)
class Report:
    """A rendered report: its own bytes and the chart files that go beside it (Markdown with a folder)."""

    body: bytes
    charts: dict[Path, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    """What `write_report` did: the report's bytes when no file was named, else the files it wrote."""

    body: bytes | None
    files: list[Path]


def produce(doc: dict[str, Any], fmt: str, path: Path | None = None, chart_dir: Path | None = None) -> Report:
    """`doc` (`brief.build`) as `fmt`. Markdown links its charts only when it has a `chart_dir` to write
    them into (as REPORT-STEM-CHART.png, relative to `path`); HTML and PDF carry them inline."""
    if fmt not in FORMATS:
        raise ReportError(f"no report format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "json":
        return Report(json.dumps(doc, ensure_ascii=False, indent=1, default=str).encode() + b"\n")
    if fmt == "csv":
        from accord.report.table import csv_text

        return Report(csv_text(doc).encode())
    from accord.report.charts import charts

    pngs = charts(doc)
    if fmt == "md":
        from accord.report.markdown import markdown

        if chart_dir is None:
            return Report(markdown(doc).encode() + b"\n")
        stem = path.stem if path is not None else "report"
        files = {chart_dir / f"{stem}-{name}.png": png for name, png in pngs.items()}
        base = path.parent if path is not None else chart_dir
        links = {name: Path(os.path.relpath(chart_dir / f"{stem}-{name}.png", base)).as_posix() for name in pngs}
        return Report(markdown(doc, links).encode() + b"\n", files)
    from accord.report.page import html

    page = html(doc, pngs)
    if fmt == "html":
        return Report(page.encode() + b"\n")
    from accord.report.pdf import print_pdf

    return Report(print_pdf(page))


def write_report(ledger: Ledger, fmt: str, *, pillar: str | None = None, output: Path | None = None,
                 out_dir: Path | None = None, force: bool = False) -> Written:
    """The report of `ledger` as `fmt`: into `output` (a file), or into `out_dir` (as report.FMT, with the
    Markdown's charts beside it), or returned when neither is named. Existing files are replaced only with
    `force`; nothing is written unless every file can be, and none is ever left half-written."""
    from accord.report.brief import gather

    if fmt not in FORMATS:
        raise ReportError(f"no report format {fmt!r}: use one of {', '.join(FORMATS)}")
    path = output if output is not None else out_dir / f"report.{fmt}" if out_dir is not None else None
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"{out_dir} is a file: --out names a folder for the report and its charts")
    if path is not None:
        _refuse(path, force)  # before the work, not only after it
    report = produce(gather(ledger, pillar), fmt, path, out_dir)
    if path is None:
        return Written(report.body, [])
    files = {**report.charts, path: report.body}
    for existing in files:
        _refuse(existing, force)
    save(files)
    return Written(None, list(files))


def save(files: dict[Path, bytes]) -> None:
    """Write every file whole or none: each to a temporary file beside it first, then all renamed."""
    done: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
            done[temporary] = path
            with temporary.open("wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        for temporary, path in done.items():
            os.replace(temporary, path)
    except OSError as exc:
        raise ReportError(f"cannot write {exc.filename or 'the report'}: {exc.strerror or exc}") from None
    finally:
        for temporary in done:
            temporary.unlink(missing_ok=True)


def _refuse(path: Path, force: bool) -> None:
    if path.is_dir():
        raise ReportError(f"{path} is a folder: name the report file (or use --out DIR)")
    if path.exists() and not force:
        raise ReportError(f"{path} exists: name another file, or pass --force to replace it")
