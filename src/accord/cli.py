"""The `accord` command: each command parses, calls one library function, renders."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from accord.errors import AccordError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Accord: a ledger of commitments from diplomatic texts.",
)


@app.callback()
def _root() -> None:
    """Accord: a ledger of commitments from diplomatic texts."""


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Text files, or folders of .txt files.")],
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl | json | table")] = "",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes to use (0: one per core).")] = 1,
) -> None:
    """Read statements, mentions, pillars and targets from text files."""
    from accord.export import FORMATS
    from accord.process import check_files, expand_paths, extract_paths

    fmt = format or ("table" if sys.stdout.isatty() else "jsonl")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    files = expand_paths(paths)
    check_files(files)
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    _render_extraction(extract_paths(files, workers), fmt, many=len(files) > 1)


def _render_extraction(results, fmt: str, many: bool) -> None:  # type: ignore[no-untyped-def]
    from accord.export import statement_table, write_json, write_jsonl

    out = sys.stdout
    if fmt == "jsonl":
        write_jsonl(({"document": str(p), **s.to_dict()} if many else s.to_dict() for p, s in results), out)
    elif fmt == "json":
        write_json(({"document": str(p), **s.to_dict()} for p, s in results), out)
    else:
        from itertools import groupby

        from rich.console import Console

        console = Console()
        for path, group in groupby(results, key=lambda r: r[0]):
            console.print(statement_table(str(path), [s for _, s in group]))


def main() -> None:
    """Entry point: one line on stderr and a non-zero exit for every expected failure."""
    try:
        app()  # usage errors: typer prints them and exits 2
    except AccordError as exc:
        print(f"accord: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("accord: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except MemoryError:
        print("accord: error: out of memory", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        print(f"accord: internal error: {type(exc).__name__}: {exc} (set ACCORD_DEBUG=1 for details)", file=sys.stderr)
        if os.environ.get("ACCORD_DEBUG"):
            raise
        sys.exit(1)


__all__ = ["app", "main"]
