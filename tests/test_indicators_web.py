"""Indicators from the dashboard: the list and one indicator's page, CSV upload (editors only, all or
nothing, one sentence for a bad row), linking a commitment's target, and target ids in `accord show`."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accord.api import Ledger
from accord.errors import InputError
from conftest import csrf, sign_in
from conftest import page_client as make_client

LISBON = """Portugal and Morocco agree to deepen trade and port ties
LISBON, February 12, 2025 - Portuguese Prime Minister Luis Montenegro and Moroccan Head of Government Aziz Akhannouch held talks in Lisbon on Wednesday.
The two sides agreed to raise bilateral trade to US$4 billion by 2028.
Portugal will help Morocco modernise the port of Tangier.
"""
RABAT = """Morocco and Portugal open a solar plant
RABAT, October 2, 2025 - Moroccan and Portuguese ministers met in Rabat on Thursday.
The two governments agreed to build 500 megawatts of solar capacity by 2030.
"""
TRADE = "The two sides agreed to raise bilateral trade to US$4 billion by 2028."
SOLAR = "The two governments agreed to build 500 megawatts of solar capacity by 2030."
GOOD_CSV = ("indicator,period,value,source,unit,frequency\n"
            "PT-MA solar capacity,2024,120,energy agency report,MW,yearly\n"
            "PT-MA solar capacity,2025,250,energy agency report,MW,yearly\n"
            "PT-MA solar capacity,2025,260,grid operator,MW,yearly\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two documents with a target each; the trade target tracked at 50 % by an indicator of two periods."""
    path = tmp_path_factory.mktemp("indicators") / "ledger.db"
    with Ledger(f"sqlite:///{path}") as lg:
        lg.ingest_text(LISBON, "lisbon.txt")
        lg.ingest_text(RABAT, "rabat.txt")
        lg.add_indicator("PT-MA bilateral trade", "USD")
        lg.observe("PT-MA bilateral trade", "2024", "1500000000", "customs statistics")
        lg.observe("PT-MA bilateral trade", "2025", "2000000000", "INE trade bulletin")
        lg.link_target(target_of(lg, TRADE)["id"], "PT-MA bilateral trade")
        lg.add_user("vera", "viewer", "pw")
    return path


def target_of(lg: Ledger, text: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in lg.commitments() if c["text"] == text)["targets"][0]
    return found


@pytest.fixture()
def url(built: Path, tmp_path: Path) -> str:
    copy = tmp_path / "ledger.db"
    shutil.copy(built, copy)
    return f"sqlite:///{copy}"


@pytest.fixture()
def client(url: str) -> Iterator[TestClient]:
    with make_client(url) as c:
        yield c


def upload(client: TestClient, token: str, content: str | bytes, name: str = "obs.csv") -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post("/indicators", data={"csrf": token}, files={"file": (name, data, "text/csv")})


def flash(client: TestClient) -> str:
    found = re.search(r'<p class="flash flash-(\w+)" role="status">(.*?)</p>', client.get("/indicators").text, re.S)
    assert found is not None
    return f"{found.group(1)}: {found.group(2)}"


def indicator_id(client: TestClient, name: str) -> int:
    found: int = next(i["id"] for i in client.get("/api/v1/indicators").json()["items"] if i["name"] == name)
    return found


