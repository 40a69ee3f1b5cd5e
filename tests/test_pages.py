"""The server-rendered pages: content, filters, exact source highlighting, relations, escaping, sign-in, CSRF,
limits."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape

from accord.api import Ledger
from conftest import csrf, sign_in
from conftest import page_client as make_client

OSLO = """Norway and Chile agree to expand trade and clean energy ties
OSLO, March 3, 2025 - Norwegian Prime Minister Jonas Gahr Store and Chilean President Gabriel Boric held talks in Oslo on Monday.
The two sides agreed to raise bilateral trade to US$3 billion by 2027.
Both leaders pledged to speed up the Santiago - Valparaiso railway and the Punta Arenas wind farm.
Norway will train 200 Chilean engineers in offshore wind every year.
The leaders welcomed the progress in fisheries cooperation.
"""
SANTIAGO = """Chile and Norway review cooperation <script>alert(1)</script>
SANTIAGO, June 10, 2026 - Chilean and Norwegian ministers met in Santiago on Tuesday.
They reaffirmed the goal of raising bilateral trade to US$3 billion by 2027.
The two sides broke ground on the Santiago - Valparaiso railway in May, speeding up the railway project.
"""
TRADE = "The two sides agreed to raise bilateral trade to US$3 billion by 2027."
RAILWAY = "Both leaders pledged to speed up the Santiago - Valparaiso railway and the Punta Arenas wind farm."
TRAINING = "Norway will train 200 Chilean engineers in offshore wind every year."
PASTED = """Kenya and Ghana sign skills pact
NAIROBI, April 2, 2026 - Kenya and Ghana held talks in Nairobi on Thursday.
The two countries agreed to open a joint vocational training centre in Accra by 2028.
"""

# Relations: two reports of one state visit to Kenya (a day apart), an undated communique of the same
# two governments, and a Ghana-Peru meeting a year earlier.
NAIROBI = """Kenya and Chile agree to lift trade and share copper know-how <script>alert(2)</script>
NAIROBI, May 12, 2026 (KNA) - Kenyan President William Ruto and Chilean President Gabriel Boric held talks in Nairobi on Tuesday.
The two presidents agreed to raise bilateral trade to US$400 million by 2029.
Chile will send 30 mining engineers to Kenyan universities every year.
The two governments will open a direct Mombasa - Valparaiso shipping line.
"""
MOMBASA = """Boric in Kenya: Chile and Kenya sign tea and shipping deals
MOMBASA, May 13, 2026 (Xinhua) - Chile and Kenya signed agreements on tea exports and shipping during the visit of the Chilean president.
Both countries pledged to raise bilateral trade to US$400 million by 2029.
The two sides committed to open the Mombasa - Valparaiso shipping line next year.
"""
COMMUNIQUE = """Joint communique of Kenya and Chile on fisheries
Kenya and Chile agreed to set up a joint fisheries research station in Lamu.
"""
LIMA = """Ghana and Peru agree on cocoa research
LIMA, August 20, 2025 - Peruvian President Dina Boluarte and Ghanaian President John Mahama met in Lima on Wednesday.
The two leaders agreed to build a joint cocoa research institute in Kumasi by 2027.
"""
KE_TRADE = "The two presidents agreed to raise bilateral trade to US$400 million by 2029."
KE_ENGINEERS = "Chile will send 30 mining engineers to Kenyan universities every year."
KE_SHIPPING = "The two governments will open a direct Mombasa - Valparaiso shipping line."
KE_FISHERIES = "Kenya and Chile agreed to set up a joint fisheries research station in Lamu."
NAIROBI_TITLE = "Kenya and Chile agree to lift trade and share copper know-how &lt;script&gt;alert(2)&lt;/script&gt;"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two documents a year apart, with a target measured at half way; built once, copied per test."""
    path = tmp_path_factory.mktemp("pages") / "ledger.db"
    with Ledger(f"sqlite:///{path}") as lg:
        lg.ingest_text(OSLO, "oslo.txt")
        lg.ingest_text(SANTIAGO, "santiago.txt")
        lg.add_indicator("trade NO-CL", "USD")
        lg.observe("trade NO-CL", "2025", "1500000000", "customs statistics")
        target = next(c for c in lg.commitments() if c["text"] == TRADE)["targets"][0]
        lg.link_target(target["id"], "trade NO-CL")
    return path


