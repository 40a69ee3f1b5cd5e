"""Ingest from the web page: the model loads at start and /healthz says so, the job's page says what it
is doing, and a refusal shows the form again with what was typed and one sentence, never a server path.

The model's load is held with a gate (an Event the test opens): nothing here waits on timing alone.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import job_finished as finished
from fastapi.testclient import TestClient
from httpx import Response

from accord import __version__
from accord.config import Settings
from accord.errors import PipelineError
from accord.web import create_app
from accord.web.jobs import Model

TOKEN = {"Authorization": "Bearer s3cret"}
HTML = {"accept": "text/html"}
TEXT = ("NAIROBI, March 3 - Kenya and Chile agreed on Tuesday to open a joint seed bank in Nakuru by 2027, "
        "their agriculture ministers said after talks.\n")
LIMIT = 20_000
SERVER_PATHS = ("/tmp", "/var/", "/home/", "/work/", "/usr/", "site-packages", "Traceback")


@pytest.fixture()
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ingest.db'}"


def make_app(url: str) -> Any:
    return create_app(Settings(database_url=url, api_tokens=("s3cret",), secret_key="k", users={"ana": "pw"},
                               max_upload_bytes=LIMIT))


@pytest.fixture()
def client(url: str) -> Iterator[TestClient]:
    with TestClient(make_app(url), follow_redirects=False) as c:
        sign_in(c)
        yield c


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page
    return found[1]


def sign_in(client: TestClient) -> None:
    signed = client.post("/login", data={"name": "ana", "password": "pw", "next": "/",
                                         "csrf": csrf_of(client.get("/login").text)}, follow_redirects=False)
    assert signed.status_code == 303


def send(client: TestClient, files: Any = None, **fields: str) -> Response:
    token = csrf_of(client.get("/ingest").text)
    return client.post("/ingest", data={**fields, "csrf": token}, files=files, headers=HTML, follow_redirects=False)



def visible(html: str) -> str:
    """A page's words without its tags, for a failed assertion to show what the page said."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))[:2000]

def job_page(client: TestClient, path: str) -> Response:
    deadline = time.monotonic() + 300  # a bound on the wait (the first ingest loads the models), not a timing test
    while time.monotonic() < deadline:
        page = client.get(path)
        assert page.status_code == 200, page.text
        if "refresh" not in page.headers:
            return page
        time.sleep(0.05)
    raise AssertionError(f"the job at {path} did not finish in 300 s")


def error_of(page: str) -> str:
    """The one sentence the page shows in its error box."""
    found = re.findall(r'<p class="flash flash-error" role="alert">(.*?)</p>', page, re.DOTALL)
    assert len(found) == 1, page
    return found[0]


def no_server_path(text: str) -> None:
    for word in SERVER_PATHS:
        assert word not in text, word


def stored(client: TestClient) -> int:
    total: int = client.get("/api/v1/documents").json()["total"]
    return total


# -- the model loads when the server starts --------------------------------------

def test_healthz_goes_from_loading_to_ready_and_an_ingest_sent_meanwhile_waits(url: str) -> None:
    gate, loads = threading.Event(), []

    def held() -> None:
        loads.append(1)
        assert gate.wait(30), "the test never opened the gate"

    app = make_app(url)
    app.state.model = Model(load=held)
    with TestClient(app, follow_redirects=False) as client:  # the lifespan starts the load, and does not wait
        assert client.get("/healthz").json() == {"status": "ok", "model": "loading", "model_error": None,
                                                 "version": __version__}
        sign_in(client)
        assert "The language model is still loading" in client.get("/ingest").text
        sent = send(client, text=TEXT, source="kna.txt")
        assert sent.status_code == 303
        job_url = "/api/v1" + sent.headers["location"]
        for _ in range(600):  # the worker holds the job until the model is ready
            job = client.get(job_url).json()
            if job["stage"] == "waiting for the language model":
                break
            time.sleep(0.01)
        assert (job["status"], job["stage"]) == ("running", "waiting for the language model")
        page = client.get(sent.headers["location"])
        assert page.headers["refresh"] == "1" and "Waiting for the language model to load" in page.text
        assert re.search(r"\d+ s so far", page.text)
        assert client.get("/api/v1/documents").status_code == 200  # the server answers meanwhile
        gate.set()
        assert app.state.model.wait(30)
        assert client.get("/healthz").json()["model"] == "ready"
        assert "still loading" not in client.get("/ingest").text
        done = finished(client, job_url)
        assert (done["status"], done["stage"], done["result"]["status"]) == ("done", None, "added")
        assert loads == [1]  # one load, however many asked
    assert stored_via(url) == 1


