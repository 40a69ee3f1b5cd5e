"""Jobs over large inputs: documents in parts, each part read, extracted and embedded as one task, in this
process (`local`) or on a Dask cluster (`dask`), results taken back in input order.

On Dask (dask.distributed: a `LocalCluster` of `workers` processes when no scheduler address is given)
each worker loads the spaCy pipeline and the embedding model once, when it starts (`WarmModels`, a worker
plugin), and keeps them for every task. At most two parts per worker are in flight, so memory stays flat
however long the corpus. Ingest writes in one writer, this process, in input order: each document is
placed among everything stored before it, as a local run would place it, so both engines build the same
ledger.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal, Protocol, TypeVar

from sqlalchemy import Engine

from accord.errors import AccordError, InputError
from accord.extract.parquet import ExtractedDocument
from accord.ingest.corpus import Input
from accord.model import Document
from accord.process.ingest import IngestResult, OnError, Prepared

EngineName = Literal["local", "dask"]
ENGINES: tuple[EngineName, ...] = ("local", "dask")
PART_DOCUMENTS = 8  # documents per task: enough to batch the embedding model, small enough to spread
T = TypeVar("T")
R = TypeVar("R")


class EngineError(AccordError):
    """The cluster could not be reached or started."""

    exit_code = 3


class Runner(Protocol):
    """Runs a function over parts, yielding results in the parts' order."""

    workers: int
    dashboard: str | None

    def map(self, fn: Callable[..., R], parts: Iterable[T], *args: Any) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalRunner:
    """Every part in this process, one after another."""

    workers = 1
    dashboard: str | None = None

    def map(self, fn: Callable[..., R], parts: Iterable[T], *args: Any) -> Iterator[R]:
        for part in parts:
            yield fn(part, *args)

    def close(self) -> None:
        pass


class DaskRunner:
    """Parts as tasks on a Dask cluster: the one at `scheduler`, or a `LocalCluster` of `workers` processes
    (one thread each: spaCy and the model are bound by the CPU and the GIL)."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None, embed: bool = True) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("--engine dask needs dask.distributed: run `make install`") from None
        self.cluster: Any = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")  # type: ignore[no-untyped-call]
            else:
                import dask

                # Dask's statistical profiler keeps a call tree of each worker's thread for every second of
                # the last hour: on a long job it grows a worker by ~5 MB a minute (docs/scale.md). Without
                # it a worker's memory stays flat however long the corpus; the dashboard loses its
                # profile tab only.
                with dask.config.set({"distributed.worker.profile.enabled": False}):
                    self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                                processes=True, dashboard_address="127.0.0.1:0",
                                                silence_logs=logging.ERROR)  # type: ignore[no-untyped-call]
                self.client = Client(self.cluster)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
            raise EngineError(f"cannot reach {where}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        from accord.process.workers import WarmModels

        self.client.register_plugin(WarmModels(embed), name="accord-models")
        self.workers = max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))
        self.dashboard = _dashboard(self.client)

    def map(self, fn: Callable[..., R], parts: Iterable[T], *args: Any) -> Iterator[R]:
        pending: deque[Any] = deque()
        for part in parts:
            pending.append(self.client.submit(fn, part, *args, pure=False))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def _dashboard(client: Any) -> str | None:
    """The dashboard's address, when the cluster serves one (it needs bokeh)."""
    try:
        import bokeh  # noqa: F401 - only whether it is there

        link = client.dashboard_link
    except Exception:  # noqa: BLE001 - a cluster without a dashboard has no link
        return None
    return str(link) if link else None


def warm(embed: bool) -> None:
    """Load what a task needs, so that no task pays for it; one thread for the model per process."""
    from accord.extract.pipeline import load_pipeline

    load_pipeline()
    if embed:
        import torch

        torch.set_num_threads(1)
        from accord.resolve.embed import embed as encode

        encode(["warm"])


def runner(engine: EngineName, scheduler: str | None = None, workers: int | None = None,
           embed: bool = True) -> Runner:
    if engine == "local":
        if scheduler or workers:
            raise InputError("--scheduler and --workers go with --engine dask")
        return LocalRunner()
    if engine == "dask":
        if workers is not None and workers < 1:
            raise InputError("--workers must be 1 or more")
        return DaskRunner(scheduler, workers, embed)
    raise InputError(f"--engine must be one of {', '.join(ENGINES)}")


def parts(items: Iterable[T], size: int = PART_DOCUMENTS) -> Iterator[list[T]]:
    part: list[T] = []
    for item in items:
        part.append(item)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


# --- ingest -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Unreadable:
    """An input that can't be read as a document: its name and the error that says why."""

    source: str
    error: InputError


