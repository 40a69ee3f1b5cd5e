"""The `accord` command: each command parses, calls one library function, renders."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.errors import AccordError, fault
from accord.model import Pillar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from accord.extract.parquet import ParquetSummary
    from accord.model import Statement

    from accord.api import Ledger
    from accord.export import ListTable
    from accord.process import IngestResult
    from accord.process.ingest import OnError
    from accord.process.scale import EngineName, Runner
    from accord.watch import EntryReport, FeedReport

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
    paths: Annotated[list[Path], typer.Argument(help="Text files, folders of .txt files, or JSONL / Parquet files "
                                                "of documents (id, text, metadata).")],
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl | json | table")] = "",
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Processes to use (0: one per core).")] = 1,
    wide: WideOption = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write Parquet datasets (documents, statements, "
                                             "mentions, targets) to this folder instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --out: replace a folder that isn't empty.")] = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Read statements, mentions, pillars and targets from text files and corpora."""
    from accord.export import FORMATS
    from accord.ingest.corpus import is_corpus
    from accord.process import expand_sources
    from accord.process.scale import ENGINES

    fmt = format or ("table" if sys.stdout.isatty() else "jsonl")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    if engine not in ENGINES:
        raise typer.BadParameter(f"must be one of {', '.join(ENGINES)}", param_hint="--engine")
    found = expand_sources([str(p) for p in paths], suffixes=(".txt", ".jsonl", ".ndjson", ".parquet"))
    if engine == "local" and not any(is_corpus(s) for s in found):
        _extract_files([Path(s) for s in found], fmt, jobs, wide, out, force)
    else:
        _extract_job(found, fmt, wide, out, force, engine, scheduler, workers)


def _extract_files(files: list[Path], fmt: str, jobs: int, wide: bool, out: Path | None, force: bool) -> None:
    """Text files in this process (`--jobs` processes over each file's blocks), all checked first: a run
    that prints anything reads every file."""
    from accord.process import check_files, extract_paths

    check_files(files)
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if out is not None:  # --out wins over --format for the data
        from accord.extract.parquet import write_parquet

        _written(write_parquet(files, out, workers, force=force))
        return
    _render_extraction(extract_paths(files, workers), fmt, many=len(files) > 1, wide=wide)


def _extract_job(sources: list[str], fmt: str, wide: bool, out: Path | None, force: bool, engine: EngineName,
                 scheduler: str | None, workers: int | None) -> None:
    """Files and corpus records in parts, here or on Dask. A record or file that can't be read is
    reported on stderr and left out (exit 2 at the end); with --out nothing is written then."""
    from accord.extract.parquet import ExtractedDocument, write_documents
    from accord.process.scale import Extracted, extract_job, runner

    failed: list[str] = []
    run = runner(engine, scheduler, workers, embed=False)
    try:
        if run.dashboard is not None:
            print(f"accord: Dask dashboard at {run.dashboard} ({run.workers} workers)", file=sys.stderr, flush=True)
        if out is not None:
            from accord.errors import InputError

            def readable() -> Iterator[ExtractedDocument]:
                for document in extract_job(sources, run):
                    if document.error is not None:
                        raise InputError(document.error)
                    yield document.extracted

            _written(write_documents(readable(), out, force=force))
            return

        def reported(documents: Iterator[Extracted]) -> Iterator[Extracted]:
            for document in documents:
                if document.error is None:
                    yield document
                else:
                    failed.append(document.error)
                    print(f"accord: error: {document.error}", file=sys.stderr, flush=True)

        if fmt == "jsonl":  # the workers encoded the lines: this process only writes them
            for document in reported(extract_job(sources, run, lines=True)):
                sys.stdout.write(document.lines or "")
        else:
            _render_extraction(((d.extracted.name, s) for d in reported(extract_job(sources, run))
                                for s in d.extracted.statements), fmt, many=True, wide=wide)
    finally:
        run.close()
    if failed:
        raise typer.Exit(2)


def _written(done: ParquetSummary) -> None:
    print(f"accord: {done.documents} documents, {done.statements} statements written to {done.out}",
          file=sys.stderr)


DbOption = Annotated[str | None, typer.Option(
    "--db", help="A SQLite file, or a database URL (sqlite:///PATH, postgres://...); "
                 "default: $ACCORD_DATABASE_URL or accord.db.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table | json | csv")]
WideOption = Annotated[bool, typer.Option("--wide", help="Tables: every column in full, one line a row, however "
                                          "wide (for less -S or a wide terminal).")]


