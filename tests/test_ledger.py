"""The ledger on SQLite and PostgreSQL: ingest, entities, merged commitments, decisions, crashes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accord.api import Ledger
from accord.ledger import tables as t

REPORT_A = """Thailand and Cambodia agree to lift trade, reopen crossings
PHNOM PENH, May 20, 2026 (Kampuchea Daily) - Cambodia and Thailand agreed on Wednesday to raise bilateral trade to US$15 billion by 2028.
The two sides will build the Poipet - Aranyaprathet railway link and open two new border crossings.
Prime Minister Hun Manet and Prime Minister Paetongtarn Shinawatra witnessed the signing of five agreements.
"""

REPORT_B = """Cambodia, Thailand vow closer rail and trade ties
BANGKOK, May 21, 2026 (Siam Wire) - Thailand and Cambodia pledged to push two-way trade to US$15 billion by 2028 and then to US$20 billion.
Both governments committed to completing the Poipet - Aranyaprathet railway link as soon as possible.
The ministers also agreed to hold a joint culture festival in Siem Reap next year.
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def count(ledger: Ledger, table: object) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_seeds_make_one_trade_commitment_and_one_to_lam(ledger_url: str, shared: Path) -> None:
    seeds = sorted((shared / "corpus" / "seeds").glob("*.txt"))
    with Ledger(ledger_url) as ledger:
        added = ledger.ingest(*map(str, seeds))
        assert [r.status for r in added] == ["added", "added"]
        trade = [c for c in ledger.commitments(pillar="economy_trade")
                 if any(tg["metric"] == "bilateral trade" for tg in c["targets"])]
        assert len(trade) == 1
        commitment = trade[0]
        assert commitment["documents"] == 2
        assert {tg["value"] for tg in commitment["targets"]} == {5_000_000_000, 10_000_000_000}
        for source in commitment["sources"]:
            doc_text = (shared / "corpus" / "seeds" / Path(
                next(d["source"] for d in ledger.documents() if d["id"] == source["document"])).name).read_text()
            assert doc_text[source["start"] : source["end"]] == source["text"]
        people = {e["name"]: e for e in ledger.entities(kind="person")}
        assert "Tô Lâm" in people and "To Lam" in people["Tô Lâm"]["aliases"]
        assert not any(name in ("To Lam", "Lam") for name in people)
        before = {table.name: count(ledger, table) for table in (t.documents, t.statements, t.commitments,
                                                                 t.mentions, t.entities)}
        again = ledger.ingest(*map(str, seeds))
        assert [r.status for r in again] == ["unchanged", "unchanged"]
        after = {table.name: count(ledger, table) for table in (t.documents, t.statements, t.commitments,
                                                                t.mentions, t.entities)}
        assert before == after


