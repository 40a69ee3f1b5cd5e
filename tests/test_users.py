"""Users, roles and API tokens in the ledger: hashes, sign-in, bearer tokens, roles on the API and
the pages, removal and revocation at once, the environment's users and tokens, the CLI, hostile input."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accord.api import Ledger
from accord.config import Settings
from accord.errors import InputError
from accord.ledger import tables as t
from accord.ledger.store import NotFound
from accord.web import create_app

TEXT = """Indonesia and Vietnam agree to lift trade
JAKARTA, June 3, 2026 (Antara) - Indonesia and Vietnam agreed to raise bilateral trade to US$18 billion by 2028.
"""
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ENV_TOKEN = {"Authorization": "Bearer envtok"}
CHANGE = {"status": "in_progress", "evidence": "Talks on tariffs opened", "date": "2026-07-01"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def lg(ledger_url: str) -> Iterator[Ledger]:
    with Ledger(ledger_url) as ledger:
        yield ledger


@pytest.fixture()
def written(ledger_url: str) -> Iterator[tuple[Ledger, int]]:
    """A ledger with one commitment (its id); read only with a token or a session."""
    with Ledger(ledger_url) as ledger:
        ledger.ingest_text(TEXT, "antara.txt")
        yield ledger, ledger.commitments()[0]["id"]


def client_for(ledger: Ledger, **more: Any) -> TestClient:
    settings = Settings(database_url=ledger.url, api_tokens=("envtok",), users={"envy": "envpw"}, secret_key="k",
                        public_read=False, **more)
    return TestClient(create_app(settings), follow_redirects=False)


def history_by(ledger: Ledger, commitment: int) -> list[str | None]:
    return [h["by"] for h in ledger.history(commitment)]


def stored_hash(ledger: Ledger, name: str) -> str | None:
    with ledger.engine.connect() as conn:
        found: str | None = conn.execute(select(t.users.c.password_hash).where(t.users.c.name == name)).scalar_one()
    return found


# -- the library -------------------------------------------------------------------------------

def test_users_passwords_are_salted_scrypt_hashes(lg: Ledger) -> None:
    lg.add_user("ana", "editor", "correct horse")
    lg.add_user("bea", "viewer", "correct horse")
    lg.add_user("cy", "admin")  # tokens only
    ana, bea = stored_hash(lg, "ana"), stored_hash(lg, "bea")
    assert ana is not None and bea is not None and stored_hash(lg, "cy") is None
    kind, n, r, p, salt, digest = ana.split("$")
    assert (kind, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 64
    assert "correct horse" not in ana and ana != bea  # the same password, another salt
    assert lg.verify_password("ana", "correct horse") == "editor"
    assert lg.verify_password("bea", "correct horse") == "viewer"
    for name, password in (("ana", "correct horsE"), ("ana", ""), ("nobody", "correct horse"), ("cy", ""),
                           ("cy", "anything"), ("ana\x00", "correct horse"), ("ana", "x" * 100_000)):
        assert lg.verify_password(name, password) is None, (name, password[:20])
    assert [(u["name"], u["role"], u["password"], u["tokens"]) for u in lg.users()] == [
        ("ana", "editor", True, 0), ("bea", "viewer", True, 0), ("cy", "admin", False, 0)]
    assert not any("scrypt" in json.dumps(u) for u in lg.users())
    lg.set_password("ana", "battery staple")
    assert lg.verify_password("ana", "correct horse") is None and lg.verify_password("ana", "battery staple") == "editor"
    assert lg.set_role("bea", "editor")["role"] == "editor"


def test_users_sign_in_costs_one_scrypt_whoever_asks(lg: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """No timing oracle on names: an unknown name, a tokens-only user, a name that can't be one and a wrong
    password each cost one scrypt, as a right one does; a stored hash asking for too much memory runs none."""
    import hashlib

    from accord.ledger import users

    lg.add_user("ana", "editor", "pw")
    lg.add_user("bot", "editor")
    calls: list[int] = []
    real = hashlib.scrypt

    def counted(*args: Any, **kwargs: Any) -> bytes:
        calls.append(kwargs["n"])
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    for name, password in (("ana", "pw"), ("ana", "no"), ("nobody", "pw"), ("bot", "pw"), ("a:b", "pw"),
                           ("a" * 500, "pw")):
        calls.clear()
        lg.verify_password(name, password)
        assert calls == [2**14], name[:10]
    calls.clear()
    greedy = "scrypt$1048576$64$1$" + base64.b64encode(b"s" * 16).decode() + "$" + base64.b64encode(b"h" * 64).decode()
    assert not users.password_matches(greedy, "pw") and calls == [2**14]  # the dummy, not 8 GiB


def test_users_tokens_are_kept_as_hashes_and_revoked(lg: Ledger) -> None:
    lg.add_user("ana", "editor")
    first_id, first = lg.issue_token("ana", "nightly import")
    second_id, second = lg.issue_token("ana")
    assert first.startswith("acc_") and len(first) == 47 and first != second
    assert lg.user_for_token(first) == ("ana", "editor") == lg.user_for_token(second)
    with lg.engine.connect() as conn:
        kept = conn.execute(select(t.api_tokens)).mappings().all()
    assert all(first not in json.dumps({k: str(v) for k, v in row.items()}) for row in kept)
    listed = lg.tokens("ana")
    assert [(x["id"], x["prefix"], x["label"], x["revoked_at"]) for x in listed] == [
        (first_id, first[:12], "nightly import", None), (second_id, second[:12], None, None)]
    assert lg.users()[0]["tokens"] == 2
    assert lg.revoke_token(first[:10])["id"] == first_id  # by its first characters
    assert lg.user_for_token(first) is None and lg.user_for_token(second) == ("ana", "editor")
    assert lg.revoke_token(str(second_id))["id"] == second_id  # by its id
    assert lg.user_for_token(second) is None and lg.users()[0]["tokens"] == 0
    with pytest.raises(InputError, match="already revoked"):
        lg.revoke_token(first)  # by the whole token
    with pytest.raises(NotFound):
        lg.revoke_token("999")
    with pytest.raises(InputError, match="8 or more"):
        lg.revoke_token("acc")


def test_users_removed_with_their_tokens_and_never_reborn(lg: Ledger) -> None:
    lg.add_user("ana", "editor", "pw")
    _, token = lg.issue_token("ana")
    lg.remove_user("ana")
    assert lg.users() == [] and lg.tokens() == [] and lg.user_for_token(token) is None
    assert lg.verify_password("ana", "pw") is None
    again = lg.add_user("ana", "viewer", "pw")
    assert again["id"] == 2  # ids are never given twice: an old session names id 1
    assert lg.check() == []


BAD_NAMES = {"colon": "ana:pw", "comma": "ana,bea", "newline": "ana\nbea", "NUL": "ana\x00", "tab": "a\tb",
             "200 characters": "a" * 200, "empty": "", "leading space": " ana", "trailing space": "ana "}


@pytest.mark.parametrize("case", BAD_NAMES)
def test_users_bad_names_are_refused_in_one_line(case: str, lg: Ledger) -> None:
    with pytest.raises(InputError) as caught:
        lg.add_user(BAD_NAMES[case], "editor", "pw")
    assert "\n" not in str(caught.value) and "user name" in str(caught.value)
    assert lg.users() == []


def test_users_other_bad_input_is_refused_in_one_line(lg: Ledger) -> None:
    lg.add_user("ana", "editor", "pw")
    for call, words in ((lambda: lg.add_user("ana", "viewer"), "already a user 'ana'"),
                        (lambda: lg.add_user("ANA", "viewer"), "already a user 'ana'"),
                        (lambda: lg.add_user("bea", "boss"), "unknown role 'boss'"),
                        (lambda: lg.set_role("ana", "root"), "unknown role 'root'"),
                        (lambda: lg.add_user("bea", "editor", ""), "password is empty"),
                        (lambda: lg.remove_user("bea"), "no user 'bea'"),
                        (lambda: lg.set_role("bea", "viewer"), "no user 'bea'"),
                        (lambda: lg.issue_token("bea"), "no user 'bea'"),
                        (lambda: lg.issue_token("ana", "two\nlines"), "label"),
                        (lambda: lg.remove_user("a" * 10_000), "no user")):
        with pytest.raises(InputError) as caught:
            call()
        assert words in str(caught.value) and "\n" not in str(caught.value), str(caught.value)
    assert [(u["name"], u["role"]) for u in lg.users()] == [("ana", "editor")]


def test_users_sql_ish_and_non_ascii_names_are_only_names(lg: Ledger) -> None:
    names = ["x'; DROP TABLE users; --", 'Robert"); DELETE FROM api_tokens; --', "zoë Ñandú", "%_%"]
    for name in names:
        lg.add_user(name, "viewer", "pw")
        lg.issue_token(name)
    assert sorted(u["name"] for u in lg.users()) == sorted(names)
    assert all(lg.verify_password(name, "pw") == "viewer" for name in names)
    assert lg.verify_password("%", "pw") is None
    lg.remove_user("%_%")
    assert len(lg.users()) == 3 and len(lg.tokens()) == 3


def test_users_export_by_name_and_role_only(written: tuple[Ledger, int], tmp_path: Path) -> None:
    ledger, _ = written
    ledger.add_user("ana", "admin", "pw")
    _, token = ledger.issue_token("ana")
    assert ledger.check() == []
    path = tmp_path / "ledger.jsonl"
    ledger.export_to(path)
    data = path.read_text(encoding="utf-8")
    assert '"name":"ana"' in data and '"role":"admin"' in data
    assert "scrypt" not in data and "password" not in data and token[:12] not in data and "api_tokens" not in data
    with Ledger(f"sqlite:///{tmp_path / 'copy.db'}") as copy:
        copy.import_from(path)
        assert [(u["name"], u["role"], u["password"], u["tokens"]) for u in copy.users()] == [
            ("ana", "admin", False, 0)]
        assert copy.check() == []


# -- the web: bearer tokens --------------------------------------------------------------------

def test_users_tokens_on_the_api_by_role(written: tuple[Ledger, int]) -> None:
    ledger, commitment = written
    ledger.add_user("ana", "editor")
    ledger.add_user("vic", "viewer")
    _, ana = ledger.issue_token("ana")
    _, vic = ledger.issue_token("vic")
    path = f"/api/v1/commitments/{commitment}"
    with client_for(ledger) as client:
        assert client.get(path).status_code == 401  # ACCORD_PUBLIC_READ=0
        assert client.get(path, headers=bearer(vic)).status_code == 200
        refused = client.post(f"{path}/status", headers=bearer(vic), json=CHANGE)
        assert refused.status_code == 403 and "vic is a viewer" in refused.json()["error"]["message"]
        assert client.post(f"{path}/status", headers=bearer(ana), json=CHANGE).status_code == 201
        assert history_by(ledger, commitment) == ["ana"]  # the write is the user's, by name
        ledger.set_role("vic", "editor")  # promoted: at the next request
        assert client.post(f"{path}/status", headers=bearer(vic), json={**CHANGE, "status": "stalled"}
                           ).status_code == 201
        assert history_by(ledger, commitment) == ["ana", "vic"]


def test_users_revoked_or_removed_tokens_stop_at_once(written: tuple[Ledger, int]) -> None:
    ledger, commitment = written
    ledger.add_user("ana", "editor")
    ledger.add_user("bea", "editor")
    ana_id, ana = ledger.issue_token("ana")
    _, bea = ledger.issue_token("bea")
    path = f"/api/v1/commitments/{commitment}"
    with client_for(ledger) as client:
        assert client.get(path, headers=bearer(ana)).status_code == 200
        ledger.revoke_token(str(ana_id))
        for method in (client.get, lambda p, headers: client.post(f"{p}/status", headers=headers, json=CHANGE)):
            assert method(path, headers=bearer(ana)).status_code == 401
        assert client.get(path, headers=bearer(bea)).status_code == 200
        ledger.remove_user("bea")
        assert client.post(f"{path}/status", headers=bearer(bea), json=CHANGE).status_code == 401
        assert client.get(path, headers=bearer(bea)).status_code == 401
    assert history_by(ledger, commitment) == []


def test_users_environment_tokens_still_write_as_token(written: tuple[Ledger, int]) -> None:
    ledger, commitment = written
    with client_for(ledger) as client:
        assert client.post(f"/api/v1/commitments/{commitment}/status", headers=ENV_TOKEN, json=CHANGE).status_code == 201
        assert client.post(f"/api/v1/commitments/{commitment}/status", headers=bearer("envtok2"),
                           json=CHANGE).status_code == 401
    assert history_by(ledger, commitment) == ["token"]


HOSTILE_TOKENS = {  # as the bytes sent
    "non-ASCII": "acc_zoë-Ñandú".encode(),
    "huge": b"acc_" + b"A" * 100_000,
    "NUL": b"acc_abc\x00def",
    "SQL": b"acc_' OR '1'='1",
    "only the prefix": b"acc_",
    "empty": b"",
    "latin-1 bytes": b"\xff\xfe\xfd",
}


@pytest.mark.parametrize("case", HOSTILE_TOKENS)
def test_users_hostile_bearer_tokens_are_401_not_500(case: str, written: tuple[Ledger, int]) -> None:
    ledger, commitment = written
    ledger.add_user("ana", "editor")
    ledger.issue_token("ana")
    header = {"Authorization": b"Bearer " + HOSTILE_TOKENS[case]}
    with client_for(ledger) as client:
        assert client.get("/api/v1/commitments", headers=header).status_code == 401
        response = client.post(f"/api/v1/commitments/{commitment}/status", headers=header, json=CHANGE)
        assert response.status_code == 401 and set(response.json()["error"]) == {"status", "message"}


# -- the web: signing in -----------------------------------------------------------------------

def csrf(client: TestClient, path: str = "/login") -> str:
    found = CSRF.search(client.get(path, headers={"accept": "text/html"}).text)
    assert found is not None, path
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str) -> int:
    return client.post("/login", data={"name": name, "password": password, "next": "/", "csrf": csrf(client)}
                       ).status_code


def page_status(client: TestClient, commitment: int, value: str) -> int:
    return client.post(f"/commitments/{commitment}/status",
                       data={"change": f"status:{value}", "evidence": "Seen in the minutes", "csrf": csrf(client, "/")}
                       ).status_code


def test_users_sign_in_by_role_and_lose_rights_at_once(written: tuple[Ledger, int]) -> None:
    ledger, commitment = written
    ledger.add_user("ana", "editor", "pw")
    path = f"/api/v1/commitments/{commitment}"
    with client_for(ledger) as client:
        assert sign_in(client, "ana", "wrong") == 401
        assert client.get(path).status_code == 401
        assert sign_in(client, "ana", "pw") == 303
        assert client.get(path).status_code == 200
        assert page_status(client, commitment, "in_progress") == 303
        assert history_by(ledger, commitment) == ["ana"]
        page = client.get(f"/commitments/{commitment}").text
        assert 'action="/commitments/' in page and "Signed in as a viewer" not in page
        ledger.set_role("ana", "viewer")  # demoted: reads on, writes stop
        assert client.get(path).status_code == 200
        page = client.get(f"/commitments/{commitment}").text  # the forms are gone, and the page says why
        assert f'action="/commitments/{commitment}/status"' not in page and "Signed in as a viewer" in page
        assert "Signed in as a viewer" in client.get("/ingest").text and 'action="/ingest"' not in (
            client.get("/ingest").text)
        assert page_status(client, commitment, "stalled") == 403
        token = csrf(client, "/")
        refused = client.post(f"{path}/status", json=CHANGE, headers={"X-CSRF-Token": token})
        assert refused.status_code == 403 and "viewer" in refused.json()["error"]["message"]
        ledger.remove_user("ana")  # removed: the session stops
        assert client.get(path).status_code == 401
        ledger.add_user("ana", "editor", "pw")  # a newcomer of the same name is not the old session
        assert client.get(path).status_code == 401
        assert sign_in(client, "ana", "pw") == 303 and client.get(path).status_code == 200
        ledger.set_password("ana", "new")  # a new password ends the sessions begun before
        assert client.get(path).status_code == 401
    assert history_by(ledger, commitment) == ["ana"]


def test_users_from_the_environment_still_sign_in(written: tuple[Ledger, int]) -> None:
    ledger, commitment = written
    with client_for(ledger) as client:
        assert sign_in(client, "envy", "envpw") == 303
        assert page_status(client, commitment, "in_progress") == 303
        ledger.add_user("envy", "viewer", "other")  # the ledger's user of that name now decides
        assert client.get(f"/api/v1/commitments/{commitment}").status_code == 401
        assert sign_in(client, "envy", "envpw") == 401
        assert sign_in(client, "envy", "other") == 303 and page_status(client, commitment, "stalled") == 403
    assert history_by(ledger, commitment) == ["envy"]


@pytest.mark.parametrize("name", ["ana\x00", "a" * 10_000, "x' OR '1'='1", "zoë", "ana\n", ""])
def test_users_hostile_sign_in_names_are_4xx(name: str, written: tuple[Ledger, int]) -> None:
    ledger, _ = written
    ledger.add_user("ana", "editor", "pw")
    with client_for(ledger) as client:
        response = client.post("/login", data={"name": name, "password": "pw", "next": "/", "csrf": csrf(client)})
        assert response.status_code in (401, 422), response.text


# -- the CLI -----------------------------------------------------------------------------------

CliRun = Callable[..., Any]


def test_users_cli_add_list_token_revoke_remove(ledger_url: str, cli: CliRun, tmp_path: Path) -> None:
    import subprocess
    import sys

    def with_stdin(*args: str, text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "accord", *args], input=text, capture_output=True, text=True,
                              timeout=120)

    db = ("--db", ledger_url)
    added = with_stdin("users", "add", "ana", "--role", "viewer", "--password-stdin", *db, text="s3cret pw\n")
    assert added.returncode == 0 and added.stdout == "user ana added (viewer)\n", added.stderr
    assert cli("users", "add", "bot", "--no-password", *db).returncode == 0
    listed = cli("users", "list", "--format", "json", *db)
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["role"], r["password"], r["tokens"]) for r in rows] == [
        ("ana", "viewer", True, 0), ("bot", "editor", False, 0)]
    assert "scrypt" not in listed.stdout and "s3cret" not in listed.stdout
    issued = cli("users", "token", "bot", "--label", "nightly", *db)
    token = issued.stdout.strip()
    assert issued.returncode == 0 and token.startswith("acc_") and len(issued.stdout.splitlines()) == 1
    assert "won't be shown again" in issued.stderr
    with Ledger(ledger_url) as ledger:
        assert ledger.user_for_token(token) == ("bot", "editor")
        assert ledger.verify_password("ana", "s3cret pw") == "viewer"
    tokens = json.loads(cli("users", "tokens", "bot", "--format", "json", *db).stdout)
    assert [(x["prefix"], x["label"]) for x in tokens] == [(token[:12], "nightly")] and token not in json.dumps(tokens)
    assert cli("users", "role", "ana", "editor", *db).stdout == "user ana is now editor\n"
    assert with_stdin("users", "password", "ana", "--password-stdin", *db, text="other pw\n").returncode == 0
    with Ledger(ledger_url) as ledger:
        assert ledger.verify_password("ana", "other pw") == "editor" and ledger.verify_password("ana", "s3cret pw") is None
    revoked = cli("users", "revoke", token[:10], *db)
    assert revoked.returncode == 0 and revoked.stdout.startswith(f"token {tokens[0]['id']} "), revoked.stderr
    assert cli("users", "remove", "ana", *db).returncode == 0
    with Ledger(ledger_url) as ledger:
        assert ledger.user_for_token(token) is None
        assert [u["name"] for u in ledger.users()] == ["bot"]


BAD_CLI = [
    (("users", "add", "bot", "--no-password"), "already a user 'bot'"),
    (("users", "add", "cy", "--role", "boss", "--no-password"), "unknown role 'boss'"),
    (("users", "add", "a:b", "--no-password"), "can't hold"),
    (("users", "add", "a\nb", "--no-password"), "printable"),
    (("users", "add", "a" * 200, "--no-password"), "at most 64"),
    (("users", "add", "cy"), "--password-stdin"),  # no terminal to ask on, and never from argv
    (("users", "role", "bot", "root"), "unknown role 'root'"),
    (("users", "remove", "nobody"), "no user 'nobody'"),
    (("users", "token", "nobody"), "no user 'nobody'"),
    (("users", "revoke", "999"), "no token '999'"),
    (("users", "revoke", "x"), "8 or more"),
]


def test_users_cli_bad_input_is_one_line_and_exit_2(ledger_url: str, cli: CliRun) -> None:
    """Each bad command in turn on one ledger (a process each): one line, exit 2, nothing changed."""
    assert cli("users", "add", "bot", "--no-password", "--db", ledger_url).returncode == 0
    for args, words in BAD_CLI:
        done = cli(*args, "--db", ledger_url)
        assert done.returncode == 2 and words in done.stderr, (args, done.stderr)
        assert done.stderr.startswith("accord: error: ") and len(done.stderr.splitlines()) == 1, (args, done.stderr)
    with Ledger(ledger_url) as ledger:
        assert [u["name"] for u in ledger.users()] == ["bot"]


def test_users_cli_takes_no_password_from_argv(ledger_url: str, cli: CliRun) -> None:
    for args in (("--password", "pw"), ("pw",), ("--password=pw",)):
        done = cli("users", "add", "ana", *args, "--db", ledger_url)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    with Ledger(ledger_url) as ledger:
        assert ledger.users() == []


def test_users_migration_goes_down_and_up(ledger_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from accord.ledger.store import _migrations, revision, transaction

    with Ledger(ledger_url) as ledger:
        ledger.add_user("ana", "editor", "pw")
        config = _migrations()
        with transaction(ledger.engine) as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0004")
        with ledger.engine.connect() as conn:
            assert revision(conn) == "0004"
            assert not {"users", "api_tokens"} & set(inspect(conn).get_table_names())
        with transaction(ledger.engine) as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        assert ledger.users() == [] and ledger.add_user("ana", "editor", "pw")["name"] == "ana"