def test_indicators_list_and_page_show_the_series_sources_and_tracked_targets(client: TestClient, url: str) -> None:
    with Ledger(url) as lg:
        trade = target_of(lg, TRADE)
        commitment = next(c["id"] for c in lg.commitments() if c["text"] == TRADE)
    listing = client.get("/indicators")
    assert listing.status_code == 200
    row = re.search(r"<tr>\s*<td><a href=\"/indicators/(\d+)\">PT-MA bilateral trade</a></td>(.*?)</tr>",
                    listing.text, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(2), re.S)]
    assert cells == ["USD", "yearly", "2", "US$2 billion (2025-12-31)", f"target {trade['id']}"]
    assert f'href="/commitments/{commitment}#target-{trade["id"]}"' in row.group(2)
    assert 'href="/api/v1/indicators"' in listing.text

    ident = int(row.group(1))
    page = client.get(f"/indicators/{ident}")
    assert page.status_code == 200
    assert '<svg class="indicator-chart"' in page.text
    points = re.search(r'<polyline class="series" points="([^"]+)"', page.text)
    assert points is not None and len(points.group(1).split()) == 2  # one point a period
    assert page.text.count('<circle class="point"') == 2
    assert f"target {trade['id']}: US$4 billion" in page.text  # the target as a dashed line
    rows = re.findall(r'<tr><td class="nowrap">([^<]+)</td><td class="num"[^>]*>([^<]+)</td><td class="url"[^>]*>([^<]+)</td>',
                      page.text)
    assert rows == [("2024-12-31", "1,500,000,000.00", "customs statistics"),
                    ("2025-12-31", "2,000,000,000.00", "INE trade bulletin")]
    assert f'<a href="/commitments/{commitment}#target-{trade["id"]}">commitment {commitment}</a>' in page.text
    assert 'aria-valuenow="50.0"' in page.text
    assert f'href="/api/v1/indicators/{ident}"' in page.text

    twin = client.get(f"/api/v1/indicators/{ident}").json()
    assert (twin["name"], twin["unit"], twin["latest_period"], twin["latest_value"]) == (
        "PT-MA bilateral trade", "USD", "2025-12-31", 2000000000.0)
    assert [(o["period"], o["source"]) for o in twin["observations"]] == [
        ("2024-12-31", "customs statistics"), ("2025-12-31", "INE trade bulletin")]
    assert [(t["id"], t["commitment"], t["progress"]["percent"]) for t in twin["targets"]] == [
        (trade["id"], commitment, "50.00")]
    assert client.get("/indicators/999").status_code == 404
    assert client.get("/api/v1/indicators/999").json()["error"]["status"] == 404


def test_an_editor_uploads_a_csv_and_its_observations_are_stored(client: TestClient) -> None:
    token = sign_in(client)
    response = upload(client, token, GOOD_CSV, "solar.csv")
    assert (response.status_code, response.headers["location"]) == (303, "/indicators")
    assert flash(client) == "ok: solar.csv: 3 observations added."
    solar = client.get(f"/api/v1/indicators/{indicator_id(client, 'PT-MA solar capacity')}").json()
    assert (solar["unit"], solar["frequency"]) == ("MW", "yearly")
    assert [(o["period"], o["value"], o["source"]) for o in solar["observations"]] == [
        ("2024-12-31", 120.0, "energy agency report"), ("2025-12-31", 250.0, "energy agency report"),
        ("2025-12-31", 260.0, "grid operator")]
    assert solar["latest_value"] == 260.0  # the latest recorded of the last period
    again = upload(client, token, GOOD_CSV, "solar.csv")
    assert again.status_code == 303
    assert flash(client) == "ok: solar.csv: 0 observations added (3 already in the ledger)."
    assert len(client.get(f"/api/v1/indicators/{solar['id']}").json()["observations"]) == 3


def test_viewers_and_anonymous_users_can_neither_upload_nor_link(client: TestClient, url: str) -> None:
    with Ledger(url) as lg:
        solar = target_of(lg, SOLAR)
        commitment = next(c["id"] for c in lg.commitments() if c["text"] == SOLAR)
    link = f"/commitments/{commitment}/targets/{solar['id']}/indicator"
    page = client.get("/indicators").text
    assert 'action="/indicators"' not in page and 'href="/login?next=/indicators"' in page
    token = csrf(client)
    assert upload(client, token, GOOD_CSV).status_code == 401
    assert client.post(link, data={"csrf": token, "indicator": "1"}).status_code == 401

    token = sign_in(client, "vera")
    assert "Signed in as a viewer" in client.get("/indicators").text
    assert 'class="target-link"' not in client.get(f"/commitments/{commitment}").text
    assert upload(client, token, GOOD_CSV).status_code == 403
    assert client.post(link, data={"csrf": token, "indicator": "1"}).status_code == 403
    names = [i["name"] for i in client.get("/api/v1/indicators").json()["items"]]
    assert names == ["PT-MA bilateral trade"]
    assert client.get(f"/api/v1/commitments/{commitment}").json()["targets"][0]["indicator"] is None


def test_an_editor_form_without_its_security_token_is_refused(client: TestClient) -> None:
    sign_in(client)
    assert upload(client, "forged", GOOD_CSV).status_code == 403
    assert client.post("/indicators", files={"file": ("a.csv", GOOD_CSV.encode(), "text/csv")}).status_code == 403
    assert [i["name"] for i in client.get("/api/v1/indicators").json()["items"]] == ["PT-MA bilateral trade"]