@pytest.fixture()
def url(built: Path, tmp_path: Path) -> str:
    copy = tmp_path / "ledger.db"
    shutil.copy(built, copy)
    return f"sqlite:///{copy}"


@pytest.fixture()
def client(url: str) -> Iterator[TestClient]:
    with make_client(url) as c:
        yield c


@pytest.fixture(scope="module")
def relations_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kenya-Chile (one visit in two reports, one undated communique) and Ghana-Peru; the trade target at 25 %."""
    path = tmp_path_factory.mktemp("relations") / "ledger.db"
    with Ledger(f"sqlite:///{path}") as lg:
        for text, source in ((NAIROBI, "nairobi.txt"), (MOMBASA, "mombasa.txt"), (COMMUNIQUE, "communique.txt"),
                             (LIMA, "lima.txt")):
            lg.ingest_text(text, source)
        lg.add_indicator("trade KE-CL", "USD")
        lg.observe("trade KE-CL", "2025", "100000000", "customs statistics")
        target = next(c for c in lg.commitments() if c["text"] == KE_TRADE)["targets"][0]
        lg.link_target(target["id"], "trade KE-CL")
    return path


@pytest.fixture()
def relations_client(relations_built: Path, tmp_path: Path) -> Iterator[TestClient]:
    copy = tmp_path / "relations.db"
    shutil.copy(relations_built, copy)
    with make_client(f"sqlite:///{copy}") as c:
        yield c


def document_id(client: TestClient, source: str) -> int:
    ident: int = next(d["id"] for d in client.get("/api/v1/documents").json()["items"] if d["source"] == source)
    return ident


def commitment_id(client: TestClient, text: str) -> int:
    page = client.get("/commitments").text
    found = re.search(r'<a href="/commitments/(\d+)">' + re.escape(str(escape(text))) + "</a>", page)
    assert found is not None, text
    return int(found.group(1))


def test_overview_shows_pillars_targets_documents_and_old_pledges(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<a class="json" href="/api/v1/commitments"' in html
    assert "3 commitments read from 2 documents." in html
    assert '<a href="/commitments?pillar=economy_trade">Economy &amp; trade</a>' in html
    assert 'aria-valuenow="50.0"' in html and 'style="width: 50.0%"' in html
    assert "US$3 billion" in html
    assert "Chile and Norway review cooperation &lt;script&gt;alert(1)&lt;/script&gt;" in html
    old_open = html.split('id="old-open"')[1]
    assert str(escape(TRADE)) in old_open and str(escape(RAILWAY)) not in old_open


def test_commitments_filters_and_sort(client: TestClient) -> None:
    def texts(query: str) -> list[str]:
        response = client.get(f"/commitments?{query}")
        assert response.status_code == 200
        return re.findall(r'<td class="text-cell"[^>]*><a href="/commitments/\d+">([^<]+)</a>', response.text)

    assert texts("") == [TRADE, RAILWAY, TRAINING]
    assert texts("pillar=economy_trade") == [TRADE, TRAINING]
    assert texts("pillar=infrastructure_transport") == [RAILWAY]
    assert texts("status=announced&q=railway") == [RAILWAY]
    assert texts("status=fulfilled") == []
    assert texts("actor=gabriel+boric") == texts("actor=Gabriel Boric")
    assert texts("sort=-id") == [TRAINING, RAILWAY, TRADE]
    assert texts("sort=-reaffirmed")[0] == TRADE
    assert '<a class="json" href="/api/v1/commitments?pillar=economy_trade"' in client.get(
        "/commitments?pillar=economy_trade").text


def test_commitment_highlights_every_source_at_its_exact_offsets(client: TestClient) -> None:
    ident = commitment_id(client, TRADE)
    detail = client.get(f"/api/v1/commitments/{ident}").json()
    page = client.get(f"/commitments/{ident}")
    assert page.status_code == 200
    assert len(detail["sources"]) == 2
    for source in detail["sources"]:
        text = client.get(f"/api/v1/documents/{source['document']}").json()["text"]
        start, end, statement = source["start"], source["end"], source["statement"]
        assert text[start:end] == source["text"]
        expected = (f"{escape(text[:start])}<mark id=\"source-{statement}\">{escape(text[start:end])}</mark>"
                    f"{escape(text[end:])}</div>")
        assert expected in page.text
        assert f'href="/documents/{source["document"]}#s{statement}"' in page.text
    assert "shared target" in page.text or "similar wording" in page.text  # the merge reason
    assert "US$3 billion" in page.text and 'aria-valuenow="50.0"' in page.text
    assert '<a class="json" href="/api/v1/commitments/' in page.text


def test_document_colours_statements_and_escapes_text(client: TestClient) -> None:
    docs = client.get("/api/v1/documents").json()["items"]
    santiago = next(d for d in docs if d["source"] == "santiago.txt")
    page = client.get(f"/documents/{santiago['id']}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    statements = client.get(f"/api/v1/documents/{santiago['id']}").json()["statements"]
    types = {s["type"] for s in statements}
    for st in statements:
        assert f'class="st st-{st["type"]}" id="s{st["id"]}"' in html
        assert f'id="info-{st["id"]}"' in html
    assert {"commitment", "event"} <= types
    for kind in ("Commitment", "Position", "Assessment", "Event", "Other"):
        assert f"{kind} <span class=\"muted\">" in html  # the legend
    assert re.search(r'<a class="mention m-project" href="/entities/\d+" title="Project">Santiago - Valparaiso railway</a>',
                     html)


def test_entity_lists_statements_and_commitments_across_documents(client: TestClient) -> None:
    entities = client.get("/api/v1/entities?kind=project").json()["items"]
    railway = next(e for e in entities if e["name"] == "Santiago - Valparaiso railway")
    page = client.get(f"/entities/{railway['id']}")
    assert page.status_code == 200
    assert "Statements that name it <span class=\"muted\">(2)</span>" in page.text
    assert str(escape(RAILWAY)) in page.text
    assert "broke ground on the Santiago - Valparaiso railway" in page.text


def test_unknown_ids_give_a_404_page(client: TestClient) -> None:
    for path in ("/commitments/9999", "/documents/9999", "/entities/9999"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Not found" in response.text


def test_login_wrong_password_then_right(client: TestClient) -> None:
    token = csrf(client)
    wrong = client.post("/login", data={"name": "ana", "password": "nope", "csrf": token})
    assert wrong.status_code == 401 and "wrong password" in wrong.text
    right = client.post("/login", data={"name": "ana", "password": "pw", "next": "/review", "csrf": token})
    assert right.status_code == 303 and right.headers["location"] == "/review"
    assert '<span class="user" title="Signed in (editor)">ana</span>' in client.get("/").text
    client.post("/logout", data={"csrf": csrf(client, "/")})
    assert "Sign in</a>" in client.get("/").text


def test_login_refuses_outside_redirects(client: TestClient) -> None:
    response = client.post("/login", data={"name": "ana", "password": "pw", "next": "//evil.example",
                                           "csrf": csrf(client)})
    assert response.headers["location"] == "/"


def test_writes_need_sign_in(client: TestClient) -> None:
    token = csrf(client)  # an anonymous session has a token too: the refusal is for want of a user
    ident = commitment_id(client, RAILWAY)
    for path, data in (("/ingest", {"text": PASTED}), (f"/commitments/{ident}/status",
                                                       {"change": "status:stalled", "evidence": "x"}),
                       ("/review/1/accept", {})):
        response = client.post(path, data={**data, "csrf": token})
        assert response.status_code == 401, path
    assert "Sign in</a> to add documents" in client.get("/ingest").text
    assert client.get(f"/api/v1/commitments/{ident}").json()["history"] == []


def test_forms_need_the_csrf_token(client: TestClient) -> None:
    sign_in(client)
    assert client.post("/ingest", data={"text": PASTED}).status_code == 403
    assert client.post("/ingest", data={"text": PASTED, "csrf": "forged"}).status_code == 403
    assert client.post("/login", data={"name": "ana", "password": "pw"}).status_code == 403
    assert len(client.get("/api/v1/documents").json()["items"]) == 2


def test_ingest_pasted_text_shows_the_new_document(client: TestClient) -> None:
    token = sign_in(client)
    response = client.post("/ingest", data={"text": PASTED, "source": "pasted", "csrf": token})
    assert response.status_code == 303 and response.headers["location"].startswith("/jobs/")
    page = job_page(client, response.headers["location"])
    assert "Added: 3 statements, 1 new commitments" in page.text and "Ingest: pasted" in page.text, visible(page.text)
    document = re.search(r'<a href="(/documents/\d+)">Kenya and Ghana sign skills pact</a>', page.text)
    assert document, page.text
    assert "Kenya and Ghana sign skills pact" in client.get(document[1]).text
    assert "open a joint vocational training centre in Accra by 2028." in client.get("/commitments").text



def visible(html: str) -> str:
    """A page's words without its tags, for a failed assertion to show what the page said."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))[:2000]