def _ledger(db: str | None, create: bool = False) -> Ledger:
    """The ledger at `db`. Only commands that store documents or people (`create`) make a new SQLite file:
    any other command given a path that isn't there would read an empty ledger and say nothing."""
    from accord.api import Ledger

    if not create:
        _refuse_missing(db)
    return Ledger(db)


def _refuse_missing(db: str | None) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from accord.errors import InputNotFound
    from accord.ledger import DEFAULT_URL
    from accord.ledger.store import ledger_url

    url = ledger_url(db or os.environ.get("ACCORD_DATABASE_URL") or DEFAULT_URL)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return  # Ledger says what is wrong with it, in its words
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).exists():
        raise InputNotFound(f"no ledger at {parsed.database}: check --db (`accord ingest` creates one)")


def _list_output(rows: list[dict], fmt: str, title: str, columns: list[str],  # type: ignore[type-arg]
                 wide: bool = False) -> None:
    from accord.export import rows_table, write_csv, write_json

    if fmt == "json":
        write_json(rows, sys.stdout)
    elif fmt == "csv":
        write_csv(rows, sys.stdout)
    elif fmt == "table":
        _print_table(rows_table(title, rows, columns, wide))
    else:
        raise typer.BadParameter("must be one of table, json, csv", param_hint="--format")


def _print_table(table: ListTable) -> None:
    """A table on stdout, fitted to the terminal (COLUMNS, or 80 when piped); with --wide on a console as wide
    as the table, so that nothing wraps."""
    from rich.console import Console

    Console(width=table.natural_width() if table.wide else None).print(table)


EngineOption = Annotated[str, typer.Option("--engine", help="Where documents are read, extracted and embedded: "
                                           "local (this process) or dask (a cluster).")]
SchedulerOption = Annotated[str | None, typer.Option("--scheduler", help="With --engine dask: the address of a "
                                                     "running scheduler (tcp://HOST:8786); default: start a local "
                                                     "cluster.")]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="With --engine dask and no --scheduler: worker "
                                                   "processes of the local cluster (default: one per core).")]


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, http(s) URLs, or JSONL / Parquet files of "
                                                 "documents (id, text, metadata).")],
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
    outlet: Annotated[str | None, typer.Option(help="The outlet of these documents (wins over what they say).")] = None,
    stop_on_error: Annotated[bool, typer.Option("--stop-on-error", help="Stop at the first source that can't be "
                                                "read (what was stored before stays stored).")] = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
) -> None:
    """Add documents to the ledger: read, extract, resolve and merge, one transaction each.

    A source that can't be read is reported on stderr and skipped; the run goes on (exit 2 at the end, as for any bad input).
    Started again after it was stopped, a run skips what the ledger holds (by the text's hash) and says how many.
    """
    from accord.ingest.corpus import count_inputs
    from accord.process import expand_sources
    from accord.process.scale import ENGINES

    if engine not in ENGINES:
        raise typer.BadParameter(f"must be one of {', '.join(ENGINES)}", param_hint="--engine")
    if outlet is not None and not outlet.strip():
        raise typer.BadParameter("must name an outlet", param_hint="--outlet")
    found = expand_sources(sources)
    total = count_inputs(found)
    ledger = _ledger(db, create=True)
    run = IngestRun(ledger, total, quiet, engine, scheduler, workers)
    results = run.go(found, outlet.strip() if outlet else None, "stop" if stop_on_error else "continue")
    if not quiet:
        _print_ingest_summary(results, total)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(2)  # bad input, as every other command says it (the good files are stored)