HEAD = "indicator,period,value,source\n"
GOOD = "PT-MA wind capacity,2024,80,energy agency report\n"
BAD_FILES = {
    "a value that is no number": (HEAD + GOOD + GOOD.replace("2024", "2025") + "PT-MA wind capacity,2026,lots,x\n",
                                  "bad.csv, row 4: the value 'lots' is not a number; nothing was imported"),
    "a month that does not exist": (HEAD + GOOD + "PT-MA wind capacity,2025-13,90,energy agency report\n",
                                    "bad.csv, row 3: the period '2025-13' is not a year, a month or a date (2025, "
                                    "2025-06, 2025-06-30); nothing was imported"),
    "no source": (HEAD + GOOD + "PT-MA wind capacity,2025,90,\n",
                  "bad.csv, row 3: the source is empty; nothing was imported"),
    "a short row": (HEAD + GOOD + "PT-MA wind capacity,2025\n",
                    "bad.csv, row 3: the value is empty; nothing was imported"),
    "not a number at all": (HEAD + GOOD + "PT-MA wind capacity,2025,NaN,energy agency report\n",
                            "bad.csv, row 3: the value 'NaN' is not a number; nothing was imported"),
    "a missing column": ("indicator,period,amount,source\n" + GOOD,
                         "bad.csv: the first row must name the columns indicator, period, value, source "
                         "(missing: value); nothing was imported"),
    "no rows": (HEAD, "bad.csv: no observations below the header row; nothing was imported"),
    "another unit for a known indicator": (
        "indicator,period,value,source,unit\n" + GOOD.rstrip() + ",MW\n"
        "PT-MA bilateral trade,2026,2500000000,customs statistics,EUR\n",
        "bad.csv, row 3: indicator 'PT-MA bilateral trade' is measured in USD, not EUR; nothing was imported"),
    "a unit longer than the ledger keeps": (
        "indicator,period,value,source,unit\n" + GOOD.rstrip() + ",megawatts of installed capacity\n",
        "bad.csv, row 2: the unit 'megawatts of installed capacity' is longer than 16 characters; "
        "nothing was imported"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_row_stores_nothing_and_is_named_in_one_sentence(client: TestClient, case: str, url: str) -> None:
    content, message = BAD_FILES[case]
    token = sign_in(client)
    before = client.get("/api/v1/indicators").json()["items"]
    response = upload(client, token, content, "bad.csv")
    assert (response.status_code, response.headers["location"]) == (303, "/indicators")
    page = client.get("/indicators").text
    shown = re.search(r'<p class="flash flash-error" role="status">(.*?)</p>', page, re.S)
    assert shown is not None and shown.group(1) == message.replace("'", "&#39;")
    assert "Traceback" not in page and url.removeprefix("sqlite:///") not in page
    assert client.get("/api/v1/indicators").json()["items"] == before


def test_a_file_not_in_utf8_is_refused_in_words(client: TestClient) -> None:
    token = sign_in(client)
    upload(client, token, (HEAD + "PT-MA wind capacity,2024,80,Agência\n").encode("latin-1"), "latin.csv")
    assert flash(client) == "error: latin.csv, line 2: not UTF-8 text; save the file as CSV UTF-8; nothing was imported"


def test_hostile_names_and_sources_are_escaped_and_hostile_file_names_cut_to_their_last_part(
        client: TestClient) -> None:
    token = sign_in(client)
    hostile = (HEAD + '"<script>alert(1)</script>",2025,5,"<img src=x onerror=alert(2)>"\n'
               "PT-MA port calls,2025,5,\"javascript:alert(3)\"\n")
    upload(client, token, hostile, "..\\..\\etc\\<b>x.csv")
    assert flash(client) == "ok: &lt;b&gt;x.csv: 2 observations added."
    listing = client.get("/indicators").text
    assert "<script>alert(1)" not in listing and "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    page = client.get(f"/indicators/{indicator_id(client, '<script>alert(1)</script>')}").text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    calls = client.get(f"/indicators/{indicator_id(client, 'PT-MA port calls')}").text
    assert 'href="javascript:' not in calls  # a source is text, never a link of its own


def test_a_file_over_the_upload_limit_is_refused_and_stores_nothing(url: str) -> None:
    with make_client(url, max_upload_bytes=2_000) as small:
        token = sign_in(small)
        rows = "".join(f"PT-MA wind capacity,{year},80,energy agency report\n" for year in range(1900, 2000))
        assert len(HEAD + rows) > 2_000
        refused = upload(small, token, HEAD + rows)
        assert refused.status_code == 413
        assert "over the limit of 2000 bytes" in refused.text
        huge = upload(small, token, HEAD + rows * 40)  # past the form's slack too: refused as it arrives
        assert huge.status_code == 413
        assert [i["name"] for i in small.get("/api/v1/indicators").json()["items"]] == ["PT-MA bilateral trade"]


def test_linking_a_target_on_its_commitment_page_moves_its_progress(client: TestClient, url: str) -> None:
    with Ledger(url) as lg:
        solar = target_of(lg, SOLAR)
        trade = target_of(lg, TRADE)
        commitment = next(c["id"] for c in lg.commitments() if c["text"] == SOLAR)
    token = sign_in(client)
    page = client.get(f"/commitments/{commitment}").text
    assert f'<li id="target-{solar["id"]}">' in page and f"target {solar['id']}" in page
    assert "No measurements linked yet." in page and 'role="progressbar"' not in page
    assert f'action="/commitments/{commitment}/targets/{solar["id"]}/indicator"' in page
    upload(client, token, GOOD_CSV)
    solar_indicator = indicator_id(client, "PT-MA solar capacity")
    assert f'<option value="{solar_indicator}">PT-MA solar capacity (MW)</option>' in client.get(
        f"/commitments/{commitment}").text

    link = f"/commitments/{commitment}/targets/{solar['id']}/indicator"
    response = client.post(link, data={"csrf": token, "indicator": str(solar_indicator)})
    assert (response.status_code, response.headers["location"]) == (
        303, f"/commitments/{commitment}#target-{solar['id']}")
    page = client.get(f"/commitments/{commitment}").text
    assert f"Target {solar['id']} is tracked by PT-MA solar capacity." in page
    assert 'aria-valuenow="52.0"' in page and '<span style="width: 52.0%"></span>' in page  # 260 MW of 500
    assert "52.00 %" in page
    shown = client.get(f"/api/v1/commitments/{commitment}").json()["targets"][0]
    assert (shown["indicator"], shown["progress"]["percent"]) == (solar_indicator, "52.00")
    assert f'<a href="/commitments/{commitment}#target-{solar["id"]}">target {solar["id"]}</a>' in \
        client.get("/indicators").text

    # A target of another commitment, an indicator that isn't there, no choice, no token: nothing changes
    other = f"/commitments/{commitment}/targets/{trade['id']}/indicator"
    assert client.post(other, data={"csrf": token, "indicator": str(solar_indicator)}).status_code == 404
    assert client.post(link, data={"csrf": token, "indicator": "999"}).status_code == 404
    assert client.post(link, data={"csrf": token, "indicator": ""}).status_code == 303
    assert "Choose an indicator" in client.get(f"/commitments/{commitment}").text
    assert client.post(link, data={"indicator": "1"}).status_code == 403
    with Ledger(url) as lg:
        assert target_of(lg, TRADE)["progress"]["percent"] == "50.00"
        assert target_of(lg, SOLAR)["indicator"] == solar_indicator


def test_the_upload_is_all_or_nothing_in_both_databases(ledger_url: str) -> None:
    with Ledger(ledger_url) as lg:
        with pytest.raises(InputError, match=r"^obs\.csv, row 5: the value '12\.5\.1' is not a number"):
            lg.import_observations_data((GOOD_CSV + "PT-MA solar capacity,2026,12.5.1,x\n").encode(), "obs.csv")
        assert lg.indicators() == []
        assert lg.import_observations_data(GOOD_CSV.encode(), "obs.csv") == (3, 3)
        assert [len(i["observations"]) for i in lg.indicators()] == [3]


def test_show_prints_each_target_with_its_id(url: str, cli: Callable[..., Any]) -> None:
    with Ledger(url) as lg:
        by_text = {c["text"]: c for c in lg.commitments()}
    trade, solar = by_text[TRADE], by_text[SOLAR]
    tracked = cli("show", str(trade["id"]), "--db", url)
    assert tracked.returncode == 0, tracked.stderr
    indicator = trade["targets"][0]["indicator"]
    assert (f"target {trade['targets'][0]['id']}: bilateral trade 4,000,000,000 USD · indicator {indicator}, "
            "50.00 % done") in tracked.stdout
    untracked = cli("show", str(solar["id"]), "--db", url)
    target = solar["targets"][0]
    assert (f"target {target['id']}: {target['metric']} {target['value']:,} {target['unit']} · not tracked: "
            f"accord indicator link {target['id']} NAME") in untracked.stdout
