"""Following outlets' RSS and Atom feeds: each new article is ingested once, through `Ledger.ingest`.

A pass fetches each feed with `accord.ingest.fetch` (the same refusals,
limits and one-line errors as any URL; a feed's types are FEED_TYPES), hands
the bytes to feedparser (which never fetches anything itself), and ingests the article of every entry not seen
before, oldest first, one `Ledger.ingest(link)` each so that one unreadable
article costs only itself. An entry is identified by its id (RSS guid, Atom
id), else its link. An article that fails to fetch or read is reported and
not remembered, so the next pass tries it again.

Where "already seen" is remembered: the ledger is the truth and a small JSON
file is its memo. An entry counts as seen only while the ledger holds its
article: a document whose source is the entry's link, or the document (by
text hash) that the memo recorded for the entry's id. The ledger part needs
no new table (documents already keep their source and hash) and covers
articles ingested by `accord ingest URL` or by a watcher on another machine
sharing a PostgreSQL ledger. The memo adds what the ledger can't hold without
a new table: the entry's id (outlets change links, add tracking parameters,
keep the guid) and entries whose article the ledger already had under another
address (a syndicated copy: ingest answers "unchanged", and without the memo
every pass would fetch it again). Since losing the memo costs only fetches,
never a missed or doubled article, it lives in the user's cache directory,
`$XDG_CACHE_HOME/accord/watch-<hash of the ledger URL>.json` (`~/.cache` by
default), one per ledger; a new ledger at the same URL (a deleted SQLite
file) is not fooled by an old memo, whose hashes it does not hold. `--state
FILE` puts it elsewhere. Per feed the memo keeps only the entries the feed
still lists, so it stays as small as the feeds.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from accord.errors import AccordError, InputError
from accord.ingest.fetch import FEED_TYPES, fetch, is_url

if TYPE_CHECKING:
    from accord.api import Ledger
    from accord.process import IngestResult

_INTERVAL = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, as far as watching needs it."""

    key: str  # the id (RSS guid, Atom id), else the link
    link: str | None  # absolute
    title: str
    published: float | None  # seconds since the epoch, UTC


@dataclass(frozen=True, slots=True)
class Feed:
    url: str
    title: str | None
    entries: list[Entry]  # in the feed's order


@dataclass(frozen=True, slots=True)
class FeedReport:
    """One feed in one pass: how many entries it lists and how many are new, or why it could not be read."""

    url: str
    title: str | None = None
    entries: int = 0
    new: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class EntryReport:
    """One new entry: what ingest did with its article, or why it could not (`retry`: tried again next pass)."""

    feed: str
    link: str
    result: IngestResult | None = None
    error: str | None = None
    retry: bool = True


Report = Callable[[FeedReport | EntryReport], None]


def parse_interval(text: str) -> float:
    """Seconds in "90s", "30m", "1h", "2h30m" or "1d"."""
    match = _INTERVAL.fullmatch(text.strip().lower())
    if not text.strip() or match is None:
        raise InputError(f"{text!r} is not an interval; write it like 90s, 30m, 1h or 2h30m")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total == 0:
        raise InputError(f"{text!r}: the interval must be longer than zero")
    return float(total)


def default_state_path(db_url: str) -> Path:
    """The memo of a ledger: one file per database, in the user's cache directory."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    # The same SQLite file named relatively from two directories is one ledger; two files of one name are two.
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        url = url.set(database=str(Path(url.database).resolve()))
    # Without the password: changing it does not make another ledger, and the name should not leak it.
    key = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
    return base / "accord" / f"watch-{key}.json"


def check_feeds(feeds: Iterable[str]) -> list[str]:
    """Feed URLs once each, in order; anything but an http(s) URL fails before any work."""
    urls = list(dict.fromkeys(f.strip() for f in feeds))
    for url in urls:
        if not is_url(url):
            raise InputError(f"{url}: not an http(s) URL; give the address of an RSS or Atom feed")
    return urls


def read_feed(url: str) -> Feed:
    """Fetch and parse one feed; every failure is a one-line InputError naming it."""
    fetched = fetch(url, accept=FEED_TYPES)
    content_type = fetched.media_type
    if content_type and fetched.charset:
        content_type += f"; charset={fetched.charset}"
    return parse_feed(fetched.content, url, base=fetched.url, content_type=content_type)


def parse_feed(data: bytes, url: str, *, base: str | None = None, content_type: str | None = None) -> Feed:
    """An RSS or Atom document's entries; relative links resolve against `base` (the URL it came from)."""
    import feedparser  # type: ignore[import-untyped]  # feedparser ships no type information

    base = base or url
    headers = {"content-location": base}
    if content_type:
        headers["content-type"] = content_type  # its charset, if any, is how the bytes are decoded
    # A stream, never a str or bytes: feedparser fetches a str that looks like a URL and opens one naming a file.
    parsed: Any = feedparser.parse(io.BytesIO(data), response_headers=headers)
    # feedparser flags a missing or odd content type or charset too; only a document it could not parse counts.
    broken = parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"),
                                                   feedparser.exceptions.ThingsNobodyCaresAboutButMe)
    if not parsed.entries:
        if broken and parsed.get("version"):
            raise InputError(f"{url}: the feed is malformed ({_one_line(parsed.get('bozo_exception'))})")
        if broken or not parsed.get("version"):
            got = f"{content_type.split(';')[0]}" if content_type else "no content type"
            raise InputError(f"{url}: not an RSS or Atom feed ({got}); check the address")
    entries = []
    for item in parsed.entries:
        link = (item.get("link") or "").strip()
        link = urljoin(base, link) if link else ""
        key = (item.get("id") or "").strip() or link or (item.get("title") or "").strip()
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        entries.append(Entry(key=key, link=link or None, title=(item.get("title") or "").strip(),
                             published=float(calendar.timegm(stamp)) if stamp else None))
    return Feed(url=url, title=(parsed.feed.get("title") or "").strip() or None, entries=entries)