class IngestRun:
    """One `accord ingest`: its log lines, and on a terminal a bar for the whole job (documents, statements,
    rate, time left) with the Dask dashboard's address when there is one."""

    def __init__(self, ledger: Ledger, total: int, quiet: bool, engine: EngineName, scheduler: str | None,
                 workers: int | None) -> None:
        self.ledger, self.total, self.quiet = ledger, total, quiet
        self.engine, self.scheduler, self.workers = engine, scheduler, workers
        self.statements = 0
        self.bar: Any = None
        self.task: Any = None

    def go(self, sources: list[str], outlet: str | None, on_error: OnError) -> list[IngestResult]:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        if self.quiet or not sys.stderr.isatty() or (self.total < 3 and self.engine == "local"):
            return self._ingest(sources, outlet, on_error)
        columns = (TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("documents"),
                   TextColumn("{task.fields[statements]:,} statements"), TextColumn("{task.fields[rate]}"),
                   TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
        with Progress(*columns, transient=True) as self.bar:  # lines printed meanwhile show above the bar
            self.task = self.bar.add_task("ingesting", total=self.total, statements=0, rate="")
            return self._ingest(sources, outlet, on_error)

    def _ingest(self, sources: list[str], outlet: str | None, on_error: OnError) -> list[IngestResult]:
        return self.ledger.ingest(*sources, outlet=outlet, on_error=on_error, report=self._report,
                                  engine=self.engine, scheduler=self.scheduler, workers=self.workers,
                                  started=self._started)

    def _started(self, run: Runner) -> None:
        if self.quiet or run.dashboard is None:
            return
        print(f"accord: Dask dashboard at {run.dashboard} ({run.workers} workers)", file=sys.stderr, flush=True)

    def _report(self, r: IngestResult) -> None:
        _print_ingested(r, self.quiet)
        self.statements += r.statements
        if self.bar is not None:
            elapsed = self.bar.tasks[0].elapsed or 0.0
            done = self.bar.tasks[0].completed + 1
            rate = f"{done / elapsed:.1f} docs/s" if elapsed > 1 else ""
            self.bar.update(self.task, advance=1, statements=self.statements, rate=rate)


def _print_ingested(r: IngestResult, quiet: bool) -> None:
    """One line as each source is done (flushed: a long run's log is often a file); failures on stderr,
    even when quiet."""
    if r.status == "failed":
        print(f"accord: error: {r.error}", file=sys.stderr, flush=True)
    elif quiet:
        return
    elif r.status == "unchanged":
        print(f"{r.source}: already in the ledger (document {r.document})", flush=True)
    else:
        print(f"{r.source}: document {r.document}, {r.statements} statements, "
              f"{r.commitments_new} new commitments, {r.commitments_merged} merged into known ones", flush=True)


def _print_ingest_summary(results: list[IngestResult], sources: int) -> None:
    count = {status: sum(1 for r in results if r.status == status) for status in ("added", "unchanged", "failed")}
    untried = f", {sources - len(results)} not tried (--stop-on-error)" if len(results) < sources else ""
    print(f"{count['added']} stored, {count['unchanged']} already in the ledger, {count['failed']} failed{untried}")


@app.command()
def watch(
    feeds: Annotated[list[str], typer.Argument(help="RSS or Atom feed URLs.")],
    every: Annotated[str, typer.Option("--every", help="Time between passes: 90s, 30m, 1h, 2h30m.")] = "1h",
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit (for cron).")] = False,
    state: Annotated[Path | None, typer.Option("--state", help="Where to remember the entries seen "
                                                "(default: one file per ledger in ~/.cache/accord).")] = None,
    db: DbOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Follow feeds: ingest the article of each new entry once, every interval (Ctrl-C stops) or --once."""
    from accord.watch import check_feeds, parse_interval
    from accord.watch import watch as follow

    try:
        interval = parse_interval(every)
    except AccordError as exc:
        raise typer.BadParameter(str(exc), param_hint="--every") from None
    urls = check_feeds(feeds)  # before the ledger is opened (or created)
    failures = follow(_ledger(db, create=True), urls, every=None if once else interval, state=state,
                      report=lambda r: _print_watch(r, quiet))
    if failures:
        raise typer.Exit(1)


def _print_watch(report: FeedReport | EntryReport, quiet: bool) -> None:
    """One line per feed and per new entry; errors on stderr even when quiet. Flushed: a watcher's log is a file."""
    from accord.watch import FeedReport

    if report.error is not None:
        print(f"accord: error: {report.error}", file=sys.stderr, flush=True)
    elif quiet:
        return
    elif isinstance(report, FeedReport):
        name = f"{report.url} ({report.title})" if report.title else report.url
        print(f"{name}: {report.entries} entries, {report.new} new", flush=True)
    elif report.result is not None:
        r = report.result
        if r.status == "unchanged":
            print(f"{report.link}: already in the ledger (document {r.document})", flush=True)
        else:
            print(f"{report.link}: document {r.document}, {r.statements} statements, {r.commitments_new} new "
                  f"commitments, {r.commitments_merged} merged into known ones", flush=True)


@app.command()
def documents(
    db: DbOption = None,
    format: FormatOption = "table",
    relation: Annotated[str | None, typer.Option(help="Only this relation's documents, e.g. VNM-LAO.")] = None,
    set_parties: Annotated[tuple[int, str] | None, typer.Option(
        "--set-parties", metavar="ID CODES",
        help="Correct document ID's parties: ISO 3166-1 alpha-3 codes or blocs, e.g. 3 VNM,LAO.")] = None,
    by: Annotated[str | None, typer.Option(help="Who corrects (with --set-parties).")] = None,
    wide: WideOption = False,
) -> None:
    """List the documents in the ledger with their parties, or correct one document's parties."""
    ledger = _ledger(db)
    if set_parties is not None:
        document_id, codes = set_parties
        row = ledger.set_parties(document_id, [c for c in codes.replace(";", ",").split(",") if c.strip()], by)
        print(f"document {document_id}: parties {', '.join(p['code'] for p in row['parties'])} "
              f"(relation {row['relation']}, occasion {row['occasion']})")
        return
    rows = ledger.documents(relation=relation)
    if format == "table":
        rows = [{**r, "parties": [p["code"] for p in r["parties"]]} for r in rows]
    _list_output(rows, format, "documents",
                 ["id", "title", "outlet", "published", "place", "parties", "occasion", "statements"], wide)


@app.command()
def relations(
    key: Annotated[str | None, typer.Argument(help="One relation, e.g. VNM-LAO: its occasions and commitments.")] = None,
    db: DbOption = None,
    format: FormatOption = "table",
    wide: WideOption = False,
) -> None:
    """List the relations of the ledger (the parties' codes), or one relation's occasions and commitments."""
    ledger = _ledger(db)
    if key is None:
        rows = [{**r, "parties": [p["code"] for p in r["parties"]] if format == "table" else r["parties"]}
                for r in ledger.relations()]
        _list_output(rows, format, "relations",
                     ["relation", "parties", "documents", "occasions", "commitments", "first", "last"], wide)
        return
    found = ledger.relation(key)
    if format != "table":
        _list_output([found], format, "relation", [])
        return
    from rich.console import Console

    console = Console()
    names = ", ".join(f"{p['name']} ({p['code']})" for p in found["parties"])
    console.print(f"[bold]{found['relation']}[/bold] — {names}: {found['documents']} documents, "
                  f"{found['occasion_count']} occasions, {len(found['commitments'])} commitments")
    for o in found["occasions"]:
        docs = "; ".join(f"document {d['id']} {d['title'] or ''} ({d['outlet'] or 'no outlet'})".strip()
                         for d in o["documents"])
        console.print(f"  {o['date'] or 'undated'}  {docs}", markup=False, highlight=False)
    for pillar, counts in found["by_pillar"].items():
        console.print(f"  {pillar}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
                      markup=False, highlight=False)
    for tg in found["targets"]:
        console.print(f"  target {tg['metric']}: {tg['value']:,} {tg['unit']}"
                      + (f" ({tg['deadline']})" if tg.get("deadline") else "")  # "by 2030": its own words
                      + f" (commitment {tg['commitment']}, {len(tg['sources'])} source(s))", markup=False,
                      highlight=False)


@app.command()
def commitments(
    db: DbOption = None,
    format: FormatOption = "table",
    pillar: Annotated[str | None, typer.Option(help="Only this pillar, e.g. economy_trade.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only commitments this party undertakes.")] = None,
    since: Annotated[str | None, typer.Option(help="Only those seen on or after this date (YYYY-MM-DD).")] = None,
    relation: Annotated[str | None, typer.Option(help="Only this relation's, e.g. VNM-LAO.")] = None,
    status: Annotated[str | None, typer.Option(help="Only those with this status, e.g. in_progress.")] = None,
    wide: WideOption = False,
) -> None:
    """List commitments, merged across documents, with their sources and targets."""
    from accord.track.status import config

    _one_of(pillar, [p.value for p in Pillar], "--pillar", "a pillar")
    _one_of(status, config()["statuses"], "--status", "a status")
    rows = _ledger(db).commitments(pillar=pillar, actor=actor, since=_date_option(since, "--since"),
                                   relation=relation, status=status)
    _list_output(rows, format, "commitments", ["id", "relation", "title", "pillars", "status", "deadline",
                                               "first_pledged", "times_reaffirmed"], wide)


@app.command()
def show(commitment_id: int, db: DbOption = None, format: FormatOption = "table") -> None:
    """One commitment: each source sentence with document, date and offsets, and why they were merged."""
    item = _ledger(db).commitment(commitment_id)
    if format == "json":
        import json

        print(json.dumps(item, ensure_ascii=False, indent=1))
    else:
        from rich.console import Console

        from accord.export import commitment_panel

        Console().print(commitment_panel(item))
        for tg in item["targets"]:  # with the id that `accord indicator link TARGET_ID NAME` takes
            percent = (tg.get("progress") or {}).get("percent")
            tracked = (f"indicator {tg['indicator']}, " + (f"{percent} % done" if percent else "no observations yet")
                       if tg.get("indicator") else f"not tracked: accord indicator link {tg['id']} NAME")
            print(f"target {tg['id']}: {tg['metric']} {tg['value']:,} {tg['unit']} · {tracked}")


@app.command()
def entities(
    db: DbOption = None,
    format: FormatOption = "table",
    kind: Annotated[str | None, typer.Option(help="person, organization, place, project, instrument or event")] = None,
    wide: WideOption = False,
) -> None:
    """List canonical entities with their aliases and how often they are mentioned."""
    _list_output(_ledger(db).entities(kind), format, "entities", ["id", "kind", "name", "aliases", "mentions"], wide)


@app.command()
def search(text: str, db: DbOption = None, format: FormatOption = "table", wide: WideOption = False) -> None:
    """Full-text search over every statement."""
    _list_output(_ledger(db).search(text), format, f"statements matching {text!r}",
                 ["id", "type", "text", "document", "title", "commitment_id"], wide)


@app.command()
def merge(
    keep: int, other: int, db: DbOption = None,
    by: Annotated[str | None, typer.Option(help="Who decides (kept with the decision).")] = None,
) -> None:
    """Merge commitment OTHER into KEEP; the decision survives re-ingesting."""
    item = _ledger(db).merge(keep, other, by)
    print(f"commitment {item['id']} now has {len(item['sources'])} sources")


@app.command()
def split(
    commitment_id: int, statement_id: int, db: DbOption = None,
    by: Annotated[str | None, typer.Option(help="Who decides (kept with the decision).")] = None,
) -> None:
    """Take STATEMENT out of COMMITMENT into a commitment of its own; it will not be merged back."""
    item = _ledger(db).split(commitment_id, statement_id, by)
    print(f"statement {statement_id} is now commitment {item['id']}")


@app.command()
def status(
    commitment_id: int,
    value: Annotated[str, typer.Argument(help="announced, in_progress, stalled, partial, fulfilled, abandoned")],
    evidence: Annotated[str, typer.Option(help="What shows it: every change cites evidence.")],
    source: Annotated[str | None, typer.Option(help="A URL or document:<id>.")] = None,
    date_: Annotated[str | None, typer.Option("--date", help="When it happened (YYYY-MM-DD).")] = None,
    by: Annotated[str | None, typer.Option(help="Who records it.")] = None,
    stage: Annotated[bool, typer.Option("--stage", help="VALUE is a stage (pledged … completed; signed … in_force).")] = False,
    db: DbOption = None,
) -> None:
    """Record a status (or stage) change; the history is append-only."""
    item = _ledger(db).status(commitment_id, value, evidence, field="stage" if stage else "status", source=source,
                              observed=_date_option(date_, "--date"), by=by)
    print(f"commitment {commitment_id}: status {item['status']} ({item['status_origin']}), stage {item['stage'] or '-'}")


@app.command()
def history(commitment_id: int, db: DbOption = None, format: FormatOption = "table",
            wide: WideOption = False) -> None:
    """The status and stage history of a commitment, oldest first."""
    _list_output(_ledger(db).history(commitment_id), format, f"history of commitment {commitment_id}",
                 ["id", "field", "value", "observed", "origin", "by", "evidence", "source", "supersedes"], wide)


@app.command()
def review(
    accept: Annotated[int | None, typer.Option(help="Accept this evidence candidate.")] = None,
    reject: Annotated[int | None, typer.Option(help="Reject this evidence candidate.")] = None,
    by: Annotated[str | None, typer.Option(help="Who decides.")] = None,
    db: DbOption = None,
    format: FormatOption = "table",
    wide: WideOption = False,
) -> None:
    """Evidence candidates from documents: list the pending ones, or accept/reject one."""
    ledger = _ledger(db)
    if accept is not None:
        c = ledger.accept(accept, by)
        print(f"accepted: commitment {c['commitment_id']} is now {c['suggested']} on this evidence")
    elif reject is not None:
        ledger.reject(reject, by)
        print(f"rejected evidence candidate {reject}")
    else:
        _list_output(ledger.review(), format, "evidence waiting for review",
                     ["id", "commitment_id", "suggested", "stage", "score", "evidence", "reason"], wide)


indicator_app = typer.Typer(no_args_is_help=True, help="Indicators: measured series that targets are tracked against.")
app.add_typer(indicator_app, name="indicator")


@indicator_app.command("add")
def indicator_add(name: str, unit: str, frequency: str = "yearly",
                  description: Annotated[str | None, typer.Option()] = None, db: DbOption = None) -> None:
    """Define an indicator (e.g. "Vietnam–Laos bilateral trade" USD yearly)."""
    print(f"indicator {_ledger(db, create=True).add_indicator(name, unit, frequency, description)}: {name}")


@indicator_app.command("observe")
def indicator_observe(name: str, period: str, value: str,
                      source: Annotated[str, typer.Option(help="Where the figure comes from.")],
                      db: DbOption = None) -> None:
    """Add one observation: PERIOD is 2025, 2025-06 or 2025-06-30."""
    _ledger(db).observe(name, period, value, source)
    print(f"{name}: {period} = {value}")


@indicator_app.command("import")
def indicator_import(path: Path, db: DbOption = None) -> None:
    """Import observations from CSV: indicator, period, value, source[, unit, frequency]."""
    print(f"{_ledger(db, create=True).import_observations(str(path))} observations added")


@indicator_app.command("link")
def indicator_link(target_id: int, name: str, db: DbOption = None) -> None:
    """Track target TARGET_ID against indicator NAME."""
    _ledger(db).link_target(target_id, name)
    print(f"target {target_id} is tracked by {name}")


@indicator_app.command("list")
def indicator_list(db: DbOption = None, format: FormatOption = "table", wide: WideOption = False) -> None:
    """Indicators with their observations."""
    rows = []
    for i in _ledger(db).indicators():
        said = [f"{o['period']}: {o['value']:,.2f}" for o in i["observations"]]
        rows.append({**i, "observations": said if format == "table" else "; ".join(said)})  # a table: one a line
    _list_output(rows, format, "indicators", ["id", "name", "unit", "frequency", "observations"], wide)


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="A document id; with --relation a year, a month, a date or an "
                                         "occasion id ('#12', quoted: the shell reads # as a comment).")],
    b: Annotated[str, typer.Argument(help="The same for the later side.")],
    relation: Annotated[str | None, typer.Option(help="Compare two occasions of this relation, e.g. USA-JPN.")] = None,
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
) -> None:
    """What B says that A did not, what both say (wording word by word, target changes), and what B dropped."""
    if format not in ("table", "json"):
        raise typer.BadParameter("must be one of table, json", param_hint="--format")
    result = _ledger(db).diff(a, b, relation=relation)
    if format == "json":
        import json

        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    _print_diff(result)