def stored_via(url: str) -> int:
    from accord.api import Ledger

    with Ledger(url) as ledger:
        return len(ledger.documents())


def test_a_model_that_fails_to_load_is_said_and_fails_ingests_in_words(url: str) -> None:
    said = "no English spaCy model is installed: run `make install`"

    def broken() -> None:
        raise PipelineError(said)

    app = make_app(url)
    app.state.model = Model(load=broken)
    with TestClient(app, follow_redirects=False) as client:
        app.state.model.wait(30)
        assert client.get("/healthz").json() == {"status": "ok", "model": "failed", "model_error": said,
                                                 "version": __version__}
        sign_in(client)
        assert f"Ingest is unavailable: {said}" in client.get("/ingest").text.replace("&#96;", "`")
        job = finished(client, client.post("/api/v1/documents", json={"text": TEXT}, headers=TOKEN).json()["url"])
        assert (job["status"], job["error"]) == ("failed", said)
        assert stored(client) == 0


def test_the_app_loads_the_real_model_in_the_background(url: str) -> None:
    """The app a test builds loads the pipeline that load_pipeline caches: once per process, not per app."""
    with TestClient(make_app(url)) as client:
        model = client.app.state.model  # type: ignore[attr-defined]
        assert model.wait(120) and client.get("/healthz").json()["model"] == "ready"
    with TestClient(make_app(url)) as again:
        assert again.app.state.model is model  # type: ignore[attr-defined]
        assert again.get("/healthz").json()["model"] == "ready"


# -- the job's page talks ------------------------------------------------------------

