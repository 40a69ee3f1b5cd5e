"""Watching feeds: an RSS 2.0 and an Atom feed and their articles served by a real local HTTP server."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import CompletedProcess
from urllib.parse import urlsplit

import pytest

from accord.api import Ledger
from accord.errors import InputError
from accord.watch import EntryReport, FeedReport, default_state_path, parse_feed, parse_interval, watch

ARTICLES: dict[str, tuple[str, str, list[str]]] = {
    "/world/japan-philippines-coast-guard": (
        "Japan and the Philippines agree to expand coast guard cooperation", "2025-11-03", [
            "MANILA, Nov. 3 — Japan and the Philippines agreed on Monday to expand cooperation between their "
            "coast guards, as the foreign ministers of the two countries met in Manila for their annual "
            "strategic dialogue.",
            "The two sides agreed to hold joint coast guard exercises twice a year starting in 2026 and to "
            "establish a hotline between their maritime agencies by June 2026.",
            "Japan committed to provide five additional 97-meter patrol vessels to the Philippine Coast Guard "
            "under an official development assistance loan worth US$400 million.",
            "The ministers also discussed the situation in the South China Sea and reaffirmed the importance "
            "of the 2016 arbitral award, officials said after the four-hour meeting.",
        ]),
    "/world/japan-philippines-reciprocal-access": (
        "Manila and Tokyo to bring reciprocal access agreement into force", "2025-11-05", [
            "TOKYO, Nov. 5 — The Philippines and Japan will bring their Reciprocal Access Agreement into force "
            "before the end of the year, the two defence ministers said on Wednesday.",
            "Both countries agreed to complete the remaining domestic procedures for the agreement by December "
            "2025 and to conduct the first joint training under it in the first half of 2026.",
            "Japan pledged to fund the construction of a coastal radar station in northern Luzon, to be "
            "completed within three years.",
            "The defence ministers described the talks as frank and productive and said they would meet again "
            "in Manila next year.",
        ]),
    "/asia/india-vietnam-trade": (
        "India and Vietnam set new trade target after Hanoi talks", "2025-11-10", [
            "HANOI, Nov. 10 — India and Vietnam agreed on Monday to raise bilateral trade to US$20 billion by "
            "2030, as the two foreign ministers co-chaired the joint commission meeting in Hanoi.",
            "The two sides agreed to begin negotiations on a review of the ASEAN-India Trade in Goods Agreement "
            "and to open a direct shipping route between Chennai and Hai Phong in 2026.",
            "India committed to extend a new line of credit of US$300 million for Vietnam's agriculture and "
            "renewable energy projects.",
            "The ministers also exchanged views on regional developments and the situation in Myanmar.",
        ]),
    "/asia/india-vietnam-defence": (
        "India, Vietnam agree to deepen defence industry cooperation", "2025-11-12", [
            "NEW DELHI, Nov. 12 — India and Vietnam agreed on Wednesday to deepen cooperation in defence "
            "industry, training and maritime security at the annual defence policy dialogue in New Delhi.",
            "India agreed to train 200 Vietnamese naval officers a year at its academies from 2026 and to "
            "deliver twelve high-speed guard boats built under a US$100 million credit line by 2027.",
            "The two sides will hold their first bilateral naval exercise in the South China Sea next year, "
            "the Indian defence ministry said in a statement.",
            "Officials described the relationship as a comprehensive strategic partnership of growing weight.",
        ]),
    "/world/japan-philippines-energy": (
        "Japan to help the Philippines build its first nuclear power plant", "2025-11-20", [
            "MANILA, Nov. 20 — Japan will help the Philippines prepare its first nuclear power programme, the "
            "energy ministers of the two countries said on Thursday after talks in Manila.",
            "The two sides agreed to sign a memorandum of cooperation on nuclear energy by March 2026 and to "
            "complete a feasibility study for small modular reactors within two years.",
            "Japan committed to train 50 Filipino nuclear engineers over the next five years.",
            "The ministers also discussed liquefied natural gas supply and grid investment.",
        ]),
}
RSS_PATHS = ["/world/japan-philippines-coast-guard", "/world/japan-philippines-reciprocal-access"]
ATOM_PATHS = ["/asia/india-vietnam-trade", "/asia/india-vietnam-defence"]
LATER = "/world/japan-philippines-energy"


def page(path: str) -> bytes:
    title, published, paragraphs = ARTICLES[path]
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:site_name" content="Asia Pacific Wire">
<meta property="article:published_time" content="{published}"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/asia">Asia</a></nav>
<article><h1>{title}</h1><p class="byline">By our correspondent</p>
{"".join(f"<p>{p}</p>" for p in paragraphs)}</article>
<aside>Most read: <a href="/sport">Sport results</a></aside><footer>© Asia Pacific Wire</footer></body></html>""".encode()