def prepare_part(items: list[Input], outlet: str | None,
                 ledger_url: str | None) -> list[Prepared | IngestResult | Unreadable]:
    """A task: read each input, leave out what the ledger holds already (by the text's hash), extract
    and embed the rest."""
    from accord.process.ingest import input_name, prepare_documents, read_input

    read: list[Document | Unreadable] = []
    for item in items:
        try:
            read.append(read_input(item, outlet))
        except InputError as exc:
            read.append(Unreadable(input_name(item), exc))
    docs = [d for d in read if isinstance(d, Document)]
    stored = _stored(ledger_url, [d.sha256 for d in docs])
    fresh = iter(prepare_documents([d for d in docs if d.sha256 not in stored]))
    return [d if isinstance(d, Unreadable)
            else IngestResult(d.source, stored[d.sha256], "unchanged") if d.sha256 in stored
            else next(fresh) for d in read]


def _stored(ledger_url: str | None, hashes: list[str]) -> dict[str, int]:
    """The documents among `hashes` that the ledger holds; none known when it can't be read from here
    (the writer checks each document again under its lock, so this only saves work)."""
    if ledger_url is None or not hashes:
        return {}
    from sqlalchemy.exc import SQLAlchemyError

    from accord.ledger import store

    try:
        with _reader(ledger_url).connect() as conn:
            return store.documents_stored(conn, hashes)
    except (SQLAlchemyError, AccordError):
        return {}


@cache
def _reader(url: str) -> Engine:
    from accord.ledger import open_engine

    return open_engine(url)


def ingest_job(engine: Engine, sources: list[str], run: Runner, *, ledger_url: str | None,
               outlet: str | None = None, on_error: OnError = "continue",
               part_documents: int = PART_DOCUMENTS) -> Iterator[IngestResult]:
    """Ingest `sources` (files, URLs, corpus files), prepared in parts by `run`, written here in order.

    `ledger_url` is where tasks look up what is stored already (None: they don't). Each document is
    one transaction, so a job killed half-way and started again skips what it stored ("unchanged") and
    writes the rest: nothing is lost and nothing is written twice.
    """
    from accord.ingest.corpus import iter_inputs
    from accord.process.known import KnownState
    from accord.process.ingest import store_prepared

    state = KnownState()
    for results in run.map(prepare_part, parts(iter_inputs(sources), part_documents), outlet, ledger_url):
        for result in results:
            if isinstance(result, Prepared):
                yield store_prepared(engine, result, state)
            elif isinstance(result, IngestResult):
                yield result
            elif on_error == "raise":
                raise result.error
            else:
                yield IngestResult(result.source, None, "failed", error=str(result.error))
                if on_error == "stop":
                    return


def check_url(url: str) -> str | None:
    """The ledger URL that tasks may open to look up stored documents; None for an in-memory SQLite."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return None
        return parsed.set(database=os.path.abspath(parsed.database)).render_as_string(hide_password=False)
    return url


# --- extract ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Extracted:
    """One input's statements, or why it could not be read."""

    extracted: ExtractedDocument
    error: str | None = None
    lines: str | None = None  # its statements as `accord extract -f jsonl` prints them, when asked for


def extract_part(items: list[Input], lines: bool = False) -> list[Extracted]:
    """A task: the statements of each input, offsets into its text as given (a file's, a record's).

    With `lines`, each document comes back as the JSON lines `accord extract -f jsonl` prints (and no
    statement objects): the worker encodes them, so the process that writes them only writes."""
    import hashlib
    import json
    from pathlib import Path

    from accord.extract import extract_text
    from accord.extract.parquet import file_statements
    from accord.ingest.corpus import Record, record_text
    from accord.process.ingest import input_name

    out = []
    for item in items:
        try:
            if isinstance(item, Record):
                text = record_text(item)
                document = ExtractedDocument(hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                             f"{item.corpus}#{item.data['id']}", len(text), extract_text(text))
            else:
                document = file_statements(Path(item))
                document = replace(document, statements=list(document.statements))  # sent back whole
        except InputError as exc:
            out.append(Extracted(ExtractedDocument("", input_name(item), 0, []), str(exc)))
            continue
        if lines:
            encoded = "".join(json.dumps({"document": document.name, **s.to_dict()}, ensure_ascii=False) + "\n"
                              for s in document.statements)
            out.append(Extracted(replace(document, statements=[]), lines=encoded))
        else:
            out.append(Extracted(document))
    return out


def extract_job(sources: list[str], run: Runner, part_documents: int = PART_DOCUMENTS,
                lines: bool = False) -> Iterator[Extracted]:
    """The statements of every input, in order, extracted in parts by `run` (as JSON lines with `lines`)."""
    from accord.ingest.corpus import iter_inputs

    for results in run.map(extract_part, parts(iter_inputs(sources), part_documents), lines):
        yield from results
