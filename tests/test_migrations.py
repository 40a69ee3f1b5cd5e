"""Revisions on ledgers that already hold data: a 0005 ledger with statements, commitments and a status
history upgrades in place to 0006, and its search, pillar and status filters answer at once; 0007 fills the
commitments list's totals from the rows there, 0008 the search words' counts (PostgreSQL), and each goes
down and up again."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, inspect, select, text, update
from test_search import SENTENCES, add_document

from accord.api import Ledger
from accord.ledger import keyset, store
from accord.ledger import tables as t
from accord.ledger.store import now, transaction


def engine_of(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":  # as open_engine does: transactions Alembic can roll back
        event.listen(engine, "connect", store._sqlite_connect)
        event.listen(engine, "begin", store._sqlite_begin)
    return engine


def migrate(engine: Engine, to: str, *, down: bool = False) -> None:
    """Up (or down) to revision `to`, in one write transaction as `store.upgrade` runs it."""
    from alembic import command

    config = store._migrations()
    with transaction(engine) as conn:
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, to)


def test_a_0005_ledger_with_data_upgrades_and_searches(ledger_url: str) -> None:
    engine = engine_of(ledger_url)
    migrate(engine, "0005")
    with transaction(engine) as conn:
        assert store.revision(conn) == "0005"
        ids = add_document(conn, SENTENCES, pillars=("economy_trade", "energy_mining"))
        commitments = [c for (c,) in conn.execute(select(t.statements.c.commitment_id).order_by(t.statements.c.id))]
        history = [(commitments[0], "in_progress", "reviewed"), (commitments[0], "partial", "automatic"),
                   (commitments[1], "stalled", "automatic")]
        for commitment, value, origin in history:  # rows as 0005 wrote them (the chain is not checked here)
            conn.execute(t.status_changes.insert().values(
                commitment_id=commitment, field="status", value=value, evidence="seen", observed=now().date(),
                origin=origin, recorded_at=now()))
    engine.dispose()
    with Ledger(ledger_url) as ledger:  # opening it upgrades it
        with ledger.engine.connect() as conn:
            assert store.revision(conn) == store.head() == "0009"
            statuses = dict(conn.execute(select(t.commitments.c.id, t.commitments.c.status)).all())
            pillars = conn.execute(text("SELECT count(*) FROM commitment_pillars WHERE pillar = 'energy_mining'")).scalar()
        assert statuses[commitments[0]] == "in_progress"  # a person's entry outranks a later automatic one
        assert statuses[commitments[1]] == "stalled"
        assert set(statuses.values()) == {"in_progress", "stalled", "announced"}
        assert pillars == len(SENTENCES)
        assert [h["id"] for h in ledger.search("railway")] == [ids[1], ids[0]]
        assert [c["id"] for c in ledger.commitments_page(pillar="energy_mining", status="stalled")[0]] == [commitments[1]]
        with transaction(ledger.engine) as conn:  # and the triggers run from now on
            add_document(conn, ["A new railway to the sea."], pillars=("infrastructure_transport",))
        assert len(ledger.search("railway")) == 3
        assert ledger.commitments_page(pillar="infrastructure_transport")[1] == 1
        assert [p for p in ledger.check() if p.kind == "search"] == []


def test_0007_fills_the_totals_from_the_rows_and_goes_down_and_up_again(ledger_url: str) -> None:
    engine = engine_of(ledger_url)
    migrate(engine, "0006")
    with transaction(engine) as conn:
        add_document(conn, SENTENCES[:4], pillars=("economy_trade", "energy_mining"))
        add_document(conn, SENTENCES[4:], relation=None, pillars=())
        conn.execute(update(t.commitments).where(t.commitments.c.id <= 2).values(status="stalled"))
    migrate(engine, "0007")
    expected = {("all", ""): 6, ("status", "stalled"): 2, ("status", "announced"): 4, ("relation", "LAO-VNM"): 4,
                ("pillar", "economy_trade"): 4, ("pillar", "energy_mining"): 4}
    with engine.connect() as conn:
        assert keyset.kept_counts(conn) == keyset.fresh_counts(conn) == expected
    migrate(engine, "0006", down=True)
    with engine.connect() as conn:
        assert store.revision(conn) == "0006" and "commitment_counts" not in inspect(conn).get_table_names()
    with transaction(engine) as conn:  # 0006's pillar trigger is back, and nothing counts
        add_document(conn, ["A new railway to the sea."], pillars=("infrastructure_transport",))
        assert conn.execute(text("SELECT count(*) FROM commitment_pillars WHERE pillar = 'infrastructure_transport'")
                            ).scalar_one() == 1
    engine.dispose()
    with Ledger(ledger_url) as ledger:  # opening it upgrades it again
        with ledger.engine.connect() as conn:
            assert store.revision(conn) == store.head()
            assert keyset.kept_counts(conn) == {**expected, ("all", ""): 7, ("status", "announced"): 5,
                                                ("relation", "LAO-VNM"): 5, ("pillar", "infrastructure_transport"): 1}
        assert ledger.commitments_page(pillar="economy_trade")[1] == 4
        assert ledger.check() == []


def test_0008_counts_the_words_there_and_goes_down_and_up_again(ledger_url: str) -> None:
    engine = engine_of(ledger_url)
    migrate(engine, "0007")
    with transaction(engine) as conn:
        add_document(conn, SENTENCES)
    migrate(engine, "0008")
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        assert ("search_words" in inspect(conn).get_table_names()) == postgres  # FTS5 counts on SQLite
        if postgres:  # PostgreSQL's own word statistics agree
            words = dict(conn.execute(text("SELECT word, n FROM search_words")).all())
            assert words == dict(conn.execute(text("SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM "
                                                   "statements')")).all())
            assert (words["railway"], words["trade"], words["cybercrim"]) == (2, 3, 1)
    migrate(engine, "0007", down=True)
    with engine.connect() as conn:
        assert store.revision(conn) == "0007" and "search_words" not in inspect(conn).get_table_names()
    with transaction(engine) as conn:
        add_document(conn, ["A new railway to the sea."], pillars=("infrastructure_transport",))
    engine.dispose()
    with Ledger(ledger_url) as ledger:  # up again: the statement added meanwhile is counted
        assert ledger.search_count("railway") == (3, True) and ledger.search_count("sea") == (1, True)
        assert ledger.check() == []


def test_0009_goes_down_to_the_row_trigger_and_up_again(ledger_url: str) -> None:
    """The status in force is set by 0009's statement trigger (PostgreSQL), by 0006's row trigger after going
    down, and by the statement trigger again after going up."""
    engine = engine_of(ledger_url)
    migrate(engine, "0009")
    with transaction(engine) as conn:
        add_document(conn, SENTENCES[:3])
    for step, (to, down) in enumerate((("0008", True), ("0009", False))):
        migrate(engine, to, down=down)
        with transaction(engine) as conn:
            conn.execute(t.status_changes.insert().values(
                commitment_id=step + 1, field="status", value="stalled", evidence="seen", observed=now().date(),
                origin="automatic", recorded_at=now()))
            assert conn.execute(select(t.commitments.c.status).where(t.commitments.c.id == step + 1)).scalar() \
                == "stalled", to
    with engine.connect() as conn:
        assert keyset.kept_counts(conn) == keyset.fresh_counts(conn)
        assert keyset.kept_counts(conn)[("status", "stalled")] == 2
    engine.dispose()