def _print_diff(result: dict) -> None:  # type: ignore[type-arg]
    from rich.console import Console

    from accord.export import diff_text

    Console(soft_wrap=True, highlight=False).print(diff_text(result), end="")


@app.command()
def report(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="md | html | csv | json | pdf")] = "md",
    pillar: Annotated[str | None, typer.Option(help="Only this pillar.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write report.FORMAT into this folder, with the "
                                                           "Markdown's charts as PNG files.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files that exist.")] = False,
) -> None:
    """A brief per pillar: each commitment under each of its pillars, with status, sources, targets, evidence
    and status history; charts inline in html and pdf, PNG files beside md with --out (pdf: Chromium)."""
    from accord.report import FORMATS, write_report

    _one_of(format, list(FORMATS), "--format", "a report format")
    _one_of(pillar, [p.value for p in Pillar], "--pillar", "a pillar")
    if format == "pdf" and output is None and out is None and sys.stdout.isatty():
        raise typer.BadParameter("a PDF goes to a file: add -o FILE or --out DIR", param_hint="--format")
    written = write_report(_ledger(db), format, pillar=pillar, output=output, out_dir=out, force=force)
    if written.body is not None:
        sys.stdout.buffer.write(written.body)
    else:
        print(f"report written to {written.files[-1]}"
              + (f", charts: {', '.join(p.name for p in written.files[:-1])}" if len(written.files) > 1 else ""))


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the dashboard and the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from accord.config import Settings
    from accord.web import create_app

    app_ = create_app(Settings.from_env(db))
    print(f"Accord is serving {app_.state.settings.shown_database_url} at http://{host}:{port}/ (API docs: /docs)",
          flush=True)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _one_of(value: str | None, valid: list[str], name: str, what: str) -> None:
    """A usage error (exit 2) naming the valid values when `value` is not one of them."""
    if value is not None and value not in valid:
        raise typer.BadParameter(f"{value!r} is not {what}: use one of {', '.join(valid)}", param_hint=name)


