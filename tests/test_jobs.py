"""Ingest jobs: the pipeline runs in a worker, so the server answers while a document is read.

Each test holds an ingest inside the worker with a gate (an Event the test opens), then checks what the
server does meanwhile and after: nothing here waits on timing alone.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import job_finished as finished
from fastapi.testclient import TestClient

from accord.api import Ledger
from accord.config import Settings
from accord.errors import InputError
from accord.ledger.store import LedgerLocked
from accord.process import IngestResult
from accord.web import create_app
from accord.web.jobs import INTERNAL, STOPPED, Job, Jobs, app_jobs, finish

TOKEN = {"Authorization": "Bearer s3cret"}
TEXT = ("NAIROBI, March 3 - Kenya and Chile agreed on Tuesday to open a joint seed bank in Nakuru by 2027, "
        "their agriculture ministers said after talks.\n")
OTHER = "Chile and Kenya will hold yearly talks on copper refining, the two governments said.\n"


class Gate:
    """Holds every `Ledger.ingest_text` call at its start until the test opens the gate."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Semaphore(0)
        self.open = threading.Event()
        original = Ledger.ingest_text

        def held(ledger: Ledger, text: str, source: str = "pasted text", **kw: Any) -> IngestResult:
            self.entered.release()
            assert self.open.wait(30), "the test never opened the gate"
            return original(ledger, text, source, **kw)

        monkeypatch.setattr(Ledger, "ingest_text", held)

    def wait_entered(self) -> None:
        assert self.entered.acquire(timeout=30), "no ingest reached the worker"


@pytest.fixture()
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jobs.db'}"


def make_client(url: str, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(database_url=url, api_tokens=("s3cret",), secret_key="k", **settings)))


@pytest.fixture()
def client(url: str) -> Iterator[TestClient]:
    with make_client(url) as c:
        yield c


