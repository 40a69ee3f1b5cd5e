"""Keyset pages (accord.ledger.keyset) through /api/v1/commitments: every filter and order walks every row
exactly once, the status filter follows the status in force, a cursor the API did not give is a 400, and
the totals kept by triggers stay exact through every change a commitment goes through."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, insert, select, update
from test_search import add_document

from accord.api import Ledger
from accord.config import Settings
from accord.ledger import keyset
from accord.ledger import tables as t
from accord.ledger.store import transaction
from accord.web import create_app

PILLARS = (("economy_trade",), ("infrastructure_transport",), ("economy_trade", "energy_mining"), ())
RELATIONS = ("LAO-VNM", "IND-JPN", None)
N = 23


@pytest.fixture()
def client(ledger_url: str) -> Iterator[TestClient]:
    with Ledger(ledger_url) as lg:
        with transaction(lg.engine) as conn:
            for i in range(N):
                add_document(conn, [f"Commitment number {i} on roads and trade."], pillars=PILLARS[i % 4],
                             relation=RELATIONS[i % 3])
        for i in (2, 5, 11):  # 1-based commitment ids: a person records a status
            lg.status(i, "in_progress", "work began", by="ana")
        lg.status(5, "stalled", "work stopped", by="ana")  # the latest reviewed entry is in force
    with TestClient(create_app(Settings(database_url=ledger_url, secret_key="k"))) as c:
        yield c


def walk(client: TestClient, path: str, limit: int) -> tuple[list[int], set[int]]:
    """Every id a walk from the first page to the last shows, in order, and the totals it said."""
    ids: list[int] = []
    totals: set[int] = set()
    cursor = None
    while True:
        sep = "&" if "?" in path else "?"
        response = client.get(f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.text
        body = response.json()
        ids += [c["id"] for c in body["items"]]
        totals.add(body["total"])
        cursor = body["next"]
        assert ("Link" in response.headers) == (cursor is not None)
        if cursor is None:
            return ids, totals


def expected(pillar: str | None = None, relation: str | None = None, status: str | None = None) -> list[int]:
    statuses = {2: "in_progress", 5: "stalled", 11: "in_progress"}
    return [i + 1 for i in range(N) if (pillar is None or pillar in PILLARS[i % 4])
            and (relation is None or RELATIONS[i % 3] == relation)
            and (status is None or statuses.get(i + 1, "announced") == status)]


@pytest.mark.parametrize("limit", [1, 4, 50])
def test_every_filter_and_order_walks_every_row_once(client: TestClient, limit: int) -> None:
    for query, kept in (("", expected()), ("pillar=economy_trade", expected(pillar="economy_trade")),
                        ("pillar=energy_mining", expected(pillar="energy_mining")),
                        ("relation=LAO-VNM", expected(relation="LAO-VNM")),
                        ("status=in_progress", expected(status="in_progress")),
                        ("status=announced&pillar=economy_trade", expected("economy_trade", status="announced")),
                        ("pillar=economy_trade&relation=IND-JPN&status=announced",
                         expected("economy_trade", "IND-JPN", "announced")),
                        ("q=roads", expected()), ("q=trade&relation=LAO-VNM", expected(relation="LAO-VNM")),
                        ("actor=nobody", []), ("since=2020-01-01&pillar=energy_mining", expected(pillar="energy_mining"))):
        for sort, order in (("id", kept), ("-id", kept[::-1])):
            ids, totals = walk(client, f"/api/v1/commitments?sort={sort}&{query}", limit)
            assert ids == order, (query, sort)
            assert totals == {len(kept)}, (query, sort)


def test_the_status_filter_follows_the_status_in_force(client: TestClient) -> None:
    assert [c["id"] for c in client.get("/api/v1/commitments?status=stalled").json()["items"]] == [5]
    for item in client.get("/api/v1/commitments?status=in_progress&limit=500").json()["items"]:
        assert item["status"] == "in_progress"  # the column the index reads agrees with the history


BAD = ["%%%", "abc", base64.urlsafe_b64encode(b"12").decode(),  # an offset cursor of the old lists
       base64.urlsafe_b64encode(b'{"o":"id","id":-1}').decode(), base64.urlsafe_b64encode(b'{"o":"id","id":1.5}').decode(),
       base64.urlsafe_b64encode(b'{"o":"id","id":99999999999}').decode(), base64.urlsafe_b64encode(b'{"o":"x","id":1}').decode(),
       base64.urlsafe_b64encode(b'{"o":"id","id":1,"more":2}').decode(), base64.urlsafe_b64encode(b"[1,2]").decode(),
       base64.urlsafe_b64encode(json.dumps({"o": "id", "id": "1"}).encode()).decode(), "x" * 201]


def test_a_cursor_the_api_did_not_give_is_400_in_one_sentence(client: TestClient) -> None:
    for cursor in BAD:
        for path, params in (("/api/v1/commitments", {}), ("/api/v1/search", {"q": "trade"})):
            response = client.get(path, params={**params, "cursor": cursor})
            if len(cursor) > 200:
                assert response.status_code == 422  # over the parameter's length, refused before it is read
                continue
            assert response.status_code == 400, (path, cursor, response.text)
            message = response.json()["error"]["message"]
            assert message == "cursor: not a cursor this API gave; start again without one", (path, cursor)
    newest = client.get("/api/v1/commitments?sort=-id&limit=2").json()["next"]
    response = client.get(f"/api/v1/commitments?sort=id&cursor={newest}")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == ("cursor: it pages the list sorted by -id, not by id; "
                                                   "start again without one")


# -- totals kept by triggers (revision 0007) -----------------------------------------------------------

def totals(lg: Ledger) -> dict[str, int]:
    """Each list's total as the API answers it, after checking every kept total against a fresh count."""
    with lg.engine.connect() as conn:
        kept, fresh = keyset.kept_counts(conn), keyset.fresh_counts(conn)
    assert kept == fresh
    lists = {"all": {}, "LAO-VNM": {"relation": "LAO-VNM"}, "IND-JPN": {"relation": "IND-JPN"},
             "KHM-THA": {"relation": "KHM-THA"}, "economy_trade": {"pillar": "economy_trade"},
             "infrastructure_transport": {"pillar": "infrastructure_transport"},
             "energy_mining": {"pillar": "energy_mining"}, "announced": {"status": "announced"},
             "in_progress": {"status": "in_progress"}, "stalled": {"status": "stalled"}}
    return {name: lg.commitments_page(**given)[1] for name, given in lists.items()}  # type: ignore[arg-type]


