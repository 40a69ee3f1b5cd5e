"""Ingest jobs: the pipeline runs in a worker thread, never in the server's event loop, and the caller
polls a job kept in this process's memory.

An ingest of a long text takes spaCy tens of seconds; run inside an `async` route it held every other
request for that long. Here a route checks its input, hands the work to `Jobs.submit` and answers at
once with the job's id. One worker by default: ingests write one document at a time anyway (each in its
own transaction), and a second worker would only contend for the same cores and the same write lock.

At most `waiting` jobs wait in the queue (each holds its text, up to the upload limit); one more is
refused with `Busy` (the routes answer 429). Finished jobs are forgotten after `keep_for` seconds, and
beyond the newest `keep` of them. Like sessions, jobs live in memory: a restart forgets them. When the
app stops, jobs still queued fail in words and a running ingest is given a few seconds to finish; the
workers are daemon threads, so stopping `accord serve` never hangs on one, and an ingest cut off there
is rolled back with its transaction (each document is written in one).

The language model loads once per process (spaCy's pipeline, ~9 s): `Model` starts loading it in a
background thread when the app starts, /healthz reports its state, and the worker holds each job
("waiting for the language model") until it is ready, so a job never loads it a second time alongside.
A running job reports its stage in words (`Job.stage`), told by `accord.process.ingest.STAGE`.
"""

from __future__ import annotations

import logging
import queue
import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from accord.errors import AccordError, InputError, MachineFault, PipelineError, fault
from accord.process import IngestResult
from accord.process.ingest import STAGE

log = logging.getLogger("accord.web")

JobState = Literal["queued", "running", "done", "failed"]
JOB_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
INTERNAL = "internal error: the ingest failed; it has been logged"
STOPPED = "the server stopped before this ingest ran; nothing was stored: send it again"
NO_MODEL = "the language model could not be loaded; the server's log says why"
KEEP_FORMS = 16  # failed jobs that keep what the person typed, for the form shown again (each up to the limit)
ModelState = Literal["loading", "ready", "failed"]


class Busy(Exception):
    """Too many ingests are waiting; the caller should try again later."""


@dataclass(eq=False)
class Job:
    """One ingest: its state, and its result or one-line error once finished."""

    id: str
    source: str
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    state: JobState = "queued"
    finished: datetime | None = None
    result: IngestResult | None = None
    error: str | None = None
    # The AccordError that failed it, for a caller that waited and answers as a synchronous route would.
    exception: AccordError | None = None
    # Set (to the job) when it finishes: a waiting route awaits it without blocking the event loop.
    done: Future[Job] = field(default_factory=Future)
    # While it runs, in words: "waiting for the language model", "reading the text", "extracting", "writing".
    stage: str | None = None
    # What the person typed into the page's form (text, source, url), to fill it again if the job fails;
    # dropped when it succeeds, and beyond the newest KEEP_FORMS failures.
    form: dict[str, str] | None = None

    @property
    def url(self) -> str:
        return f"/api/v1/jobs/{self.id}"

    def view(self) -> JobView:
        """The job as it is now, consistent: its state is read first. The worker sets a job's result,
        error and finishing time before its state, so a view that says "done" has the result and one that
        says "failed" has the error; a page that read the result first could see none and then "done"."""
        state = self.state
        return JobView(self.id, self.source, self.created, state, self.stage if state == "running" else None,
                       self.finished if state in ("done", "failed") else None,
                       self.result if state == "done" else None, self.error if state == "failed" else None,
                       self.form if state == "failed" else None)

    def summary(self) -> dict[str, Any]:
        """The job as the API reports it."""
        return self.view().summary()