def rss(items: list[tuple[str, str]]) -> bytes:
    """RSS 2.0, newest first as outlets write them; `items` are (guid, link) in that order."""
    body = "".join(
        f"<item><title>{_title(link)}</title><link>{link}</link>"
        f"<guid isPermaLink=\"false\">{guid}</guid><pubDate>{_rfc822(link)}</pubDate></item>"
        for guid, link in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Asia Pacific Wire: World'
            f"</title><link>/world</link><description>World news</description>{body}</channel></rss>").encode()


def atom(paths: list[str]) -> bytes:
    """Atom with relative links (resolved against the feed's address) and no dates: feed order counts."""
    body = "".join(f"<entry><title>{ARTICLES[p][0]}</title><id>tag:apwire.example,2025:{p}</id>"
                   f'<link rel="alternate" href="../..{p}"/><updated>2025-11-30T00:00:00Z</updated></entry>'
                   for p in paths)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Asia Pacific Wire: Asia</title><id>tag:apwire.example,2025:asia</id>"
            f"<updated>2025-11-30T00:00:00Z</updated>{body}</feed>").encode()


def _title(link: str) -> str:
    path = urlsplit(link).path
    return ARTICLES[path][0] if path in ARTICLES else "Untitled"


def _rfc822(link: str) -> str:
    path = urlsplit(link).path
    day = int(ARTICLES[path][1][-2:]) if path in ARTICLES else 1
    return f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][(day + 5) % 7]}, {day:02d} Nov 2025 08:00:00 GMT"


HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The site serves on 127.0.0.1, which fetching refuses unless allowed (the CLI's child process inherits it)."""
    monkeypatch.setenv("ACCORD_FETCH_ALLOW", "127.0.0.1")


@dataclass
class Site:
    """A local HTTP server: `routes` maps a path to (status, content type, body); `hits` records each GET."""

    base: str = ""
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def rss(self, *paths: str) -> None:
        """The RSS feed lists these articles, newest first, each under a guid of its own."""
        self.routes["/world/rss.xml"] = (200, "application/rss+xml", rss([(f"apw-{p}", self.url(p)) for p in paths]))


@pytest.fixture()
def site() -> Iterator[Site]:
    state = Site()
    for path in ARTICLES:
        state.routes[path] = (200, "text/html; charset=utf-8", page(path))
    state.routes["/feeds/asia/atom.xml"] = (200, "application/atom+xml", atom(ATOM_PATHS[::-1]))
    state.routes["/world"] = (200, "text/html; charset=utf-8", b"<html><head><title>World</title></head>"
                                                              b"<body><h1>World</h1></body></html>")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            state.hits.append(self.path)
            status, content_type, body = state.routes.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    state.rss(*RSS_PATHS[::-1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def feeds(site: Site) -> list[str]:
    return [site.url("/world/rss.xml"), site.url("/feeds/asia/atom.xml")]


def sources(ledger: Ledger) -> list[str]:
    return [d["source"] for d in ledger.documents()]


def run(ledger: Ledger, site: Site, state: Path, urls: list[str] | None = None) -> tuple[int, list[object]]:
    reports: list[object] = []
    site.hits.clear()
    failures = watch(ledger, urls or feeds(site), state=state, report=reports.append)
    return failures, reports


def added(reports: list[object]) -> list[str]:
    return [r.link for r in reports if isinstance(r, EntryReport) and r.result is not None
            and r.result.status == "added"]


def test_each_article_once_then_only_what_is_new(ledger_url: str, site: Site, tmp_path: Path) -> None:
    state = tmp_path / "watch.json"
    site.rss(*RSS_PATHS)  # this outlet lists its oldest item first
    with Ledger(ledger_url) as ledger:
        failures, reports = run(ledger, site, state)
        # Oldest first: RSS by date, Atom (dates all alike) in reverse feed order.
        articles = [site.url(p) for p in RSS_PATHS + ATOM_PATHS]
        assert (failures, added(reports), sources(ledger)) == (0, articles, articles)
        assert [(r.url, r.title, r.entries, r.new) for r in reports if isinstance(r, FeedReport)] == [
            (site.url("/world/rss.xml"), "Asia Pacific Wire: World", 2, 2),
            (site.url("/feeds/asia/atom.xml"), "Asia Pacific Wire: Asia", 2, 2)]
        assert all(r.result.statements > 0 for r in reports if isinstance(r, EntryReport) and r.result)

        failures, reports = run(ledger, site, state)
        assert (failures, added(reports), len(sources(ledger))) == (0, [], 4)
        assert [(r.entries, r.new) for r in reports if isinstance(r, FeedReport)] == [(2, 0), (2, 0)]
        assert site.hits == ["/world/rss.xml", "/feeds/asia/atom.xml"]  # no article fetched again

        site.rss(LATER, *RSS_PATHS[::-1])
        failures, reports = run(ledger, site, state)
        assert (failures, added(reports)) == (0, [site.url(LATER)])
        assert sources(ledger) == [*articles, site.url(LATER)]
        assert site.hits == ["/world/rss.xml", LATER, "/feeds/asia/atom.xml"]


def test_a_failing_article_is_reported_and_retried_next_pass(ledger_url: str, site: Site, tmp_path: Path) -> None:
    state = tmp_path / "watch.json"
    site.routes[LATER] = (404, "text/plain", b"not found")
    site.rss(LATER, RSS_PATHS[0])
    with Ledger(ledger_url) as ledger:
        failures, reports = run(ledger, site, state, [site.url("/world/rss.xml")])
        errors = [r for r in reports if isinstance(r, EntryReport) and r.error]
        assert failures == 1
        assert [(r.link, r.error, r.retry) for r in errors] == [
            (site.url(LATER), f"{site.url(LATER)}: HTTP 404 Not Found; check the address", True)]
        assert sources(ledger) == [site.url(RSS_PATHS[0])]  # the pass went on

        site.routes[LATER] = (200, "text/html; charset=utf-8", page(LATER))
        failures, reports = run(ledger, site, state, [site.url("/world/rss.xml")])
        assert (failures, added(reports)) == (0, [site.url(LATER)])
        assert sources(ledger) == [site.url(RSS_PATHS[0]), site.url(LATER)]


def test_a_bad_feed_is_one_line_and_the_others_still_run(site: Site, tmp_path: Path) -> None:
    bad = [site.url("/world"), site.url("/missing.xml"), "http://127.0.0.1:9/rss.xml"]
    site.rss(RSS_PATHS[0])
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        failures, reports = run(ledger, site, tmp_path / "watch.json", [*bad, site.url("/world/rss.xml")])
        assert failures == 3
        errors = [r.error for r in reports if isinstance(r, FeedReport) and r.error]
        assert errors[:2] == [f"{bad[0]}: not an RSS or Atom feed (text/html); check the address",
                              f"{bad[1]}: HTTP 404 Not Found; check the address"]
        assert errors[2].startswith(f"{bad[2]}: could not connect (")
        assert all("\n" not in e for e in errors)
        assert sources(ledger) == [site.url(RSS_PATHS[0])]


def test_the_ledger_is_the_truth_and_the_memo_saves_fetches(site: Site, tmp_path: Path) -> None:
    state = tmp_path / "watch.json"
    rss_feed = site.url("/world/rss.xml")
    # A syndicated copy: another address, the same text, so ingest answers "unchanged".
    site.routes["/syndicated/coast-guard"] = site.routes[RSS_PATHS[0]]
    site.rss(RSS_PATHS[0], "/syndicated/coast-guard")
    with Ledger(f"sqlite:///{tmp_path / 'a.db'}") as ledger:
        run(ledger, site, state, [rss_feed])
        memo = json.loads(state.read_text())["feeds"][rss_feed]
        assert sorted(memo) == ["apw-/syndicated/coast-guard", f"apw-{RSS_PATHS[0]}"]
        assert len(set(memo.values())) == 1
        assert sources(ledger) == [site.url("/syndicated/coast-guard")]  # oldest first: the copy is dated earlier
        run(ledger, site, state, [rss_feed])
        assert site.hits == ["/world/rss.xml"]

        state.unlink()  # the memo lost: the ledger still knows the links it holds, only the copy is fetched again
        failures, reports = run(ledger, site, state, [rss_feed])
        assert (failures, site.hits) == (0, ["/world/rss.xml", RSS_PATHS[0]])
        assert [r.result.status for r in reports if isinstance(r, EntryReport) and r.result] == ["unchanged"]

    with Ledger(f"sqlite:///{tmp_path / 'b.db'}") as ledger:  # a new ledger is not fooled by the old memo
        failures, reports = run(ledger, site, state, [rss_feed])
        assert (failures, len(sources(ledger))) == (0, 1)
        assert [r.result.status for r in reports if isinstance(r, EntryReport) and r.result] == ["added", "unchanged"]

        # A feed's entries that leave it are forgotten by the memo (the ledger keeps their documents).
        site.rss(RSS_PATHS[0])
        run(ledger, site, state, [rss_feed])
        assert list(json.loads(state.read_text())["feeds"][rss_feed]) == [f"apw-{RSS_PATHS[0]}"]


def test_links_that_are_not_http_are_never_read(site: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The two sides agreed to keep this file private.\n")
    site.routes["/world/rss.xml"] = (200, "application/rss+xml", rss([("local", f"file://{secret}"),
                                                                      ("nolink", "")]))
    state = tmp_path / "watch.json"
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        failures, reports = run(ledger, site, state, [site.url("/world/rss.xml")])
        errors = [(r.error, r.retry) for r in reports if isinstance(r, EntryReport)]
        assert failures == 2
        assert errors[0] == (
            f"{site.url('/world/rss.xml')}: entry 'Untitled' has no link, not an http(s) article; skipped", False)
        # (feedparser writes the file URL its own way)
        pattern = (re.escape(f"{site.url('/world/rss.xml')}: entry 'Untitled' has link file:") + "/*"
                   + re.escape(f"{secret.relative_to('/')}, not an http(s) article; skipped"))
        assert re.fullmatch(pattern, errors[1][0] or "") and errors[1][1] is False
        assert sources(ledger) == []
        failures, reports = run(ledger, site, state, [site.url("/world/rss.xml")])  # reported once, not each pass
        assert (failures, [r for r in reports if isinstance(r, EntryReport)]) == (0, [])


def test_without_once_it_passes_every_interval_until_interrupted(site: Site, tmp_path: Path) -> None:
    naps: list[float] = []
    now = iter([100.0, 130.0, 200.0, 400.0])  # the second pass runs over its interval: no nap before the third

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        site.rss(LATER, *RSS_PATHS[::-1])
        if len(naps) == 2:
            raise KeyboardInterrupt

    reports: list[object] = []
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        with pytest.raises(KeyboardInterrupt):
            watch(ledger, [site.url("/world/rss.xml")], every=60.0, state=tmp_path / "watch.json",
                  report=reports.append, sleep=sleep, clock=lambda: next(now))
        assert naps == [30.0, 0.0]
        assert added(reports) == [site.url(p) for p in RSS_PATHS] + [site.url(LATER)]
        assert [(r.entries, r.new) for r in reports if isinstance(r, FeedReport)] == [(2, 2), (3, 1)]


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("30m", 1800), ("1h", 3600), ("2h30m", 9000),
                                               ("1d", 86400), (" 1H ", 3600), ("1h0m5s", 3605)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "h", "30 m", "1.5h", "30m1h", "-1h", "0s", "0h0m"])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(InputError, match="interval"):
        parse_interval(text)


def test_the_default_memo_is_one_per_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    path = default_state_path("sqlite:///accord.db")
    assert path.parent == tmp_path / "cache" / "accord" and path.name.startswith("watch-")
    assert default_state_path(f"sqlite:///{tmp_path / 'accord.db'}") == path
    assert default_state_path(f"sqlite:///{tmp_path / 'other.db'}") != path
    pg = default_state_path("postgresql+psycopg://accord:secret@db/ledger")
    assert default_state_path("postgresql+psycopg://accord:changed@db/ledger") == pg
    assert "secret" not in str(pg)


def test_feed_entries_keys_and_links() -> None:
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            b"<item><title>A</title><link>/a</link><guid>urn:a</guid></item>"
            b"<item><title>B</title><link>https://other.example/b</link></item>"
            b"<item><title>C</title><guid isPermaLink=\"true\">https://news.example/c</guid></item>"
            b"</channel></rss>")
    feed = parse_feed(data, "https://news.example/feeds/rss", content_type="application/rss+xml")
    assert [(e.key, e.link, e.title) for e in feed.entries] == [
        ("urn:a", "https://news.example/a", "A"),
        ("https://other.example/b", "https://other.example/b", "B"),
        ("https://news.example/c", "https://news.example/c", "C")]


def test_an_empty_feed_is_no_error() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(data, "https://news.example/rss").entries == []


def test_a_truncated_feed_is_an_error() -> None:
    with pytest.raises(InputError, match=r"^https://news\.example/rss: the feed is malformed \("):
        parse_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut', "https://news.example/rss")


Cli = Callable[..., CompletedProcess[str]]


def test_cli_watch_once(cli: Cli, site: Site, tmp_path: Path) -> None:
    db, state, world = f"sqlite:///{tmp_path / 'ledger.db'}", str(tmp_path / "watch.json"), site.url("/world")
    args = ["watch", *feeds(site), world, "--once", "--db", db, "--state", state]
    done = cli(*args)
    assert done.returncode == 1, done.stderr
    assert done.stderr == f"accord: error: {world}: not an RSS or Atom feed (text/html); check the address\n"
    lines = done.stdout.splitlines()
    assert lines[0] == f"{site.url('/world/rss.xml')} (Asia Pacific Wire: World): 2 entries, 2 new"
    assert lines[3] == f"{site.url('/feeds/asia/atom.xml')} (Asia Pacific Wire: Asia): 2 entries, 2 new"
    assert [line.split(": document ")[0] for line in lines[1:3] + lines[4:]] == [
        site.url(p) for p in RSS_PATHS + ATOM_PATHS]
    assert len(lines) == 6
    with Ledger(db) as ledger:
        assert len(sources(ledger)) == 4

    done = cli("watch", *feeds(site), "--once", "--db", db, "--state", state, "--quiet")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_cli_watch_bad_input_fails_before_any_work(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    done = cli("watch", "https://news.example/rss", "--every", "5x", "--db", f"sqlite:///{db}")
    assert done.returncode == 2 and "'5x' is not an interval" in done.stderr
    done = cli("watch", "news.example/rss", "--once", "--db", f"sqlite:///{db}")
    assert (done.returncode, done.stderr) == (
        2, "accord: error: news.example/rss: not an http(s) URL; give the address of an RSS or Atom feed\n")
    assert not db.exists()


def test_a_feed_on_loopback_is_refused_unless_allowed(site: Site, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_FETCH_ALLOW")
    feed = site.url("/world/rss.xml")
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        failures, reports = run(ledger, site, tmp_path / "watch.json", [feed])
        assert (failures, site.hits) == (1, [])
        assert [r.error for r in reports if isinstance(r, FeedReport)] == [
            f"{feed}: refused: 127.0.0.1 is a loopback address; add it to ACCORD_FETCH_ALLOW if Accord may fetch it"]


def test_an_article_at_a_private_address_is_refused(site: Site, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        if host == "intranet.example":  # never connected to: refused once resolved
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]
        return real(host, port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    secret = "http://intranet.example/hr/salaries"
    site.routes["/world/rss.xml"] = (200, "application/rss+xml", rss([("inside", secret)]))
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        failures, reports = run(ledger, site, tmp_path / "watch.json", [site.url("/world/rss.xml")])
        assert failures == 1
        assert [(r.link, r.error) for r in reports if isinstance(r, EntryReport)] == [
            (secret, f"{secret}: refused: intranet.example resolves to 10.0.0.5, a private address; "
                     f"add it to ACCORD_FETCH_ALLOW if Accord may fetch it")]
        assert sources(ledger) == []


def test_a_feed_of_another_type_is_refused(site: Site, tmp_path: Path) -> None:
    site.routes["/feed.json"] = (200, "application/json", b'{"items": []}')
    with Ledger(f"sqlite:///{tmp_path / 'ledger.db'}") as ledger:
        failures, reports = run(ledger, site, tmp_path / "watch.json", [site.url("/feed.json")])
        assert [r.error for r in reports if isinstance(r, FeedReport)] == [
            f"{site.url('/feed.json')}: not an RSS or Atom feed (application/json); check the address"]
        assert failures == 1