def test_the_server_answers_while_an_ingest_runs(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(monkeypatch)
    queued = client.post("/api/v1/documents", json={"text": TEXT, "source": "kna.txt"}, headers=TOKEN)
    assert queued.status_code == 202, queued.text
    body = queued.json()
    assert set(body) == {"job", "status", "url"} and queued.headers["location"] == body["url"]
    gate.wait_entered()  # the worker is inside the ingest, and stays there until the gate opens
    assert client.get("/api/v1/documents").json()["total"] == 0  # reads answer meanwhile
    assert client.get("/commitments").status_code == 200
    running = client.get(body["url"]).json()
    assert (running["status"], running["source"], running["result"], running["finished"]) == (
        "running", "kna.txt", None, None)
    gate.open.set()
    job = finished(client, body["url"])
    assert job["status"] == "done" and job["error"] is None and job["finished"] >= job["created"]
    result = job["result"]
    assert result["status"] == "added" and result["statements"] >= 1 and result["commitments_new"] >= 1
    document = client.get(result["url"]).json()
    assert (document["id"], document["source"]) == (result["document"], "kna.txt")
    assert "seed bank" in client.get("/api/v1/commitments?q=seed").json()["items"][0]["text"]


def test_jobs_run_in_the_order_sent_and_a_full_queue_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(monkeypatch)
    with make_client(url) as client:
        client.app.state.jobs = Jobs(workers=1, waiting=1)  # type: ignore[attr-defined]
        first = client.post("/api/v1/documents", json={"text": TEXT}, headers=TOKEN).json()
        gate.wait_entered()  # the first is running: the queue is empty again
        second = client.post("/api/v1/documents", json={"text": OTHER}, headers=TOKEN).json()
        assert client.get(second["url"]).json()["status"] == "queued"
        refused = client.post("/api/v1/documents", json={"text": TEXT + OTHER}, headers=TOKEN)
        assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
        assert refused.json()["error"]["message"] == "1 ingests are already waiting; try again in a minute"
        page = client.post("/ingest", data={"text": OTHER}, headers=TOKEN, follow_redirects=False)
        assert page.status_code in (303, 401, 403)  # the page form needs a signed-in user: not a 500 either way
        gate.open.set()
        done = [finished(client, job["url"]) for job in (first, second)]
        assert [j["status"] for j in done] == ["done", "done"]
        assert done[0]["finished"] <= done[1]["finished"]
        assert client.get("/api/v1/documents").json()["total"] == 2


def test_wait_answers_as_the_route_did_before_jobs(client: TestClient) -> None:
    added = client.post("/api/v1/documents?wait=1", json={"text": TEXT}, headers=TOKEN)
    assert added.status_code == 201 and added.json()["status"] == "added"
    assert added.json()["document"]["source"] == "API" and added.json()["job"]
    again = client.post("/api/v1/documents?wait=true", json={"text": TEXT}, headers=TOKEN)
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert again.json()["document"]["id"] == added.json()["document"]["id"]


@pytest.mark.parametrize(("raised", "status", "said"), [
    (InputError("the text holds no sentence Accord can read"), 422, "the text holds no sentence Accord can read"),
    (LedgerLocked("the ledger is locked by another writer (waited 60 s): try again"), 503,
     "the ledger is locked by another writer (waited 60 s): try again"),
    (RuntimeError("SELECT secret FROM documents WHERE text = 'confidential draft'"), 500, INTERNAL),
])
def test_a_failed_job_says_why_in_words(client: TestClient, monkeypatch: pytest.MonkeyPatch, raised: Exception,
                                        status: int, said: str, caplog: pytest.LogCaptureFixture) -> None:
    def fails(*_args: Any, **_kw: Any) -> IngestResult:
        raise raised

    monkeypatch.setattr(Ledger, "ingest_text", fails)
    job = finished(client, client.post("/api/v1/documents", json={"text": TEXT}, headers=TOKEN).json()["url"])
    assert (job["status"], job["error"], job["result"]) == ("failed", said, None)
    waited = client.post("/api/v1/documents?wait=1", json={"text": TEXT}, headers=TOKEN)
    assert waited.status_code == status and waited.json()["error"]["message"] == said
    if status == 503:
        assert waited.headers["retry-after"] == "30"
    assert "confidential" not in caplog.text and "confidential" not in waited.text  # logged by class only
    assert client.get("/api/v1/documents").json()["total"] == 0


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page
    return found[1]


def test_the_page_follows_its_job(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(monkeypatch)
    with make_client(url, users={"ana": "pw"}) as client:
        signed = client.post("/login", data={"name": "ana", "password": "pw", "next": "/",
                                             "csrf": csrf_of(client.get("/login").text)}, follow_redirects=False)
        assert signed.status_code == 303
        csrf = csrf_of(client.get("/ingest").text)
        sent = client.post("/ingest", data={"text": TEXT, "source": "note", "csrf": csrf}, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
        gate.wait_entered()
        page = client.get(sent.headers["location"])
        assert page.status_code == 200 and page.headers["refresh"] == "1" and "Reading the document" in page.text
        gate.open.set()
        deadline = time.monotonic() + 300  # a bound on the wait, not a timing test: the first ingest of a
        while time.monotonic() < deadline:  # process loads the embedding model, slow on a busy machine
            page = client.get(sent.headers["location"])
            if "refresh" not in page.headers:
                break
            time.sleep(0.05)
        shown = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())  # what the page said, when it fails
        assert "Added: " in page.text and '<a href="/documents/' in page.text and "refresh" not in page.headers, shown


class EndsAsItsResultIsRead(Job):
    """A running job that its worker finishes right after a reader has read its result or its stage: one
    request's reads of the job straddle its end, as they did when a page was read under load."""

    ending: IngestResult | None = None

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name in ("result", "stage") and object.__getattribute__(self, "state") == "running":
            self.result = self.ending
            finish(self, "done")
        return value


def test_a_job_read_as_it_ends_is_shown_running_or_done_never_half(client: TestClient) -> None:
    added = client.post("/api/v1/documents?wait=1", json={"text": TEXT}, headers=TOKEN).json()
    result = IngestResult("note", added["document"]["id"], "added", statements=1, commitments_new=1)
    jobs = app_jobs(client.app.state)  # type: ignore[attr-defined]  # the TestClient's app is Accord's
    Check = Callable[[Any], bool]
    checks: list[tuple[str, Check, Check]] = [
        ("/jobs/{}", lambda r: r.headers.get("refresh") == "1" and "already in the ledger" not in r.text,
         lambda r: "Added: 1 statements" in r.text and "refresh" not in r.headers),
        ("/api/v1/jobs/{}", lambda r: (r.json()["status"], r.json()["result"]) == ("running", None),
         lambda r: (r.json()["status"], r.json()["result"]["status"]) == ("done", "added")),
    ]
    for path, running, done in checks:
        job = EndsAsItsResultIsRead(secrets.token_urlsafe(16), "note", state="running", stage="writing")
        job.ending = result
        jobs._jobs[job.id] = job  # as `submit` keeps it, without a worker: the test ends it
        first = client.get(path.format(job.id), headers=TOKEN)
        assert first.status_code == 200 and running(first), first.text
        assert job.state == "done"  # it ended during that request
        second = client.get(path.format(job.id), headers=TOKEN)
        assert done(second), second.text


def test_unknown_and_malformed_job_ids(client: TestClient) -> None:
    missing = client.get("/api/v1/jobs/" + "A" * 22)
    assert missing.status_code == 404 and "restart forgets them" in missing.json()["error"]["message"]
    for bad in ("short", "A" * 23, "A" * 21 + "%2F", "A" * 21 + "%00"):
        response = client.get(f"/api/v1/jobs/{bad}")
        assert response.status_code in (400, 404, 422) and "error" in response.json(), bad
    assert client.get("/jobs/" + "B" * 22, headers={"accept": "text/html"}).status_code == 404


def test_stopping_fails_queued_jobs_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    gate, ran = threading.Event(), []

    def work(n: int) -> Callable[[], IngestResult]:
        def run() -> IngestResult:
            ran.append(n)
            gate.wait(30)
            return IngestResult(source=f"s{n}", document=None, status="unchanged")
        return run

    jobs = Jobs(workers=1, waiting=4)
    first = jobs.submit(work(1), "one")
    for _ in range(600):
        if first.state == "running":
            break
        time.sleep(0.01)
    queued = jobs.submit(work(2), "two")
    threading.Timer(0.2, gate.set).start()
    jobs.close(wait=10)
    assert (first.state, queued.state, queued.error, ran) == ("done", "failed", STOPPED, [1])
    with pytest.raises(Exception, match="stopping"):
        jobs.submit(work(3), "three")


def chunks(size: int, piece: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"text": "'
    sent = 0
    while sent < size:
        yield b"a" * piece
        sent += piece
    yield b'"}'


def test_a_chunked_body_is_refused_as_it_crosses_the_limit(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(Ledger, "ingest_text", lambda *a, **k: calls.append("ingest"))
    with make_client(url, max_upload_bytes=100_000) as client:
        counted = {"pieces": 0}

        def counting() -> Iterator[bytes]:
            for piece in chunks(8 * 1024 * 1024):  # 8 MB offered against a limit of 100 kB
                counted["pieces"] += 1
                yield piece

        response = client.post("/api/v1/documents", content=counting(),
                               headers={**TOKEN, "content-type": "application/json"})
        assert response.status_code == 413 and "request body is over" in response.json()["error"]["message"]
        assert response.headers["connection"] == "close" and calls == []
        declared = client.post("/api/v1/documents", content=b"x" * 10, headers={
            **TOKEN, "content-type": "application/json", "content-length": str(10**12)})
        assert declared.status_code == 413


def test_a_web_address_on_this_machine_is_refused_from_the_page(url: str) -> None:
    """SSRF through the dashboard: a page served on 127.0.0.1 is never fetched (no ACCORD_FETCH_ALLOW)."""
    import http.server

    seen: list[str] = []

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            seen.append(self.path)
            body = b"<html><body><p>Internal admin page: the two sides agreed to nothing.</p></body></html>"
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with make_client(url, users={"ana": "pw"}) as client:
            signed = client.post("/login", data={"name": "ana", "password": "pw", "next": "/",
                                                 "csrf": csrf_of(client.get("/login").text)}, follow_redirects=False)
            assert signed.status_code == 303
            address = f"http://127.0.0.1:{server.server_port}/admin"
            sent = client.post("/ingest", data={"url": address, "csrf": csrf_of(client.get("/ingest").text)},
                               follow_redirects=False)
            assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
            for _ in range(600):
                page = client.get(sent.headers["location"])
                if "refresh" not in page.headers:
                    break
                time.sleep(0.05)
            assert "127.0.0.1 is a loopback address" in page.text and "Nothing was stored" in page.text
            assert client.get("/api/v1/documents").json()["total"] == 0
    finally:
        server.shutdown()
        server.server_close()
    assert seen == []  # refused before any connection
