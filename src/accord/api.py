"""The Python API: `Ledger(url)` with the verbs of the CLI, which is a thin layer over it."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from accord.errors import InputError
from accord.ledger import DEFAULT_URL, open_engine
from accord.ledger import queries as q
from accord.ledger import search as fts
from accord.ledger.integrity import Problem
from accord.ledger.store import ledger_url
from accord.process import IngestResult
from accord.process.ingest import OnError
from accord.process.scale import EngineName, Runner


class Ledger:
    """A ledger of documents, statements, entities and commitments in one database.

    `url` is a SQLAlchemy URL; default `ACCORD_DATABASE_URL`, else `accord.db` here.
    """

    def __init__(self, url: str | None = None, today: date | None = None) -> None:
        self.url = ledger_url(url or os.environ.get("ACCORD_DATABASE_URL") or DEFAULT_URL)
        self.engine = open_engine(self.url)
        self._today = today  # fixed "today" for flags and pace (tests, reports as of a date)

    @property
    def today(self) -> date:
        return self._today or date.today()

    def ingest(self, *sources: str, progress: Callable[[str], None] | None = None,
               outlet: str | None = None, on_error: OnError = "raise",
               report: Callable[[IngestResult], None] | None = None, engine: EngineName = "local",
               scheduler: str | None = None, workers: int | None = None,
               started: Callable[[Runner], None] | None = None) -> list[IngestResult]:
        """Ingest files, folders, URLs, and JSONL or Parquet files of documents (each record a document);
        each document in one transaction. `outlet` names the outlet of every one of them, over what their
        texts or pages say.

        A source that can't be read raises its InputError (`on_error="raise"`, the default), or is one
        result with status "failed" and its reason in `error`, the run going on with the rest
        (`"continue"`) or ending there (`"stop"`). What was stored before a failure stays stored; a text
        the ledger holds is "unchanged", so a run started again after it was stopped writes only the rest.
        `report` is told each result as soon as it is known, for a long run's log.

        Documents are read, extracted and embedded in parts, here (`engine="local"`) or on Dask
        (`"dask"`: the cluster at `scheduler`, or a local one of `workers` processes, told to `started`),
        and written here in order: either engine builds the same ledger.
        """
        from accord.process import expand_sources
        from accord.process.scale import check_url, ingest_job, runner

        found = expand_sources([str(s) for s in sources])
        run = runner(engine, scheduler, workers)
        try:
            if started is not None:
                started(run)
            results = []
            for result in ingest_job(self.engine, found, run, ledger_url=check_url(self.url), outlet=outlet,
                                     on_error=on_error):
                results.append(result)
                if report is not None:
                    report(result)
                if progress is not None:
                    progress(result.source)
            return results
        finally:
            run.close()

    def ingest_text(self, text: str, source: str = "pasted text") -> IngestResult:
        """Ingest a text held in memory (pasted, posted)."""
        from accord.ingest import text_document
        from accord.process import ingest_document

        return ingest_document(self.engine, text_document(text, source))

    def ingest_upload(self, data: bytes, filename: str) -> IngestResult:
        """Ingest an uploaded file (text, HTML or PDF, told by its name and first bytes); its messages and
        its source name `filename` (its last part), never a path on this machine."""
        from pathlib import PurePosixPath

        from accord.ingest import read_upload
        from accord.process import ingest_document

        name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
        return ingest_document(self.engine, read_upload(data, name))

    def document(self, document_id: int) -> dict[str, Any]:
        """A document with its text and every statement, mention and target."""
        with self.engine.connect() as conn:
            return q.document(conn, document_id)

    def document_text(self, document_id: int) -> str:
        """A document's text alone (what a page highlighting its sentences needs)."""
        with self.engine.connect() as conn:
            return q.document_text(conn, document_id)

    def actor_choices(self) -> list[str]:
        """Names the actor filter may be given: the people, organizations and places the ledger knows."""
        with self.engine.connect() as conn:
            return q.actor_choices(conn)

    def statements(self, document: int | None = None, type_: str | None = None, pillar: str | None = None,
                   limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return q.statements(conn, document, type_, pillar, limit, offset)

    def entity(self, entity_id: int) -> dict[str, Any]:
        """An entity with its aliases and everything that names it."""
        with self.engine.connect() as conn:
            return q.entity(conn, entity_id)

    def documents(self, relation: str | None = None) -> list[dict[str, Any]]:
        """Documents with their parties, relation and occasion (`relation` like "VNM-LAO": only its own)."""
        from accord.model import parse_relation

        with self.engine.connect() as conn:
            return q.documents(conn, relation=parse_relation(relation) if relation else None)

    def relations(self) -> list[dict[str, Any]]:
        """Every relation: parties, documents, occasions, commitments, first and last dates."""
        with self.engine.connect() as conn:
            return q.relations(conn)

    def relation(self, key: str) -> dict[str, Any]:
        """One relation ("VNM-LAO" or "LAO-VNM"): occasions on a timeline, commitments by pillar and status,
        targets with progress."""
        from accord.ledger import NotFound
        from accord.model import parse_relation
        from accord.track.view import enrich, totals

        relation = parse_relation(key)
        with self.engine.connect() as conn:
            found = next(iter(q.relations(conn, relation)), None) if relation else None
            if found is None:
                raise NotFound(f"no relation {key!r} in the ledger")
            items = enrich(conn, q.commitments(conn, relation=relation), self.today)
            timeline = q.occasions(conn, relation) if relation else []
        by_pillar: dict[str, dict[str, int]] = {}
        for item in items:
            for pillar in item["pillars"] or ["political"]:
                counts = by_pillar.setdefault(pillar, {})
                counts[item["status"]] = counts.get(item["status"], 0) + 1
        targets = [{**tg, "commitment": item["id"], "commitment_text": item["text"]}
                   for item in items for tg in item["targets"]]
        return {**found, "occasions": timeline, "occasion_count": found["occasions"],
                "commitments": items, "by_pillar": dict(sorted(by_pillar.items())), "targets": targets,
                "totals": [{"metric": m, "unit": u, "value": v} for (_r, m, u), v in sorted(totals(items).items())]}

    def set_parties(self, document_id: int, codes: list[str], by: str | None = None) -> dict[str, Any]:
        """Correct a document's parties (ISO 3166-1 alpha-3 codes or a bloc's acronym)."""
        from accord.process import set_document_parties

        set_document_parties(self.engine, document_id, codes, by)
        with self.engine.connect() as conn:
            return q.documents(conn, ids=[document_id])[0]

    def commitments(self, pillar: str | None = None, actor: str | None = None, since: date | None = None,
                    status: str | None = None, relation: str | None = None) -> list[dict[str, Any]]:
        """Commitments with relation, sources, targets (and their progress), status, stage and flags."""
        from accord.model import parse_relation
        from accord.track.view import enrich

        with self.engine.connect() as conn:
            items = enrich(conn, q.commitments(conn, pillar=pillar, actor=actor, since=since,
                                               relation=parse_relation(relation) if relation else None), self.today)
        return [c for c in items if status is None or c["status"] == status]

    def find_commitments(self, *, pillar: str | None = None, status: str | None = None, actor: str | None = None,
                         since: date | None = None, text: str | None = None, relation: str | None = None,
                         sort: str = "id", limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """The one query behind the commitments page: filters, order and a numbered page, with the total.

        Filters an index answers (pillar, status, relation, search words) run in SQL in id order and only
        the page is enriched; filters on computed fields (actor, since) or another order read the whole list.
        """
        from accord.ledger import keyset
        from accord.model import parse_relation
        from accord.track.view import sort_commitments

        key = parse_relation(relation) if relation else None
        if actor or since or sort not in ("id", "-id", ""):
            items = sort_commitments(self._computed(pillar, status, key, actor, since, text), sort)
            return items[offset : None if limit is None else offset + limit], len(items)
        filters = keyset.Filters(pillar, status, key)
        with self.engine.connect() as conn:
            matching = fts.commitments_matching(conn, text) if text else None
            ids = keyset.commitment_ids(conn, filters, newest_first=sort == "-id", limit=limit, offset=offset,
                                        matching=matching)
            total = keyset.count_commitments(conn, filters, matching)
            return self._page_of(conn, ids), total

    def commitments_page(self, *, pillar: str | None = None, status: str | None = None, relation: str | None = None,
                         actor: str | None = None, since: date | None = None, text: str | None = None,
                         newest_first: bool = False, after: int | None = None,
                         limit: int = 50) -> tuple[list[dict[str, Any]], int, int | None]:
        """One keyset page of the commitments list: up to `limit` commitments after the id `after` (newest
        first: before it), in id order; the total; and the id the next page starts after (None on the last).

        Pillar, status, relation and search words are answered by indexes, so a page costs the same at any
        depth and ledger size; actor and since are computed at read time and read the whole list.
        """
        from accord.ledger import keyset
        from accord.model import parse_relation

        key = parse_relation(relation) if relation else None
        if actor or since:
            items = sorted(self._computed(pillar, status, key, actor, since, text), key=lambda c: c["id"],
                           reverse=newest_first)
            rest = [c for c in items if after is None or (c["id"] < after if newest_first else c["id"] > after)]
            shown = rest[:limit]
            return shown, len(items), shown[-1]["id"] if len(rest) > limit else None
        filters = keyset.Filters(pillar, status, key)
        with self.engine.connect() as conn:
            matching = fts.commitments_matching(conn, text) if text else None
            ids = keyset.commitment_ids(conn, filters, newest_first=newest_first, after=after, limit=limit + 1,
                                        matching=matching)
            total = keyset.count_commitments(conn, filters, matching)
            items = self._page_of(conn, ids[:limit])
        return items, total, ids[limit - 1] if len(ids) > limit else None

    def _page_of(self, conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
        """The commitments `ids`, enriched, in the order given."""
        from accord.track.view import enrich

        found = {c["id"]: c for c in enrich(conn, q.commitments(conn, ids=ids), self.today)}
        return [found[i] for i in ids if i in found]

    def _computed(self, pillar: str | None, status: str | None, relation: str | None, actor: str | None,
                  since: date | None, text: str | None) -> list[dict[str, Any]]:
        """Every commitment the filters keep, enriched: for filters and orders on computed fields."""
        from accord.track.view import enrich

        with self.engine.connect() as conn:
            wanted = None
            if text:
                wanted = {int(i) for (i,) in conn.execute(fts.commitments_matching(conn, text))}
            items = enrich(conn, q.commitments(conn, pillar=pillar, actor=actor, since=since, relation=relation),
                           self.today)
        return [c for c in items if (status is None or c["status"] == status) and (wanted is None or c["id"] in wanted)]

    def commitment(self, commitment_id: int) -> dict[str, Any]:
        """One commitment with its merge reasons and its status history."""
        from accord.ledger import tracking
        from accord.track.view import enrich

        with self.engine.connect() as conn:
            item = enrich(conn, [q.commitment(conn, commitment_id)], self.today)[0]
            item["history"] = _plain_rows(tracking.history(conn, commitment_id))
        return item

    def history(self, commitment_id: int) -> list[dict[str, Any]]:
        """The append-only status and stage history, oldest first."""
        from accord.ledger import tracking

        with self.engine.connect() as conn:
            q.commitment(conn, commitment_id)  # NotFound for an unknown id
            return _plain_rows(tracking.history(conn, commitment_id))

    def status(self, commitment_id: int, value: str, evidence: str, *, field: str = "status",
               source: str | None = None, observed: date | None = None, by: str | None = None) -> dict[str, Any]:
        """Record a reviewed status (or stage) change; it supersedes, never edits, what was there."""
        from accord.process import record_status

        record_status(self.engine, commitment_id, value, evidence, field=field, source=source,
                      observed=observed, by=by)
        return self.commitment(commitment_id)

    def review(self, state: str | None = "pending") -> list[dict[str, Any]]:
        """Evidence candidates linked from documents, waiting for a person (or all with state=None)."""
        from accord.ledger import tracking

        with self.engine.connect() as conn:
            return _plain_rows(tracking.candidates(conn, state))

    def accept(self, candidate_id: int, by: str | None = None) -> dict[str, Any]:
        from accord.process import decide_evidence

        return _plain_rows([decide_evidence(self.engine, candidate_id, True, by)])[0]

    def reject(self, candidate_id: int, by: str | None = None) -> dict[str, Any]:
        from accord.process import decide_evidence

        return _plain_rows([decide_evidence(self.engine, candidate_id, False, by)])[0]

    def add_indicator(self, name: str, unit: str, frequency: str = "yearly",
                      description: str | None = None) -> int:
        from accord.ledger import tracking, transaction

        with transaction(self.engine) as conn:
            return tracking.add_indicator(conn, name, unit, frequency, description)

    def observe(self, indicator: str, period: str, value: str, source: str) -> None:
        """One observation ("2025", "1234567.89", "customs statistics")."""
        from decimal import Decimal

        from accord.ledger import tracking, transaction
        from accord.process import period_end, suggest_from_indicators

        with transaction(self.engine) as conn:
            indicator_id = tracking.indicator_id(conn, indicator)
            tracking.add_observation(conn, indicator_id, period_end(period), float(Decimal(value)), source)
            suggest_from_indicators(conn, {indicator_id})

    def import_observations(self, path: str) -> int:
        """Observations from a CSV file (indicator, period, value, source[, unit, frequency]), all or
        nothing; how many were new."""
        from pathlib import Path

        from accord.process import import_observations

        return import_observations(self.engine, Path(path))

    def import_observations_data(self, data: bytes, name: str) -> tuple[int, int]:
        """The same import from a CSV held in memory (an upload); `name` is the file's name in errors.
        (Observations added, rows read): a row already there adds nothing."""
        from accord.process import import_observation_data

        return import_observation_data(self.engine, data, name)

    def link_target(self, target_id: int, indicator: str | int) -> None:
        """Track a target against an indicator, named (str) or by its id (int)."""
        from accord.ledger import tracking, transaction
        from accord.process import suggest_from_indicators

        with transaction(self.engine) as conn:
            if isinstance(indicator, str):
                indicator_id = tracking.indicator_id(conn, indicator)
            else:
                indicator_id = int(tracking.indicator(conn, indicator)["id"])  # NotFound for an unknown id
            tracking.link_target(conn, target_id, indicator_id)
            suggest_from_indicators(conn, {indicator_id})

    def indicators(self) -> list[dict[str, Any]]:
        """Indicators with their observations, the latest of them, and the targets they track (target and
        commitment ids)."""
        from accord.ledger import tracking

        with self.engine.connect() as conn:
            found = tracking.indicators(conn)
            tracked = tracking.linked_targets(conn)
        return [{**i, **_latest(i["observations"]), "observations": _plain_rows(i["observations"]),
                 "targets": [{"id": tg["id"], "commitment": tg["commitment"]} for tg in tracked
                             if tg["indicator_id"] == i["id"]]} for i in found]

    def indicator(self, indicator_id: int) -> dict[str, Any]:
        """One indicator: its observations with their sources, oldest first, and the targets it tracks
        with their commitments and progress."""
        from accord.ledger import tracking
        from accord.track.view import progress_of

        with self.engine.connect() as conn:
            item = tracking.indicator(conn, indicator_id)
            rows = tracking.observation_rows(conn, indicator_id)
            targets = tracking.linked_targets(conn, [indicator_id])
        series = tracking.series_of(rows)  # by period, then as recorded: the latest recorded wins
        for target in targets:
            target.pop("indicator_id")
            target["progress"] = progress_of(target, series, item["unit"], self.today)
        return {**item, **_latest(rows), "observations": _plain_rows(rows), "targets": targets}

    def indicator_choices(self) -> list[dict[str, Any]]:
        """Id, name and unit of every indicator, by name (a form's choices)."""
        from accord.ledger import tracking

        with self.engine.connect() as conn:
            return tracking.indicator_names(conn)

    def diff(self, a: int | str, b: int | str, relation: str | None = None) -> dict[str, Any]:
        """Commitments new in B, continued from A (wording word by word, target changes), dropped since A.

        Without `relation`, `a` and `b` are document ids (of one relation). With it, each names one of the
        relation's occasions: a year (2026), a month (2026-04), a date (2026-04-10) or an id ("#12")."""
        from accord.track.diff import diff

        with self.engine.connect() as conn:
            side_a, side_b = self._diff_sides(conn, a, b, relation)
            key = side_a["relation"]
            documents = [d["id"] for side in (side_a, side_b) for d in side["documents"]]
            targets = {s["id"]: s["targets"] for doc in dict.fromkeys(documents)
                       for s in q.statements(conn, document=doc, limit=100_000)}
            items = q.commitments(conn, relation=key) if key else q.commitments(conn)
        return diff(items, side_a, side_b, targets)

    def _diff_sides(self, conn: Connection, a: int | str, b: int | str,
                    relation: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The two sides of `diff`, each a document or an occasion, checked to be of one relation."""
        from accord.ledger import NotFound
        from accord.track.diff import document_id, document_side, occasion_side, same_relation

        if relation is None:
            ids = [document_id(a, "A"), document_id(b, "B")]
            found = {d["id"]: d for d in q.documents(conn, ids=ids)}
            for doc in ids:
                if doc not in found:
                    raise NotFound(f"no document {doc} (see `accord documents`; to compare occasions, give a relation)")
            side_a, side_b = document_side(found[ids[0]]), document_side(found[ids[1]])
            same_relation(side_a, side_b)
            return side_a, side_b
        key = _relation(relation)
        occasions = q.occasions(conn, key)
        if not occasions:
            raise NotFound(f"no relation {relation!r} in the ledger")
        return occasion_side(key, occasions, a, "A"), occasion_side(key, occasions, b, "B")

    def entities(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return q.entities(conn, kind)

    def search(self, text: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Statements matching the words of `text`, newest first: every one, or the first `limit`."""
        with self.engine.connect() as conn:
            return fts.page(conn, text, limit=limit)

    def search_page(self, text: str, *, newest_first: bool = True, after: int | None = None,
                    limit: int = 50) -> tuple[list[dict[str, Any]], int, bool, int | None]:
        """One keyset page of a search: up to `limit` hits after the statement id `after` (newest first:
        before it); how many hits there are, counted up to `accord.ledger.search.COUNT_LIMIT`, and whether that count is
        exact; and the id the next page starts after (None on the last)."""
        with self.engine.connect() as conn:
            hits, total, exact = fts.counted_page(conn, text, newest_first=newest_first, after=after, limit=limit + 1)
        return hits[:limit], total, exact, hits[limit - 1]["id"] if len(hits) > limit else None

    def search_facets(self, text: str, **chosen: str | None) -> tuple[list[dict[str, Any]], dict[str, list[tuple[str, int]]]]:
        """Statements matching `text` that have the chosen facet values (pillar, type, relation, year), newest
        first, and each facet's values with how many hits choosing it would give — over the newest
        `accord.ledger.search.COUNT_LIMIT` hits (`search_count` says whether there are more)."""
        unknown = set(chosen) - set(q.FACETS)
        if unknown:
            raise InputError(f"search: no facet {sorted(unknown)[0]!r}; facets are {', '.join(q.FACETS)}")
        with self.engine.connect() as conn:
            hits = fts.newest(conn, text)
        return q.faceted(hits, {f: v for f, v in chosen.items() if v})

    def search_count(self, text: str) -> tuple[int, bool]:
        """How many statements match `text`, counted up to `accord.ledger.search.COUNT_LIMIT`, and whether that is all."""
        with self.engine.connect() as conn:
            return fts.count(conn, text)

    def changes(self, relation: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The newest commitments and status or stage changes, newest first (of one relation, or all);
        NotFound for a relation the ledger has no document of."""
        from accord.ledger import NotFound

        key = _relation(relation) if relation else None
        with self.engine.connect() as conn:
            if key is not None and not q.relations(conn, key):
                raise NotFound(f"no relation {relation!r} in the ledger")
            return q.changes(conn, key, limit)

    def merge(self, keep: int, other: int, by: str | None = None) -> dict[str, Any]:
        from accord.process import merge_commitments

        return self.commitment(merge_commitments(self.engine, keep, other, by))

    def split(self, commitment_id: int, statement_id: int, by: str | None = None) -> dict[str, Any]:
        from accord.process import split_statement

        return self.commitment(split_statement(self.engine, commitment_id, statement_id, by))

    def report(self, fmt: str = "md", pillar: str | None = None, output: str | None = None) -> str:
        """A brief per pillar (each commitment under each of its pillars, with sources, targets, accepted
        evidence, indicator figures and history) as text; a Markdown brief named `output` gets its charts
        beside it. A PDF is not text: `accord.report.write_report` writes one."""
        from pathlib import Path

        from accord.report import ReportError, gather, produce, save

        if fmt == "pdf":
            raise ReportError("a PDF is not text: write it with `accord report --format pdf -o FILE`")
        path = Path(output) if output else None
        report = produce(gather(self, pillar), fmt, path, path.parent if path else None)
        save(report.charts)
        return report.body.decode()

    def check(self) -> list[Problem]:
        """Every problem in the ledger's own rows: document hashes, offsets, references, the status
        history's hash chain, the search index, the kept totals (`accord.ledger.integrity`). Empty when it is whole."""
        from accord.ledger import integrity

        with self.engine.connect() as conn:
            return integrity.check(conn)

    # -- backup (issue 11): accord export / accord import --------------------------------------

    def export_to(self, path: str | os.PathLike[str], *, force: bool = False) -> dict[str, int]:
        """Write the whole ledger to `path` (JSON Lines, gzip when it ends in .gz; docs/backup.md);
        rows per table. An existing file is replaced only with `force`."""
        from pathlib import Path

        from accord.ledger import backup

        return backup.export(self.engine, Path(path), force=force)

    def import_from(self, path: str | os.PathLike[str]) -> dict[str, int]:
        """Load an export into this ledger, which must be empty: whole or not at all, then checked
        (`check`) before it commits; rows per table."""
        from pathlib import Path

        from accord.ledger import backup

        return backup.import_(self.engine, Path(path))

    # -- people and programs: accord users (accord.ledger.users) --------------------------------

    def add_user(self, name: str, role: str = "editor", password: str | None = None) -> dict[str, Any]:
        """A user (viewer, editor or admin); without a password they use tokens only."""
        from accord.ledger import users

        return users.add_user(self.engine, name, role, password)

    def remove_user(self, name: str) -> None:
        """Remove a user and their tokens; their sessions and tokens stop working at once."""
        from accord.ledger import users

        users.remove_user(self.engine, name)

    def users(self) -> list[dict[str, Any]]:
        """Every user: name, role, whether they have a password, live tokens, created; never a hash."""
        from accord.ledger import users

        return _plain_rows(users.users(self.engine))

    def set_role(self, name: str, role: str) -> dict[str, Any]:
        from accord.ledger import users

        return users.set_role(self.engine, name, role)

    def set_password(self, name: str, password: str | None) -> None:
        from accord.ledger import users

        users.set_password(self.engine, name, password)

    def issue_token(self, name: str, label: str | None = None) -> tuple[int, str]:
        """A new API token for `name`: its id and the token, which is shown only this once."""
        from accord.ledger import users

        return users.issue_token(self.engine, name, label)

    def tokens(self, name: str | None = None) -> list[dict[str, Any]]:
        from accord.ledger import users

        return _plain_rows(users.tokens(self.engine, name))

    def revoke_token(self, which: str) -> dict[str, Any]:
        """Revoke a token named by its id, its first characters or the whole token."""
        from accord.ledger import users

        return users.revoke_token(self.engine, which)

    def verify_password(self, name: str, password: str) -> str | None:
        """The role of `name` if `password` is theirs, else None (the same time either way)."""
        from accord.ledger import users

        return users.verify_password(self.engine, name, password)

    def user_for_token(self, token: str) -> tuple[str, str] | None:
        """(name, role) of a live token's user, else None."""
        from accord.ledger import users

        return users.user_for_token(self.engine, token)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _relation(text: str) -> str:
    """A relation as a person writes it ("VNM-LAO", "usa,jpn") as its key, or an InputError in words."""
    from accord.model import parse_relation

    key = parse_relation(text)
    if key is None:
        raise InputError(f"relation: {text!r} names no parties; give their codes, e.g. USA-JPN")
    return key


def _latest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The latest observation of rows ordered by period, then as recorded: its period and value."""
    last = rows[-1] if rows else None
    return {"latest_period": last["period"].isoformat() if last else None,
            "latest_value": last["value"] if last else None}


def _plain_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dates as ISO strings, for JSON."""
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows]
