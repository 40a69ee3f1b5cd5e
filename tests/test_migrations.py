"""Revision 0006 on a ledger that already holds data: a 0005 ledger with statements, commitments and a
status history upgrades in place, and its search, pillar and status filters answer at once."""

from __future__ import annotations

from sqlalchemy import create_engine, select, text
from test_search import SENTENCES, add_document

from accord.api import Ledger
from accord.ledger import store
from accord.ledger import tables as t
from accord.ledger.store import now, transaction


def test_a_0005_ledger_with_data_upgrades_and_searches(ledger_url: str) -> None:
    from alembic import command

    engine = create_engine(ledger_url)
    if engine.dialect.name == "sqlite":  # as open_engine does: transactions Alembic can roll back
        from sqlalchemy import event

        event.listen(engine, "connect", store._sqlite_connect)
        event.listen(engine, "begin", store._sqlite_begin)
    config = store._migrations()
    with transaction(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")
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
            assert store.revision(conn) == store.head() == "0006"
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