def test_the_job_page_says_each_stage_in_words(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each stage `ingest_document` reports (extracting, writing) is held with a gate and read off the page."""
    from accord.process import ingest as process_ingest

    reached: dict[str, threading.Semaphore] = {"extracting": threading.Semaphore(0), "writing": threading.Semaphore(0)}
    go: dict[str, threading.Event] = {"extracting": threading.Event(), "writing": threading.Event()}
    original = process_ingest._stage

    def held(name: str) -> None:
        original(name)
        reached[name].release()
        assert go[name].wait(30)

    monkeypatch.setattr(process_ingest, "_stage", held)
    sent = send(client, text=TEXT, source="talks")
    assert sent.status_code == 303
    for stage, words in (("extracting", "Extracting statements, names and commitments"),
                         ("writing", "Writing to the ledger")):
        assert reached[stage].acquire(timeout=60), stage
        page = client.get(sent.headers["location"])
        assert page.headers["refresh"] == "1" and words in page.text and "s so far" in page.text
        go[stage].set()
    page = job_page(client, sent.headers["location"])
    assert "Added: " in page.text and re.search(r"finished \d\d:\d\d:\d\d \(\d+ s\)", page.text)


# -- a refusal shows the form again ----------------------------------------------------

def test_a_bad_address_shows_the_form_again_with_what_was_typed(client: TestClient) -> None:
    page = send(client, url="ftp://example.org/minutes.txt", source="Ministry minutes")
    assert page.status_code == 422
    assert error_of(page.text) == "Give a web address starting with http:// or https://."
    assert 'value="ftp://example.org/minutes.txt"' in page.text and 'value="Ministry minutes"' in page.text
    assert "Something went wrong" not in page.text and "(422)" not in page.text
    no_server_path(page.text)
    nul = send(client, text="The two sides agreed\x00 to meet in Accra.", source="note")
    assert nul.status_code == 422 and "NUL" in error_of(nul.text)
    assert ">The two sides agreed to meet in Accra.</textarea>" in nul.text  # the text kept, the NUL dropped
    empty = send(client, text="  \n", source="")
    assert empty.status_code == 422
    assert error_of(empty.text) == "Paste a text, choose a file or give a web address."
    assert stored(client) == 0


def test_a_refused_fetch_shows_the_form_again_on_the_job_page(client: TestClient) -> None:
    """Refused in the worker (the address is this machine): the job's page has the reason and the form."""
    address = "http://127.0.0.1:9/admin"
    sent = send(client, url=address, source="intranet")
    assert sent.status_code == 303
    page = job_page(client, sent.headers["location"])
    assert "127.0.0.1 is a loopback address" in error_of(page.text) and "Nothing was stored" in page.text
    assert f'value="{address}"' in page.text and 'value="intranet"' in page.text and 'name="csrf"' in page.text
    no_server_path(page.text)
    assert stored(client) == 0


def test_an_unreadable_upload_names_the_file_never_a_server_path(client: TestClient) -> None:
    sent = send(client, files={"file": ("minutes.txt", b"MZ\x00\x01binary", "text/plain")}, text="",
                source="")
    assert sent.status_code == 303
    page = job_page(client, sent.headers["location"])
    assert error_of(page.text) == "minutes.txt: binary file, not text (it contains NUL bytes)"
    assert "You chose <strong>minutes.txt</strong>" in page.text and "choose it again" in page.text
    no_server_path(page.text)
    api = client.post("/api/v1/documents?wait=1", headers=TOKEN,
                      files={"file": ("scan.pdf", b"%PDF-1.4 not really a pdf", "application/pdf")})
    assert api.status_code == 422 and api.json()["error"]["message"].startswith("scan.pdf: not a readable PDF")
    no_server_path(api.text)
    assert stored(client) == 0


def test_too_large_keeps_what_it_can_and_says_so(client: TestClient) -> None:
    over = "The two sides agreed to meet again. " * 600  # 21,600 bytes: over the limit, within the form's slack
    page = send(client, text=over, source="long")
    assert page.status_code == 413
    assert error_of(page.text) == f"Too large: the text is {len(over):,} bytes, over the limit of {LIMIT:,} bytes."
    assert over.strip() in page.text and 'value="long"' in page.text
    assert stored(client) == 0


# -- hostile input ----------------------------------------------------------------------

@pytest.mark.parametrize(("address", "said"), [
    ("http://ana:s3cret@example.org/minutes", "A web address with a user name or password in it is not fetched"),
    ("https://token@example.org/", "A web address with a user name or password in it is not fetched"),
    ("javascript:alert(document.cookie)", "Give a web address starting with http:// or https://."),
    ("http:///no-host", "That web address has no host name"),
    ("http://example.org:port/", "That web address is not one"),
])
def test_hostile_addresses_are_refused_in_words(client: TestClient, address: str, said: str) -> None:
    page = send(client, url=address)
    assert page.status_code == 422 and error_of(page.text).startswith(said)
    assert "s3cret" not in error_of(page.text)
    assert stored(client) == 0


def test_a_ten_megabyte_paste_is_refused_before_it_is_read(client: TestClient) -> None:
    token = csrf_of(client.get("/ingest").text)
    page = client.post("/ingest", data={"text": "a" * 10_000_000, "csrf": token}, headers=HTML)
    assert page.status_code == 413 and "Too large" in page.text and "over" in page.text
    no_server_path(page.text)
    assert "a" * 1000 not in page.text
    assert stored(client) == 0


def test_hostile_names_are_escaped_and_never_a_path(client: TestClient) -> None:
    sent = send(client, files={"file": ("../../etc/passwd", TEXT.encode(), "text/plain")}, text="", source="")
    assert sent.status_code == 303
    page = job_page(client, sent.headers["location"])
    assert "<h1>Ingest: passwd</h1>" in page.text and "Added: " in page.text, visible(page.text)
    [document] = client.get("/api/v1/documents").json()["items"]
    assert document["source"] == "passwd"
    script = send(client, files={"file": ("<img src=x onerror=alert(1)>.txt", b"\x00\x01", "text/plain")},
                  source='"><script>alert(2)</script>')
    page = job_page(client, script.headers["location"])
    assert "<script>alert" not in page.text and "<img" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;.txt: binary file" in page.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in page.text
    api = client.post("/api/v1/documents?wait=1", headers=TOKEN,
                      files={"file": ("..\\..\\windows\\win.ini", b"\x00", "text/plain")})
    assert api.status_code == 422 and api.json()["error"]["message"].startswith("win.ini: binary file")
    assert stored(client) == 1