@dataclass(frozen=True, slots=True)
class JobView:
    """One consistent reading of a job (`Job.view`), for a page or an API answer."""

    id: str
    source: str
    created: datetime
    state: JobState
    stage: str | None
    finished: datetime | None
    result: IngestResult | None
    error: str | None
    form: dict[str, str] | None

    @property
    def url(self) -> str:
        return f"/api/v1/jobs/{self.id}"

    def elapsed(self) -> int:
        """Whole seconds since it was sent, until it finished."""
        return int(((self.finished or datetime.now(UTC)) - self.created).total_seconds())

    def summary(self) -> dict[str, Any]:
        """The job as the API reports it."""
        result = None
        if self.result is not None:
            document = self.result.document
            result = {"status": self.result.status, "document": document,
                      "url": f"/api/v1/documents/{document}" if document is not None else None,
                      "statements": self.result.statements, "commitments_new": self.result.commitments_new,
                      "commitments_merged": self.result.commitments_merged}
        return {"job": self.id, "status": self.state, "stage": self.stage, "url": self.url, "source": self.source,
                "created": self.created.isoformat(), "finished": self.finished.isoformat() if self.finished else None,
                "result": result, "error": self.error}


class Jobs:
    """A bounded pool of worker threads over a bounded queue of ingests, with the jobs it has seen."""

    def __init__(self, workers: int = 1, waiting: int = 16, keep: int = 500, keep_for: float = 3600.0,
                 idle: float = 30.0, model: Model | None = None) -> None:
        self.workers = workers
        self.model = model or process_model()  # each job waits until it is ready
        self.keep = keep
        self.keep_for = timedelta(seconds=keep_for)
        self.idle = idle  # a worker with nothing to do for this long ends; the next job starts one
        self._queue: queue.Queue[tuple[Job, Callable[[], IngestResult]] | None] = queue.Queue(maxsize=waiting)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._running: set[threading.Thread] = set()
        self._closed = False

    def submit(self, work: Callable[[], IngestResult], source: str, form: dict[str, str] | None = None) -> Job:
        """Queue `work` (a call that ingests one document) and return its job; `Busy` when the queue is full.
        `form` is what the person typed, kept to fill the form again should the job fail."""
        job = Job(secrets.token_urlsafe(16), source, form=form)
        with self._lock:
            if self._closed:
                raise Busy("the server is stopping; try again when it is back")
            try:
                self._queue.put_nowait((job, work))
            except queue.Full:
                raise Busy(f"{self._queue.maxsize} ingests are already waiting; try again in a minute") from None
            self._prune()
            self._jobs[job.id] = job
            if len(self._running) < self.workers:
                thread = threading.Thread(target=self._work, name=f"accord-ingest-{len(self._running) + 1}",
                                          daemon=True)
                self._running.add(thread)
                thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self, wait: float = 10.0) -> None:
        """Take no more jobs, fail those still queued, and give a running ingest up to `wait` seconds to end
        (after that it is abandoned to its daemon thread, and its transaction to the database)."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].error = STOPPED
                    finish(item[0], "failed")
            threads = list(self._running)
            for _ in threads:
                self._queue.put(None)
        deadline = time.monotonic() + wait
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _prune(self) -> None:
        """Forget finished jobs older than `keep_for`, then all but the newest `keep` (caller holds the lock)."""
        cutoff = datetime.now(UTC) - self.keep_for
        finished = sorted(((j.finished, j.id) for j in self._jobs.values() if j.finished is not None))
        kept = [(when, job_id) for when, job_id in finished if when > cutoff]
        for _, job_id in finished[: len(finished) - len(kept)] + kept[: max(0, len(kept) - self.keep)]:
            del self._jobs[job_id]
        forms = sorted((j.finished, j.id) for j in self._jobs.values() if j.finished is not None and j.form)
        for _, job_id in forms[: max(0, len(forms) - KEEP_FORMS)]:
            self._jobs[job_id].form = None

    def _work(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=self.idle)
            except queue.Empty:
                with self._lock:  # submit puts under this lock: an empty queue here stays empty until we leave
                    if self._queue.empty():
                        self._running.discard(threading.current_thread())
                        return
                continue
            if item is None:
                with self._lock:
                    self._running.discard(threading.current_thread())
                return
            _run(*item, self.model)


def _run(job: Job, work: Callable[[], IngestResult], model: Model | None = None) -> None:
    """Run one job and record how it ended; never raises (the worker goes on to the next)."""
    job.state = "running"
    if model is not None and model.wait_needed():
        job.stage = "waiting for the language model"
        model.wait()
    if model is not None and model.state == "failed":
        job.error = model.error or NO_MODEL
        job.exception = PipelineError(job.error)
        finish(job, "failed")
        return
    job.stage = "reading the text"

    def reached(stage: str) -> None:
        job.stage = stage

    told = STAGE.set(reached)
    try:
        result = work()
    except AccordError as exc:  # the input, or the pipeline, said what is wrong: the caller may read it
        job.error, job.exception = (str(exc).splitlines() or [type(exc).__name__])[0], exc
        finish(job, "failed")
    except Exception as exc:  # noqa: BLE001 - a bug or the database: logged by class, never its text (see Guard)
        said = fault(exc)
        if said is not None:  # the disk, the lock, the server: said in words, answered 503 by a waiting route
            job.error, job.exception = said, MachineFault(said)
        else:
            log.error("ingest job %s (%s): internal error (%s)", job.id, job.source, type(exc).__name__)
            job.error = INTERNAL
        finish(job, "failed")
    else:
        if result.status == "failed":  # a run that reports a bad source rather than raising: the same failure
            job.error = result.error or "the document could not be read"
            job.exception = InputError(job.error)
            finish(job, "failed")
            return
        job.result = result
        finish(job, "done")
    finally:
        STAGE.reset(told)


def finish(job: Job, state: JobState) -> None:
    """End `job` in `state`: its result or error is set already; its state is set last (see `Job.view`)."""
    if state == "done":
        job.form = None
    job.stage = None
    job.finished = datetime.now(UTC)
    job.state = state  # after `finished`: a reader that sees the final state sees its time too
    job.done.set_result(job)


def app_jobs(state: Any) -> Jobs:
    """The app's jobs (`app.state.jobs`), made on first use: no thread starts before the first ingest."""
    with _MAKING:
        jobs: Jobs | None = getattr(state, "jobs", None)
        if jobs is None:
            jobs = state.jobs = Jobs(model=getattr(state, "model", None))
        return jobs