def job_page(client: TestClient, path: str) -> Response:
    """The job's page once the job has finished: while it runs the page asks to be reloaded each second."""
    deadline = time.monotonic() + 300  # a bound on the wait (the first ingest loads the models), not a timing test
    while time.monotonic() < deadline:
        page = client.get(path)
        assert page.status_code == 200, page.text
        if "refresh" not in page.headers:
            return page
        assert page.headers["refresh"] == "1"
        time.sleep(0.05)
    raise AssertionError(f"the job at {path} did not finish in 300 s")


def test_ingest_upload_and_oversize(url: str) -> None:
    with make_client(url, max_upload_bytes=1000) as client:
        token = sign_in(client)
        response = client.post("/ingest", data={"csrf": token},
                               files={"file": ("skills.txt", PASTED.encode(), "text/plain")})
        assert response.status_code == 303
        assert "Kenya and Ghana sign skills pact" in job_page(client, response.headers["location"]).text
        big = client.post("/ingest", data={"csrf": token}, files={"file": ("big.txt", b"a. " * 600, "text/plain")})
        assert big.status_code == 413 and "Too large" in big.text
        pasted = client.post("/ingest", data={"csrf": token, "text": "word " * 300})
        assert pasted.status_code == 413


def test_status_form_appends_to_the_history(client: TestClient) -> None:
    token = sign_in(client)
    ident = commitment_id(client, RAILWAY)
    response = client.post(f"/commitments/{ident}/status", data={
        "change": "status:stalled", "evidence": "Works halted over land disputes.", "source": "Ministry note",
        "observed": "2026-08-01", "csrf": token})
    assert response.status_code == 303
    page = client.get(f"/commitments/{ident}").text
    assert "Works halted over land disputes." in page and "2026-08-01" in page and "Recorded: status stalled" in page
    assert '<span class="badge status-stalled">Stalled</span> <span class="origin"' in page
    empty = client.post(f"/commitments/{ident}/status", data={"change": "status:fulfilled", "evidence": " ",
                                                              "csrf": token})
    assert empty.status_code == 303
    assert "every change cites evidence" in client.get(f"/commitments/{ident}").text
    assert [h["value"] for h in client.get(f"/api/v1/commitments/{ident}").json()["history"]] == ["stalled"]