def _date_option(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("must be a date like 2026-03-01", param_hint=name) from None


def _render_extraction(results, fmt: str, many: bool, wide: bool) -> None:  # type: ignore[no-untyped-def]
    from accord.export import statement_table, write_json, write_jsonl

    out = sys.stdout
    if fmt == "jsonl":
        write_jsonl(({"document": str(p), **s.to_dict()} if many else s.to_dict() for p, s in results), out)
    elif fmt == "json":
        write_json(({"document": str(p), **s.to_dict()} for p, s in results), out)
    else:
        from itertools import groupby

        for path, group in groupby(results, key=lambda r: r[0]):
            _print_table(statement_table(str(path), [s for _, s in group], wide))


def _first_words(exc: BaseException) -> str:
    """An unexpected error's own words: a database error's driver message, never its SQL or parameters."""
    said = str(getattr(exc, "orig", None) or exc).strip()
    return said.splitlines()[0] if said else ""


def _shown(message: str) -> str:
    """`message` on one line, with the password of any database URL in it masked."""
    import re

    message = " ".join(part.strip() for part in message.splitlines() if part.strip())
    return re.sub(r"(\w[\w+.-]*://[^/\s:@'\"]*:)[^@/\s'\"]+@", r"\1***@", message)


def main() -> None:
    """Entry point: one line on stderr and a non-zero exit for every expected failure."""
    import logging

    # Libraries that log to stderr on their own (pypdf on damaged files, transformers on load):
    # Accord reports problems itself, in one line.
    for name in ("pypdf", "trafilatura", "transformers", "sentence_transformers", "huggingface_hub", "htmldate"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        app()  # usage errors: typer prints them and exits 2
    except AccordError as exc:
        print(f"accord: error: {_shown(str(exc))}", file=sys.stderr)
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
        said = fault(exc)
        if said is not None:  # the disk, the lock, the server: not Accord's bug, and said in words
            print(f"accord: error: {said}", file=sys.stderr)
            sys.exit(1)
        print(f"accord: internal error: {type(exc).__name__}: {_shown(_first_words(exc))} "
              "(set ACCORD_DEBUG=1 for details)", file=sys.stderr)
        if os.environ.get("ACCORD_DEBUG"):
            raise
        sys.exit(1)


__all__ = ["app", "main"]


# -- History and integrity (issue 11): accord check ----------------------------------------------


@app.command()
def check(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
) -> None:
    """Verify the ledger from its own rows: each document's hash, the offsets of statements, mentions and
    targets, references between rows, the status history's hash chain, the search index, the commitments
    list's kept totals.

    Prints each problem on one line, then a summary. Exit 0: no problems; 1: problems found; 2: the check
    could not be made (an unknown --format, no ledger at --db, a ledger that can't be opened).
    """
    from accord.errors import InputError
    from accord.ledger import LedgerError

    if format not in ("table", "json"):
        raise typer.BadParameter("must be one of table, json", param_hint="--format")
    try:
        problems = _ledger(db).check()
    except LedgerError as exc:
        raise InputError(str(exc)) from None  # exit 2: 1 says "problems found"
    kinds: dict[str, int] = {}
    for p in problems:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    if format == "json":
        import json

        print(json.dumps({"problems": [p.to_dict() for p in problems], "counts": kinds}, ensure_ascii=False,
                         indent=1))
    else:
        for p in problems:
            print(f"{p.kind}: {p}")
        print(f"{len(problems)} problem{'' if len(problems) == 1 else 's'} ("
              + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + ")" if problems
              else "no problems: hashes, offsets, references, history chain, search index and list totals check")
    if problems:
        raise typer.Exit(1)



# -- Backup (issue 11): accord export / accord import --------------------------------------------


@app.command("export")
def export_ledger(
    file: Annotated[Path, typer.Argument(help="The export file (gzip when it ends in .gz).")],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write the whole ledger to FILE (versioned JSON Lines with a checksum; docs/backup.md).

    Users are written by name and role only, never a password hash or a token.
    """
    counts = _ledger(db).export_to(file, force=force)
    print(f"exported {sum(counts.values())} rows to {file} ("
          + ", ".join(f"{n} {name}" for name, n in counts.items() if n) + ")")


@app.command("import")
def import_ledger(
    file: Annotated[Path, typer.Argument(help="An export written by accord export.")],
    db: DbOption = None,
) -> None:
    """Load an export into an empty ledger, whole or not at all, then verify it as accord check does."""
    counts = _ledger(db, create=True).import_from(file)
    print(f"imported {sum(counts.values())} rows from {file} ("
          + ", ".join(f"{n} {name}" for name, n in counts.items() if n) + ")")
    print("check: no problems: hashes, offsets, references, history chain, search index and list totals check")


# -- People and programs: accord users -----------------------------------------------------------

users_app = typer.Typer(no_args_is_help=True, help="Users of the web app and API: roles, passwords, API tokens.")
app.add_typer(users_app, name="users")
RoleOption = Annotated[str, typer.Option("--role", help="viewer (reads) | editor (reads, writes) | admin")]


@users_app.command("add")
def users_add(
    name: str,
    role: RoleOption = "editor",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="No password: API tokens only.")] = False,
    db: DbOption = None,
) -> None:
    """Add a user. The password is read from stdin or asked for (never given on the command line);
    --no-password makes a user who uses API tokens only."""
    password = None if no_password else _password(password_stdin)
    added = _ledger(db, create=True).add_user(name, role, password)
    print(f"user {added['name']} added ({added['role']}{'' if password else ', tokens only'})")


@users_app.command("remove")
def users_remove(name: str, db: DbOption = None) -> None:
    """Remove a user with their tokens; their sessions and tokens stop working at once."""
    _ledger(db).remove_user(name)
    print(f"user {name} removed, with their tokens")


@users_app.command("list")
def users_list(db: DbOption = None, format: FormatOption = "table", wide: WideOption = False) -> None:
    """Users: name, role, whether they have a password, live tokens, created."""
    _list_output(_minutes(_ledger(db).users(), format), format, "users",
                 ["name", "role", "password", "tokens", "created_at"], wide)


@users_app.command("role")
def users_role(name: str, role: str, db: DbOption = None) -> None:
    """Give NAME the role ROLE (viewer, editor or admin); it holds from their next request."""
    changed = _ledger(db).set_role(name, role)
    print(f"user {changed['name']} is now {changed['role']}")


@users_app.command("password")
def users_password(
    name: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Set NAME's password (from stdin, or asked for); their sessions begun before end."""
    _ledger(db).set_password(name, _password(password_stdin))
    print(f"password of {name} changed")


@users_app.command("token")
def users_token(
    name: str,
    label: Annotated[str | None, typer.Option("--label", help="What the token is for.")] = None,
    db: DbOption = None,
) -> None:
    """Issue an API token for NAME (send it as Authorization: Bearer TOKEN). It is shown this once."""
    token_id, token = _ledger(db).issue_token(name, label)
    print(token)
    print(f"token {token_id} for {name}: keep it now, it won't be shown again", file=sys.stderr)


@users_app.command("tokens")
def users_tokens(name: Annotated[str | None, typer.Argument()] = None, db: DbOption = None,
                 format: FormatOption = "table", wide: WideOption = False) -> None:
    """API tokens (of NAME, or everyone's) by id and first characters; never a whole token."""
    _list_output(_minutes(_ledger(db).tokens(name), format), format, "API tokens",
                 ["id", "user", "prefix", "label", "created_at", "revoked_at"], wide)


@users_app.command("revoke")
def users_revoke(token: Annotated[str, typer.Argument(metavar="TOKEN_ID_OR_PREFIX")], db: DbOption = None) -> None:
    """Revoke an API token named by its id, its first characters (accord users tokens) or itself."""
    revoked = _ledger(db).revoke_token(token)
    print(f"token {revoked['id']} ({revoked['prefix']}…) revoked")


def _minutes(rows: list[dict], fmt: str) -> list[dict]:  # type: ignore[type-arg]
    """Times to the minute in a table (json and csv keep them whole)."""
    if fmt != "table":
        return rows
    return [{k: v[:16].replace("T", " ") if k.endswith("_at") and isinstance(v, str) else v for k, v in r.items()}
            for r in rows]


def _password(from_stdin: bool) -> str:
    """A password from stdin (its first line), or asked for twice on a terminal."""
    from accord.errors import InputError

    if from_stdin:
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not sys.stdin.isatty():
        raise InputError("no terminal to ask for the password: give it on stdin with --password-stdin "
                         "(or --no-password for a user with tokens only)")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ")
    return first