class Model:
    """Whether the language model is loaded: "loading" until `load` returns, then "ready" (or "failed").

    `start` runs `load` once, in a daemon thread (the event loop and the server's start never wait on
    it); `wait` starts it if no one has and blocks until it ends. The default `load` builds the pipeline
    that `accord.extract.pipeline.load_pipeline` caches for the process, so every Model after the first
    is ready at once. A failed load stays failed until the server restarts.
    """

    def __init__(self, load: Callable[[], object] | None = None) -> None:
        self._load = load or _load_pipeline
        self.state: ModelState = "loading"
        self.error: str | None = None
        self._ended = threading.Event()
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name="accord-model", daemon=True).start()

    def wait_needed(self) -> bool:
        return not self._ended.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the load ends (starting it if needed); False if `timeout` passed first."""
        self.start()
        return self._ended.wait(timeout)

    def _run(self) -> None:
        try:
            self._load()
        except AccordError as exc:  # no model installed: its message says what to run
            self.error, self.state = (str(exc).splitlines() or [NO_MODEL])[0], "failed"
        except Exception as exc:  # noqa: BLE001 - logged by class, as every internal error
            log.error("loading the language model failed (%s)", type(exc).__name__)
            self.error, self.state = NO_MODEL, "failed"
        else:
            self.state = "ready"
        finally:
            self._ended.set()


def process_model() -> Model:
    """This process's Model (the pipeline is cached per process), made on first use; not started."""
    global _PROCESS_MODEL
    with _MAKING:
        if _PROCESS_MODEL is None:
            _PROCESS_MODEL = Model()
        return _PROCESS_MODEL


def _load_pipeline() -> None:
    from accord.extract.pipeline import load_pipeline

    with _LOADING:  # two Models of one process (two apps) never build the pipeline side by side
        load_pipeline()


_MAKING = threading.RLock()  # app_jobs may make the process's Model while it holds this
_LOADING = threading.Lock()
_PROCESS_MODEL: Model | None = None