def test_review_accept(client: TestClient) -> None:
    page = client.get("/review").text
    assert "broke ground on the Santiago - Valparaiso railway" in page and "Sign in</a> to accept" in page
    token = sign_in(client)
    candidate = re.search(r'action="/review/(\d+)/accept"', client.get("/review").text)
    assert candidate is not None
    response = client.post(f"/review/{candidate.group(1)}/accept", data={"csrf": token})
    assert response.status_code == 303
    assert "Nothing waiting for review." in client.get("/review").text
    ident = commitment_id(client, RAILWAY)
    assert client.get(f"/api/v1/commitments/{ident}").json()["status"] == "in_progress"


def test_private_ledger_needs_sign_in_to_read(url: str) -> None:
    with make_client(url, public_read=False) as client:
        assert client.get("/").status_code == 401
        assert client.get("/commitments").status_code == 401
        assert client.get("/login").status_code == 200
        sign_in(client)
        assert client.get("/commitments").status_code == 200


def test_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/accord.css").status_code == 200
    assert client.get("/static/accord.js").status_code == 200


# -- relations ------------------------------------------------------------------

def test_relations_lists_each_relation_with_its_counts_and_dates(relations_client: TestClient) -> None:
    page = relations_client.get("/relations")
    assert page.status_code == 200
    html = page.text
    assert '<a class="json" href="/api/v1/relations"' in html
    assert '<li><a href="/relations" aria-current="page">Relations</a></li>' in html
    rows = re.findall(r'<tr>\s*<th scope="row"><a href="/relations/([A-Z-]+)">\1</a></th>(.*?)</tr>', html, re.S)
    assert [key for key, _ in rows] == ["CHL-KEN", "GHA-PER"]
    cells = {key: [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for key, row in rows}
    assert cells["CHL-KEN"] == ["Chile CHL, Kenya KEN", "3", "2", "4", "2026-05-12 – 2026-05-13"]
    assert cells["GHA-PER"] == ["Ghana GHA, Peru PER", "1", "1", "1", "2025-08-20"]
    assert '<a href="/documents?relation=CHL-KEN">3</a>' in html


def test_relation_shows_occasions_commitments_by_pillar_and_targets(relations_client: TestClient) -> None:
    page = relations_client.get("/relations/KEN-CHL")  # either order names the relation
    assert page.status_code == 200
    html = page.text
    assert "<script>alert(2)</script>" not in html and NAIROBI_TITLE in html
    assert "<h1>Chile – Kenya</h1>" in html
    assert '<span class="party">Chile <abbr class="code">CHL</abbr></span>' in html
    assert '<a class="json" href="/api/v1/relations/CHL-KEN"' in html
    nairobi, mombasa, communique = (document_id(relations_client, s)
                                    for s in ("nairobi.txt", "mombasa.txt", "communique.txt"))
    timeline = html.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert '<time datetime="2026-05-12"><strong>2026-05-12</strong></time>' in timeline
    assert re.findall(r'href="/documents/(\d+)"', timeline) == [str(nairobi), str(mombasa)]  # one visit, two reports
    assert f'<a href="/documents/{nairobi}">{NAIROBI_TITLE}</a> <span class="meta">2026-05-12 · KNA</span>' in timeline
    assert '<span class="meta">2026-05-13 · Xinhua</span>' in timeline
    undated = html.split('<h3 id="undated">Undated</h3>')[1].split("</aside>")[0]
    assert re.findall(r'href="/documents/(\d+)"', undated) == [str(communique)]
    pillars = re.findall(r'<h3 id="pillar-(\w+)"><a href="/commitments\?pillar=\1">[^<]+</a> '
                         r'<span class="muted">\((\d+)\)</span></h3>', html)
    detail = relations_client.get("/api/v1/relations/CHL-KEN").json()
    assert [(p, int(n)) for p, n in pillars] == [
        (p, sum(detail["by_pillar"][p].values())) for p in
        ("economy_trade", "infrastructure_transport", "energy_mining", "education_training", "science_technology")
        if p in detail["by_pillar"]]
    trade_group = html.split('id="pillar-economy_trade"')[1].split("</section>")[0]
    assert 'aria-label="2 Announced, 1 In progress"' in trade_group  # the target measured: in progress
    assert re.findall(r'<span class="seg status-(\w+)" style="flex-grow: (\d)"', trade_group) == [
        ("announced", "2"), ("in_progress", "1")]
    ids = {c["text"]: c["id"] for c in detail["commitments"]}
    assert set(ids) == {KE_TRADE, KE_ENGINEERS, KE_SHIPPING, KE_FISHERIES}
    for text, ident in ids.items():
        assert f'<a href="/commitments/{ident}">{text}</a>' in html
    fisheries = html.split(f'<a href="/commitments/{ids[KE_FISHERIES]}">')[1].split("</li>")[0]
    assert 'first pledged <span class="muted" title="Every source is undated">unknown</span>' in fisheries
    targets = html.split('id="targets"')[1]
    assert "US$400 million" in targets and 'aria-valuenow="25.0"' in targets
    assert f'<a class="target-of" href="/commitments/{ids[KE_TRADE]}">' in targets


def test_relation_unknown_is_404_and_malformed_is_400(relations_client: TestClient) -> None:
    unknown = relations_client.get("/relations/BRA-NOR")
    assert unknown.status_code == 404 and "Not found" in unknown.text
    assert "no relation &#39;BRA-NOR&#39;" in unknown.text
    for key in ("%3Cscript%3E", "KEN_CHL", "%20"):
        bad = relations_client.get(f"/relations/{key}")
        assert bad.status_code == 400, key
        assert "give party codes joined by" in bad.text and "<script>" not in bad.text


def test_documents_show_parties_confidence_evidence_and_relation(relations_client: TestClient) -> None:
    listing = relations_client.get("/documents").text
    assert "<script>alert(2)</script>" not in listing and NAIROBI_TITLE in listing
    assert ('<td data-label="Parties"><span class="party">Ghana <abbr class="code">GHA</abbr></span>, <span class="party">Peru '
            '<abbr class="code">PER</abbr></span><div class="meta"><a class="relation" href="/relations/GHA-PER">'
            'GHA-PER</a></div></td>') in listing
    only = relations_client.get("/documents?relation=per-gha").text
    assert "1 document of" in only and "Ghana and Peru agree on cocoa research" in only
    assert "Boric in Kenya" not in only
    assert '<a class="json" href="/api/v1/documents?relation=GHA-PER"' in only
    nairobi = document_id(relations_client, "nairobi.txt")
    row = relations_client.get(f"/api/v1/documents/{nairobi}").json()
    page = relations_client.get(f"/documents/{nairobi}").text
    assert "<script>alert(2)</script>" not in page
    assert 'relation <a class="relation" href="/relations/CHL-KEN">CHL-KEN</a>' in page
    assert f'<div><dt>Confidence</dt><dd>{row["parties_confidence"]:.2f}</dd></div>' in page
    assert f'<dd class="evidence-text">{escape(row["parties_evidence"])}</dd>' in page
    assert "<dt>Read by</dt><dd>Accord, from the title and lead</dd>" in page
    assert "Sign in</a> to correct the parties." in page and 'action="/documents/' not in page


def test_commitment_shows_its_relation_and_an_unknown_first_pledge(relations_client: TestClient) -> None:
    ident = commitment_id(relations_client, KE_FISHERIES)
    page = relations_client.get(f"/commitments/{ident}").text
    assert "<dt>First pledged</dt><dd>unknown (undated sources)</dd>" in page
    assert '<dt>Relation</dt><dd><a class="relation" href="/relations/CHL-KEN">CHL-KEN</a>' in page
    for path in ("/", "/commitments", "/commitments?sort=first", "/relations/CHL-KEN"):  # None sorts and renders
        response = relations_client.get(path)
        assert response.status_code == 200 and ">None<" not in response.text and "None ·" not in response.text, path
    dated = relations_client.get(f"/commitments/{commitment_id(relations_client, KE_TRADE)}").text
    assert "<dt>First pledged</dt><dd>2026-05-12</dd>" in dated


def test_parties_form_corrects_a_document_and_says_who(relations_client: TestClient) -> None:
    token = sign_in(relations_client)
    lima = document_id(relations_client, "lima.txt")
    form = relations_client.get(f"/documents/{lima}").text
    assert f'action="/documents/{lima}/parties"' in form and 'name="parties" value="GHA, PER"' in form
    response = relations_client.post(f"/documents/{lima}/parties", data={"parties": "per, gha,BRA", "csrf": token})
    assert response.status_code == 303 and response.headers["location"] == f"/documents/{lima}#parties"
    page = relations_client.get(f"/documents/{lima}").text
    assert "Parties set: BRA, GHA, PER (relation BRA-GHA-PER)." in page
    assert "<dt>Corrected by</dt><dd>ana</dd>" in page and "<dd>1.00</dd>" in page
    assert '<a class="relation" href="/relations/BRA-GHA-PER">BRA-GHA-PER</a>' in page
    keys = re.findall(r'<th scope="row"><a href="/relations/([A-Z-]+)">', relations_client.get("/relations").text)
    assert keys == ["BRA-GHA-PER", "CHL-KEN"]
    assert "corrected by ana" in relations_client.get("/documents").text
    unknown = relations_client.post(f"/documents/{lima}/parties", data={"parties": "GHA, XYZ", "csrf": token})
    assert unknown.status_code == 303
    after = relations_client.get(f"/documents/{lima}").text
    assert "unknown party &#39;XYZ&#39;" in after and 'class="flash flash-error"' in after
    assert relations_client.get(f"/api/v1/documents/{lima}").json()["relation"] == "BRA-GHA-PER"
    assert relations_client.post("/documents/9999/parties", data={"parties": "GHA", "csrf": token}).status_code == 404


def test_parties_form_needs_sign_in_and_the_csrf_token(relations_client: TestClient) -> None:
    lima = document_id(relations_client, "lima.txt")
    token = csrf(relations_client)  # an anonymous session has a token too: the refusal is for want of a user
    anonymous = relations_client.post(f"/documents/{lima}/parties", data={"parties": "GHA", "csrf": token})
    assert anonymous.status_code == 401
    sign_in(relations_client)
    assert relations_client.post(f"/documents/{lima}/parties", data={"parties": "GHA"}).status_code == 403
    assert relations_client.get(f"/api/v1/documents/{lima}").json()["relation"] == "GHA-PER"