@pytest.mark.parametrize("numbers", ["native", "int8"])
def test_merging_on_the_seeds_scores_full_recall_and_no_false_merge(tmp_path: Path, shared: Path, cli, numbers: str,
                                                                   int8_cache: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if numbers == "int8":  # the embedding model with int8 weights in ONNX Runtime merges the seeds as well
        monkeypatch.setenv("ACCORD_EMBEDDING_INT8", "1")
        monkeypatch.setenv("ACCORD_CACHE_DIR", str(int8_cache))
    db = f"sqlite:///{tmp_path / 'seeds.db'}"
    assert cli("ingest", str(shared / "corpus" / "seeds"), "--db", db, "--quiet").returncode == 0
    result = cli("commitments", "--db", db, "--format", "json")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "commitments.json"
    out.write_text(result.stdout, encoding="utf-8")
    scored = subprocess.run([sys.executable, str(shared / "gold" / "score_merges.py"),
                             str(shared / "gold" / "merges.json"), str(out)], capture_output=True, text=True)
    assert "SUMMARY must_recall=1.000" in scored.stdout and "false_merges=0" in scored.stdout, scored.stdout


def test_two_reports_merge_and_decisions_hold(ledger_url: str, tmp_path: Path) -> None:
    a = write(tmp_path, "a.txt", REPORT_A)
    b = write(tmp_path, "b.txt", REPORT_B)
    with Ledger(ledger_url) as ledger:
        ledger.ingest(a, b)
        merged = [c for c in ledger.commitments() if c["documents"] == 2]
        texts = sorted(s["text"][:40] for c in merged for s in c["sources"])
        rail = next(c for c in merged if any("railway" in s["text"] for s in c["sources"]))
        trade = next(c for c in merged if c["targets"])
        assert {tg["value"] for tg in trade["targets"]} == {15e9, 20e9}, texts
        shown = ledger.commitment(rail["id"])
        assert any(r["rule"] in ("shared project or instrument", "similar wording") for r in shown["reasons"])
        assert any("Poipet" in r["detail"] for r in shown["reasons"]), shown["reasons"]
        # A person splits the railway statement of report B out, then merges it back elsewhere.
        b_statement = next(s["statement"] for s in rail["sources"] if "committed" in s["text"])
        alone = ledger.split(rail["id"], b_statement, by="analyst")
        assert [s["statement"] for s in alone["sources"]] == [b_statement]
        assert any(r["rule"] == "decision" for r in alone["reasons"])
        # A third report restating the railway joins the original, never the split-off statement's pair.
        c = write(tmp_path, "c.txt", "The two sides agreed to complete the Poipet - Aranyaprathet railway link.\n")
        ledger.ingest(c)
        after = ledger.commitment(rail["id"])
        assert b_statement not in [s["statement"] for s in after["sources"]]
        kept = ledger.merge(rail["id"], alone["id"], by="analyst")
        assert b_statement in [s["statement"] for s in kept["sources"]]


def test_search_and_entities(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.ingest(write(tmp_path, "a.txt", REPORT_A))
        hits = ledger.search("railway crossings")
        assert [h["text"][:30] for h in hits] == ["The two sides will build the P"]
        assert ledger.search("nothing-like-this") == []
        projects = [e["name"] for e in ledger.entities(kind="project")]
        assert "Poipet - Aranyaprathet railway link" in projects or "Poipet - Aranyaprathet railway" in projects


def test_a_bad_file_in_the_middle_keeps_what_was_committed(ledger_url: str, tmp_path: Path, cli) -> None:
    a = write(tmp_path, "a.txt", REPORT_A)
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\x00\x01binary")
    c = write(tmp_path, "c.txt", REPORT_B)
    stopped = cli("ingest", a, str(bad), c, "--db", ledger_url, "--stop-on-error")
    assert stopped.returncode == 2
    assert "binary" in stopped.stderr and "Traceback" not in stopped.stderr
    with Ledger(ledger_url) as ledger:
        assert [d["source"] for d in ledger.documents()] == [a]
    went_on = cli("ingest", a, str(bad), c, "--db", ledger_url)  # by default the run goes on, and says so
    assert went_on.returncode == 2 and "binary" in went_on.stderr
    assert "1 stored, 1 already in the ledger, 1 failed" in went_on.stdout
    with Ledger(ledger_url) as ledger:
        assert [d["source"] for d in ledger.documents()] == [a, c]


def test_a_documents_entities_cost_a_few_statements_however_many_it_names(ledger_url: str, tmp_path: Path) -> None:
    from sqlalchemy import event

    people = ["Amara Okafor", "Lars Eriksen", "Mei Tanaka", "Jorge Salas", "Priya Raman", "Olu Bello"]
    text = ("Kenya and Norway sign energy pact\nNAIROBI, March 3, 2026 (Coast Herald) - "
            + " ".join(f"Minister {name} said Kenya and Norway will build a solar plant in region {i}."
                       for i, name in enumerate(people, 1)) + "\n")
    seen: list[str] = []
    with Ledger(ledger_url) as ledger:
        event.listen(ledger.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: seen.append(statement.lower()))
        ledger.ingest(write(tmp_path, "k.txt", text))
        ran = list(seen)  # what ingest ran, not the listing below
        names = {e["name"] for e in ledger.entities(kind="person")}
    assert set(people) <= names  # every person is stored, with their own row
    reads = [s for s in ran if s.startswith("select") and "join" not in s
             and any(f"from {table}" in s for table in ("entities", "aliases"))]
    assert len(reads) == 2, reads  # the stored entities looked up, then their aliases: one read each
    if ledger_url.startswith("postgresql"):  # SQLite inserts rows with RETURNING one at a time, in process
        writes = [s for s in ran if any(f"insert into {table} " in s for table in ("entities", "aliases"))]
        assert len(writes) == 2, writes  # the new entities, then their aliases: one round trip each


def test_a_document_naming_thousands_of_entities_is_written_in_parts(ledger_url: str) -> None:
    # More entities than any database takes bound parameters for in one look-up (SQLite: 32,766).
    from accord.ledger import transaction
    from accord.ledger.write import _entity_ids
    from accord.resolve.entities import EntityRef

    refs = [EntityRef("person", f"Delegate {n:05d}", f"delegate {n:05d}", (f"D. {n:05d}",)) for n in range(17_000)]
    with Ledger(ledger_url) as ledger:
        with transaction(ledger.engine) as conn:
            ids = _entity_ids(conn, refs + refs[:10], {})
        assert len(ids) == len(set(ids.values())) == 17_000
        with transaction(ledger.engine) as conn:  # a later run, knowing nothing: the same rows, none added
            assert _entity_ids(conn, refs[::-1], {}) == ids
        assert count(ledger, t.entities) == 17_000 and count(ledger, t.aliases) == 34_000


def test_a_failure_inside_a_document_leaves_no_half_document(ledger_url: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import accord.ledger.write as write_module

    real = write_module._entity_ids

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)  # the document, its statements and its new entities are written by now
        raise RuntimeError("disk unplugged")

    with Ledger(ledger_url) as ledger:
        ledger.ingest(write(tmp_path, "a.txt", REPORT_A))
        before = {tb.name: count(ledger, tb) for tb in (t.documents, t.statements, t.mentions, t.commitments,
                                                    t.entities, t.aliases)}
        monkeypatch.setattr(write_module, "_entity_ids", failing)
        with pytest.raises(RuntimeError):
            ledger.ingest(write(tmp_path, "b.txt", REPORT_B))
        after = {tb.name: count(ledger, tb) for tb in (t.documents, t.statements, t.mentions, t.commitments,
                                                   t.entities, t.aliases)}
        assert before == after


def test_a_killed_ingest_leaves_whole_documents_only(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'killed.db'}"
    docs = []
    for i in range(6):
        docs.append(write(tmp_path, f"d{i}.txt", REPORT_A.replace("US$15 billion", f"US${15 + i} billion")))
    proc = subprocess.Popen([sys.executable, "-m", "accord", "ingest", *docs, "--db", db],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the first document is committed: kill during the next ones
    assert "document" in first
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with Ledger(db) as ledger:
        documents = ledger.documents()
        assert 1 <= len(documents) <= len(docs)
        for d in documents:
            assert d["statements"] == 4, d  # every stored document is whole: headline and three sentences
        with ledger.engine.connect() as conn:
            orphans = conn.execute(select(func.count()).select_from(t.statements).where(
                t.statements.c.document_id.not_in([d["id"] for d in documents]))).scalar_one()
        assert orphans == 0


def test_json_contracts(tmp_path: Path, cli) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    assert cli("ingest", write(tmp_path, "a.txt", REPORT_A), write(tmp_path, "b.txt", REPORT_B), "--db", db,
               "-q").returncode == 0
    items = json.loads(cli("commitments", "--db", db, "--format", "json").stdout)
    assert items
    for item in items:
        assert {"id", "text", "pillars", "actors", "status", "first_seen", "last_seen", "targets",
                "sources"} <= set(item)
        for s in item["sources"]:
            assert {"document", "title", "published", "start", "end", "text"} <= set(s)
        for tg in item["targets"]:
            assert {"metric", "value", "unit", "deadline"} <= set(tg)
    docs = json.loads(cli("documents", "--db", db, "--format", "json").stdout)
    for d in docs:
        assert {"id", "title", "outlet", "published", "place", "language", "sha256", "statements"} <= set(d)
    assert docs[0]["published"] == "2026-05-20" and docs[0]["outlet"] == "Kampuchea Daily"
    csv_out = cli("commitments", "--db", db, "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,text,pillars")
    shown = cli("show", str(items[0]["id"]), "--db", db)
    assert shown.returncode == 0 and "why these statements are one commitment" in shown.stdout
    missing = cli("show", "9999", "--db", db)
    assert missing.returncode == 2 and "no commitment 9999" in missing.stderr


def test_the_same_article_as_text_html_and_pdf_gives_the_same_statements(ledger_url: str, tmp_path: Path) -> None:
    from test_ingest_document import as_html, as_pdf, as_text

    statements = {}
    for suffix, data in (("txt", as_text()), ("html", as_html()), ("pdf", as_pdf())):
        path = tmp_path / f"article.{suffix}"
        path.write_bytes(data)
        url = ledger_url if suffix == "txt" else f"sqlite:///{tmp_path / (suffix + '.db')}"
        with Ledger(url) as ledger:
            [result] = ledger.ingest(str(path))
            assert result.status == "added"
            with ledger.engine.connect() as conn:
                rows = conn.execute(select(t.statements.c.text, t.statements.c.type, t.statements.c.pillars)
                                    .order_by(t.statements.c.seq)).all()
            statements[suffix] = [(r.text, r.type, sorted(r.pillars)) for r in rows]
    assert statements["txt"] and statements["txt"] == statements["html"] == statements["pdf"]
    assert sum(1 for _, kind, _ in statements["txt"] if kind == "commitment") >= 2


def test_same_kind_of_target_between_other_parties_is_another_commitment(ledger_url: str, tmp_path: Path) -> None:
    other = ("India and Japan set trade goal\nNEW DELHI, March 14, 2026 (PTI) - India and Japan agreed to raise "
             "bilateral trade to US$50 billion by 2030.\n")
    with Ledger(ledger_url) as ledger:
        ledger.ingest(write(tmp_path, "a.txt", REPORT_A), write(tmp_path, "b.txt", other))
        trade = [c for c in ledger.commitments() if c["targets"]]
        assert len(trade) == 2 and all(c["documents"] == 1 for c in trade)


def test_merging_a_commitment_with_history_keeps_its_history(ledger_url: str, tmp_path: Path) -> None:
    from accord.errors import InputError

    a = write(tmp_path, "a.txt", REPORT_A)
    with Ledger(ledger_url) as ledger:
        ledger.ingest(a)
        first, second = (c["id"] for c in ledger.commitments()[:2])
        ledger.status(second, "in_progress", "Ministry notice of 2 March", by="analyst")
        with pytest.raises(InputError, match=f"merge it the other way, {second} {first}"):
            ledger.merge(first, second, by="analyst")  # refused in words, nothing changed
        assert {c["id"] for c in ledger.commitments()} >= {first, second}
        kept = ledger.merge(second, first, by="analyst")
        assert kept["id"] == second and all(c["id"] != first for c in ledger.commitments())
        assert [(h["value"], h["by"]) for h in ledger.history(second)] == [("in_progress", "analyst")]