def test_totals_stay_exact_through_inserts_statuses_merges_splits_moves_and_deletes(ledger_url: str) -> None:
    C = t.commitments
    with Ledger(ledger_url) as lg:
        with transaction(lg.engine) as conn:
            lao = add_document(conn, ["Build the railway.", "Open the border.", "Raise trade."])  # commitments 1-3
            add_document(conn, ["Dredge the port.", "Pave the road."], relation="IND-JPN",
                         pillars=("infrastructure_transport", "economy_trade"))  # 4-5
            add_document(conn, ["Meet again."], relation=None, pillars=())  # 6
        assert totals(lg) == {"all": 6, "LAO-VNM": 3, "IND-JPN": 2, "KHM-THA": 0, "economy_trade": 5,
                              "infrastructure_transport": 2, "energy_mining": 0, "announced": 6, "in_progress": 0,
                              "stalled": 0}
        lg.status(1, "in_progress", "work began", by="ana")
        lg.status(4, "stalled", "work stopped", by="ana")
        lg.status(4, "in_progress", "work again", by="ana")
        assert totals(lg) == {"all": 6, "LAO-VNM": 3, "IND-JPN": 2, "KHM-THA": 0, "economy_trade": 5,
                              "infrastructure_transport": 2, "energy_mining": 0, "announced": 4, "in_progress": 2,
                              "stalled": 0}
        lg.merge(2, 3, by="ana")  # 3 is removed, its statement joins 2
        lg.merge(5, 6, by="ana")  # across relations, as a person may: 6 had no relation and no pillar
        assert totals(lg) == {"all": 4, "LAO-VNM": 2, "IND-JPN": 2, "KHM-THA": 0, "economy_trade": 4,
                              "infrastructure_transport": 2, "energy_mining": 0, "announced": 2, "in_progress": 2,
                              "stalled": 0}
        split = lg.split(2, lao[2], by="ana")["id"]  # a new commitment of its own
        assert totals(lg) == {"all": 5, "LAO-VNM": 3, "IND-JPN": 2, "KHM-THA": 0, "economy_trade": 5,
                              "infrastructure_transport": 2, "energy_mining": 0, "announced": 3, "in_progress": 2,
                              "stalled": 0}
        # Document 2 moves to KHM-THA: commitment 4 (its alone) moves with it; commitment 5 keeps document 3's
        # statement and stays, and document 2's statement leaves it for a new commitment (8) of KHM-THA.
        lg.set_parties(2, ["THA", "KHM"], by="ana")
        assert totals(lg) == {"all": 6, "LAO-VNM": 3, "IND-JPN": 1, "KHM-THA": 2, "economy_trade": 5,
                              "infrastructure_transport": 2, "energy_mining": 0, "announced": 4, "in_progress": 2,
                              "stalled": 0}
        with transaction(lg.engine) as conn:  # SQL as any program may write it, one row and many at a time
            conn.execute(update(C).where(C.c.id == split).values(pillars=["energy_mining"]))
            conn.execute(update(C).where(C.c.relation == "KHM-THA").values(status="stalled"))
            last = conn.execute(select(func.max(C.c.id))).scalar_one()
            conn.execute(insert(C).from_select(["text", "pillars", "status", "created_at", "relation"],
                                               select(C.c.text, C.c.pillars, C.c.status, C.c.created_at, C.c.relation)
                                               .order_by(C.c.id)))  # every commitment again, in one statement
        assert totals(lg) == {"all": 12, "LAO-VNM": 6, "IND-JPN": 2, "KHM-THA": 4, "economy_trade": 8,
                              "infrastructure_transport": 4, "energy_mining": 2, "announced": 6, "in_progress": 2,
                              "stalled": 4}
        with transaction(lg.engine) as conn:
            conn.execute(delete(C).where(C.c.id > last))  # the copies, none with a statement, in one statement
        assert totals(lg) == {"all": 6, "LAO-VNM": 3, "IND-JPN": 1, "KHM-THA": 2, "economy_trade": 4,
                              "infrastructure_transport": 2, "energy_mining": 1, "announced": 3, "in_progress": 1,
                              "stalled": 2}
        assert [p for p in lg.check() if p.kind == "count"] == []