def watch(ledger: Ledger, feeds: Iterable[str], *, every: float | None = None, state: Path | None = None,
          report: Report | None = None, sleep: Callable[[float], None] = time.sleep,
          clock: Callable[[], float] = time.monotonic) -> int:
    """One pass over `feeds` (`every` None), or a pass every `every` seconds until interrupted.

    Passes start `every` seconds apart (at once when one ran longer). Returns
    the number of failures of the pass, which is the last one only with
    `every` None: a loop ends by KeyboardInterrupt, and the memo is saved
    entry by entry, so interrupting loses nothing.
    """
    urls = check_feeds(feeds)
    path = state or default_state_path(ledger.url)
    while True:
        started = clock()
        failures = watch_once(ledger, urls, path, report or _ignore)
        if every is None:
            return failures
        sleep(max(0.0, every - (clock() - started)))


def watch_once(ledger: Ledger, feeds: list[str], state: Path, report: Report) -> int:
    """Read each feed and ingest the articles of its new entries; the number of failures."""
    held = _held_links(ledger)
    failures = 0
    for url in feeds:
        try:
            feed = read_feed(url)
        except InputError as exc:
            report(FeedReport(url, error=str(exc)))
            failures += 1
            continue
        failures += _follow(ledger, feed, state, held, report)
    return failures


def _follow(ledger: Ledger, feed: Feed, state: Path, held: dict[str, str], report: Report) -> int:
    known = _load_state(state).get(feed.url, {})
    hashes = set(held.values())
    seen: dict[str, str | None] = {}  # entry key → hash of its document; None: no article to read
    new: list[Entry] = []
    for entry in feed.entries:
        if entry.key in seen or any(e.key == entry.key for e in new):
            continue  # listed twice
        if entry.key in known and (known[entry.key] is None or known[entry.key] in hashes):
            seen[entry.key] = known[entry.key]
        elif entry.link is not None and entry.link in held:
            seen[entry.key] = held[entry.link]
        else:
            new.append(entry)
    report(FeedReport(feed.url, feed.title, len(feed.entries), len(new)))
    _save_state(state, feed.url, seen)  # entries gone from the feed are forgotten; the ledger still knows them

    failures = 0
    for entry in _oldest_first(new):
        if entry.link is None or not is_url(entry.link):
            # Never read: a feed must not make Accord open a local file (a bare path, file://) or anything else.
            what = f"link {entry.link}" if entry.link else "no link"
            report(EntryReport(feed.url, entry.link or entry.key, retry=False,
                               error=f"{feed.url}: entry {entry.title or entry.key!r} has {what}, not an http(s) "
                                     f"article; skipped"))
            failures += 1
            seen[entry.key] = None
        else:
            try:
                [result] = ledger.ingest(entry.link)
            except InputError as exc:
                report(EntryReport(feed.url, entry.link, error=str(exc)))
                failures += 1
                continue
            seen[entry.key] = sha = _document_hash(ledger, result.document)
            if sha is not None:
                held[entry.link] = sha  # a later feed listing the same link skips it
            report(EntryReport(feed.url, entry.link, result=result))
        _save_state(state, feed.url, seen)
    return failures


def _oldest_first(entries: list[Entry]) -> list[Entry]:
    """By date when every entry has one; else, and among equal dates, reversed: feeds list the newest first."""
    reversed_ = entries[::-1]
    if all(e.published is not None for e in entries):
        return sorted(reversed_, key=lambda e: e.published or 0.0)
    return reversed_


def _held_links(ledger: Ledger) -> dict[str, str]:
    """Source → text hash of every document in the ledger."""
    from accord.ledger import queries

    with ledger.engine.connect() as conn:
        return queries.held_sources(conn)


def _document_hash(ledger: Ledger, document: int | None) -> str | None:
    from accord.ledger import queries

    with ledger.engine.connect() as conn:
        return queries.document_hash(conn, document)


def _load_state(path: Path) -> dict[str, dict[str, str | None]]:
    """The memo, feed URL → entry key → document hash; unreadable or from elsewhere counts as empty,
    since the ledger is checked anyway."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    feeds = data.get("feeds") if isinstance(data, dict) and data.get("version") == 1 else None
    if not isinstance(feeds, dict):
        return {}
    return {url: {str(k): v if isinstance(v, str) else None for k, v in entries.items()}
            for url, entries in feeds.items() if isinstance(entries, dict)}


def _save_state(path: Path, feed: str, seen: dict[str, str | None]) -> None:
    """Replace one feed's part of the memo, re-reading the rest so a watcher of other feeds loses nothing;
    written whole to a temporary file then renamed, so a reader never sees half a file."""
    feeds = _load_state(path)
    feeds[feed] = seen
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps({"version": 1, "feeds": feeds}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise AccordError(f"{path}: cannot write what was seen ({exc.strerror}); choose a file with --state") from None


def _one_line(exc: object) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _ignore(_report: FeedReport | EntryReport) -> None:
    pass


__all__ = ["Entry", "EntryReport", "Feed", "FeedReport", "check_feeds", "default_state_path", "parse_feed", "parse_interval",
           "read_feed", "watch", "watch_once"]