def test_a_list_with_two_filters_or_search_words_is_counted(client: TestClient) -> None:
    for query, kept in (("pillar=economy_trade&relation=IND-JPN", expected("economy_trade", "IND-JPN")),
                        ("status=in_progress&relation=IND-JPN", expected(relation="IND-JPN", status="in_progress")),
                        ("q=trade&pillar=energy_mining", expected(pillar="energy_mining"))):
        assert client.get(f"/api/v1/commitments?{query}").json()["total"] == len(kept), query


def test_many_history_entries_in_one_insert_set_the_status_a_row_at_a_time_would(ledger_url: str) -> None:
    """PostgreSQL sets the status in force once per INSERT (revision 0009): among a commitment's new entries
    a person's wins over an automatic one, the latest of them wins, and an automatic entry never replaces a
    person's earlier one."""
    H, C = t.status_changes, t.commitments
    with Ledger(ledger_url) as lg:
        with transaction(lg.engine) as conn:
            add_document(conn, [f"Commitment number {i}." for i in range(4)])
        lg.status(4, "stalled", "work stopped", by="ana")  # a person set 4 before
        entries = [(1, "in_progress", "reviewed"), (1, "fulfilled", "automatic"), (2, "in_progress", "automatic"),
                   (2, "partial", "automatic"), (3, "stalled", "reviewed"), (3, "abandoned", "reviewed"),
                   (4, "fulfilled", "automatic")]
        with transaction(lg.engine) as conn:  # one INSERT of many rows, as a bulk load writes them
            conn.execute(insert(H), [{"commitment_id": c, "field": "status", "value": v, "evidence": "seen",
                                      "observed": date(2026, 1, 1), "origin": o, "recorded_at": datetime.now(UTC)}
                                     for c, v, o in entries])
            statuses = dict(conn.execute(select(C.c.id, C.c.status)).all())
        assert statuses == {1: "in_progress", 2: "partial", 3: "abandoned", 4: "stalled"}
        assert totals(lg)["in_progress"] == 1 and totals(lg)["stalled"] == 1
