"""URLs: pages, PDFs and texts served by a real local HTTP server; every failure a one-line InputError.

The server listens on 127.0.0.1, which fetching refuses unless ACCORD_FETCH_ALLOW allows it: the autouse
fixture allows it, the tests of refusals take it away. Other addresses are only ever given by a stub of
socket.getaddrinfo, and refused before any connection, so no test reaches past loopback.
"""

import gzip
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from fpdf import FPDF

from accord.errors import AccordError, InputError, InputNotFound, InputNotText, InputTooLarge
from accord.ingest import read_document
from accord.ingest.fetch import FEED_TYPES, USER_AGENT, FetchPolicy, fetch, is_url, refusal, resolve

PARAGRAPHS = [
    "Thailand and Cambodia agreed on Tuesday to reopen two border checkpoints by March 2026.",
    "The foreign ministers met in Siem Reap for six hours of talks, the first since the ceasefire.",
    "Both sides committed to a joint survey of the disputed border segment within twelve months.",
]
TITLE = "Thailand and Cambodia agree to reopen checkpoints"
TEXT = "\n".join([TITLE, *PARAGRAPHS]) + "\n"
PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title>
<meta property="og:site_name" content="Mekong Daily">
<meta property="article:published_time" content="2025-11-18">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{TITLE}</h1>{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</article>
<footer>Copyright Mekong Daily</footer></body></html>"""
NO_ARTICLE = """<!DOCTYPE html><html><head><title>Mekong Daily</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav></body></html>"""


def make_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_title(TITLE)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in [TITLE, *PARAGRAPHS]:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@dataclass
class Site:
    """A local HTTP server: `routes` maps a path to (status, headers, body)."""

    base: str
    routes: dict[str, tuple[int, dict[str, str], bytes]]
    agents: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)  # each request's Host header
    release: threading.Event = field(default_factory=threading.Event)
    sent: int = 0  # bytes of /endless and /drip written before the client hung up
    hung_up: threading.Event = field(default_factory=threading.Event)


@pytest.fixture(autouse=True)
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_FETCH_ALLOW", "127.0.0.1")
    monkeypatch.delenv("ACCORD_MAX_UPLOAD", raising=False)


Resolver = Callable[[dict[str, list[str]]], list[str]]


@pytest.fixture()
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """Stub socket.getaddrinfo: the names given resolve to the addresses given (and are recorded in the
    list returned, once per lookup); every other name, 127.0.0.1 included, resolves as it does."""
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def install(table: dict[str, list[str]]) -> list[str]:
        def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
            if host not in table:
                return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
            looked_up.append(host)
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port, 0, 0) if ":" in a else (a, port)) for a in table[host]]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        return looked_up

    return install


@pytest.fixture()
def site() -> Iterator[Site]:
    pdf = make_pdf()
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {
        "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()),
        "/report": (200, {"Content-Type": "application/pdf"}, pdf),
        "/statement": (200, {"Content-Type": "text/plain; charset=utf-8"}, TEXT.replace("\n", "\r\n").encode()),
        "/latin1": (200, {"Content-Type": "text/plain; charset=ISO-8859-1"}, "Phnôm Pénh talks.\n".encode("latin-1")),
        "/binary": (200, {"Content-Type": "text/plain"}, b"\x00\x01\x02binary"),
        "/download": (200, {"Content-Type": "application/octet-stream"}, pdf),
        "/untyped-page": (200, {}, PAGE.encode()),
        "/untyped-text": (200, {}, TEXT.encode()),
        "/moved": (301, {"Location": "/article"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/empty-page": (200, {"Content-Type": "text/html"}, NO_ARTICLE.encode()),
        "/big": (200, {"Content-Type": "text/plain"}, b"x" * 5000),
        "/big-unsized": (200, {"Content-Type": "text/plain", "Content-Length": ""}, b"x" * 5000),
        "/error": (500, {"Content-Type": "text/plain"}, b"oops"),
        "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/json": (200, {"Content-Type": "application/json"}, b"{}"),
        "/feed": (200, {"Content-Type": "application/rss+xml"}, b"<rss/>"),
        "/gzipped": (200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
                     gzip.compress(PAGE.encode())),
        "/bomb": (200, {"Content-Type": "text/plain", "Content-Encoding": "gzip"},
                  gzip.compress(b"\0" * 50_000_000, compresslevel=9)),
        "/brotli": (200, {"Content-Type": "text/plain", "Content-Encoding": "br"}, b"\x0b\x00\x80"),
        "/to-private": (302, {"Location": "http://10.0.0.1/admin"}, b""),
        "/to-metadata": (302, {"Location": "http://metadata.internal/latest/meta-data/"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/to-self": (302, {"Location": "/article"}, b""),
    }
    state = Site(base="", routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            state.agents.append(self.headers.get("User-Agent", ""))
            state.hosts.append(self.headers.get("Host", ""))
            if self.path in ("/endless", "/drip"):
                self.stream(1 << 30 if self.path == "/endless" else 1 << 20, 65_536 if self.path == "/endless" else 1)
                return
            if self.path == "/slow":
                state.release.wait(5)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in headers.items():
                if value:
                    self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def stream(self, total: int, chunk: int) -> None:
            """A text body of `total` bytes with no length (it ends when the connection does), written
            `chunk` bytes at a time, a byte every 0.05 s when `chunk` is 1, until the client hangs up."""
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            try:
                while state.sent < total:
                    self.wfile.write(b"x" * chunk)
                    self.wfile.flush()
                    state.sent += chunk
                    if chunk == 1:
                        time.sleep(0.05)
            except OSError:
                pass  # the client hung up, as it should
            finally:
                state.hung_up.set()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            pass  # keep the test output to the tests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def test_html_page(site: Site) -> None:
    doc = read_document(site.base + "/article")
    assert doc.text == "\n".join([TITLE, *PARAGRAPHS])
    assert (doc.format, doc.title, doc.outlet, doc.published) == ("html", TITLE, "Mekong Daily", date(2025, 11, 18))
    assert doc.source == site.base + "/article"
    assert doc.raw == PAGE.encode()


def test_pdf(site: Site) -> None:
    doc = read_document(site.base + "/report")
    assert (doc.format, doc.title, doc.text) == ("pdf", TITLE, "\n".join([TITLE, *PARAGRAPHS]))
    assert doc.raw == site.routes["/report"][2]


def test_text_line_ends_as_stored(site: Site) -> None:
    doc = read_document(site.base + "/statement")  # sent with CRLF; stored as every text is, with LF
    assert (doc.format, doc.text, doc.raw, doc.title) == ("text", TEXT, None, TITLE)


def test_text_in_its_declared_charset(site: Site) -> None:
    assert read_document(site.base + "/latin1").text == "Phnôm Pénh talks.\n"


def test_binary_sent_as_text(site: Site) -> None:
    with pytest.raises(InputNotText, match="binary content"):
        read_document(site.base + "/binary")


@pytest.mark.parametrize(("path", "fmt"), [("/download", "pdf"), ("/untyped-page", "html"), ("/untyped-text", "text")])
def test_format_sniffed_when_the_type_says_nothing(site: Site, path: str, fmt: str) -> None:
    assert read_document(site.base + path).format == fmt


def test_redirects_are_followed(site: Site) -> None:
    fetched = fetch(site.base + "/moved", timeout=5, max_bytes=1_000_000)
    assert (fetched.url, fetched.media_type, fetched.charset) == (site.base + "/article", "text/html", "utf-8")
    doc = read_document(site.base + "/moved")
    assert doc.source == site.base + "/moved"  # as the user gave it
    assert doc.format == "html"


def test_user_agent(site: Site) -> None:
    read_document(site.base + "/statement")
    assert site.agents == [USER_AGENT]
    assert USER_AGENT.startswith("Accord/0.1")


def test_http_404(site: Site) -> None:
    with pytest.raises(InputNotFound, match=r"^http://127\.0\.0\.1:\d+/missing: HTTP 404 Not Found; check the address$"):
        read_document(site.base + "/missing")


def test_http_500(site: Site) -> None:
    with pytest.raises(InputNotFound, match=r"/error: HTTP 500 Internal Server Error"):
        read_document(site.base + "/error")


def test_redirect_loop(site: Site) -> None:
    with pytest.raises(InputNotFound, match="/loop: too many redirects"):
        read_document(site.base + "/loop")


def test_page_without_an_article(site: Site) -> None:
    with pytest.raises(InputNotText, match="/empty-page: no article text found in the page"):
        read_document(site.base + "/empty-page")


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_over_the_size_limit(site: Site, path: str) -> None:
    with pytest.raises(InputTooLarge, match=rf"{path}: larger than the limit of 1,000 bytes"):
        read_document(site.base + path, max_bytes=1000)


def test_timeout(site: Site) -> None:
    with pytest.raises(InputNotFound, match=r"/slow: no answer within 0\.2 s; try again or raise the timeout"):
        read_document(site.base + "/slow", timeout=0.2)


def test_connection_refused() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and has no server now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputNotFound, match=rf"^http://127\.0\.0\.1:{port}/a: could not connect \(.+\); "):
        read_document(f"http://127.0.0.1:{port}/a")


def test_malformed_url() -> None:
    with pytest.raises(InputNotFound, match=r"^http://\[::1: could not fetch"):
        read_document("http://[::1")


@pytest.mark.parametrize(
    ("source", "url"),
    [("https://example.org/a", True), ("HTTP://example.org", True), ("ftp://example.org/a", False),
     ("statement.txt", False), ("/tmp/http:/x", False)],
)
def test_is_url(source: str, url: bool) -> None:
    assert is_url(source) is url


# -- what fetching refuses ---------------------------------------------------------------------------------

REFUSED = "add it to ACCORD_FETCH_ALLOW if Accord may fetch it"


def test_loopback_refused_unless_allowed(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_FETCH_ALLOW")
    url = site.base + "/article"
    with pytest.raises(InputError, match=rf"^{url}: refused: 127\.0\.0\.1 is a loopback address; {REFUSED}$"):
        read_document(url)
    assert site.agents == []  # refused before connecting
    for allow in ["127.0.0.0/8", " 10.0.0.0/8 , 127.0.0.1/32", "::ffff:127.0.0.1"]:
        monkeypatch.setenv("ACCORD_FETCH_ALLOW", allow)
        assert read_document(url).title == TITLE


def test_an_allowed_host_name(site: Site, monkeypatch: pytest.MonkeyPatch, resolver: Resolver) -> None:
    monkeypatch.delenv("ACCORD_FETCH_ALLOW")
    port = site.base.rsplit(":", 1)[1]
    resolver({"intranet.example": ["127.0.0.1"]})
    url = f"http://intranet.example:{port}/article"
    with pytest.raises(InputError, match=rf"^{url}: refused: intranet\.example resolves to 127\.0\.0\.1, a loopback"):
        read_document(url)
    monkeypatch.setenv("ACCORD_FETCH_ALLOW", "Intranet.Example.")
    assert read_document(url).title == TITLE
    assert site.hosts == [f"intranet.example:{port}"]


def test_connects_to_the_address_it_checked(site: Site, resolver: Resolver) -> None:
    """DNS rebinding: the name resolves to an allowed address when checked and to another right after;
    the connection goes to the one checked, the name is looked up once, and the server sees the name."""
    port = site.base.rsplit(":", 1)[1]
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    table: dict[str, list[str]] = {}

    class Rebinding(dict[str, list[str]]):
        def __contains__(self, host: object) -> bool:
            return host == "rebind.example"

        def __getitem__(self, host: str) -> list[str]:
            table[host] = next(answers)
            return table[host]

    looked_up = resolver(Rebinding())
    fetched = fetch(f"http://rebind.example:{port}/article")
    assert (fetched.url, fetched.media_type, looked_up) == (f"http://rebind.example:{port}/article", "text/html",
                                                            ["rebind.example"])
    assert site.hosts == [f"rebind.example:{port}"]


def test_a_redirect_to_a_refused_address(site: Site, resolver: Resolver) -> None:
    resolver({"metadata.internal": ["169.254.169.254"]})
    with pytest.raises(InputError, match=r"/to-private: redirected to http://10\.0\.0\.1/admin: refused: "
                                         rf"10\.0\.0\.1 is a private address; {REFUSED}$"):
        read_document(site.base + "/to-private")
    with pytest.raises(InputError, match=r"/to-metadata: redirected to http://metadata\.internal/latest/meta-data/: "
                                         r"refused: metadata\.internal resolves to 169\.254\.169\.254, the cloud "
                                         r"metadata address; "):
        read_document(site.base + "/to-metadata")
    with pytest.raises(InputError, match=r"/to-file: redirected to file:/+etc/passwd: only http and https "
                                         r"addresses are fetched$"):
        read_document(site.base + "/to-file")
    assert site.agents == [USER_AGENT] * 3  # each redirect answered, none followed


def test_a_redirect_to_loopback_is_checked_too(site: Site, monkeypatch: pytest.MonkeyPatch,
                                               resolver: Resolver) -> None:
    port = site.base.rsplit(":", 1)[1]
    resolver({"news.example": ["127.0.0.1"]})
    monkeypatch.setenv("ACCORD_FETCH_ALLOW", "news.example")
    site.routes["/away"] = (302, {"Location": f"http://127.0.0.1:{port}/article"}, b"")
    with pytest.raises(InputError, match=rf"/away: redirected to http://127\.0\.0\.1:{port}/article: refused: "
                                         r"127\.0\.0\.1 is a loopback address; "):
        fetch(f"http://news.example:{port}/away")
    site.routes["/away"] = (302, {"Location": "/to-self"}, b"")  # relative, to the allowed name
    assert fetch(f"http://news.example:{port}/away").url == f"http://news.example:{port}/article"


@pytest.mark.parametrize(("address", "why"), [
    ("127.0.0.2", "a loopback address"), ("::1", "a loopback address"),
    ("10.1.2.3", "a private address"), ("172.16.0.1", "a private address"), ("172.31.255.255", "a private address"),
    ("192.168.0.1", "a private address"), ("fc00::1", "a private address"), ("fd12:3456::1", "a private address"),
    ("169.254.1.1", "a link-local address"), ("fe80::1", "a link-local address"),
    ("100.64.0.1", "a carrier-grade NAT address"), ("100.127.255.254", "a carrier-grade NAT address"),
    ("224.0.0.1", "a multicast address"), ("239.255.255.250", "a multicast address"), ("ff02::1", "a multicast address"),
    ("0.0.0.0", "an unspecified address"), ("::", "an unspecified address"),
    ("240.0.0.1", "a reserved address"), ("255.255.255.255", "a reserved address"), ("192.0.2.1", "a reserved address"),
    ("198.18.0.1", "a reserved address"), ("2001:db8::1", "a reserved address"),
    ("169.254.169.254", "the cloud metadata address"), ("fd00:ec2::254", "the cloud metadata address"),
    ("::ffff:127.0.0.1", "a loopback address"), ("::ffff:10.0.0.1", "a private address"),
    ("::ffff:169.254.169.254", "the cloud metadata address"), ("::ffff:100.64.0.1", "a carrier-grade NAT address"),
    ("64:ff9b::a9fe:a9fe", "the cloud metadata address"), ("2002:c0a8:101::1", "a private address"),
])
def test_every_range_is_refused(address: str, why: str, resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_FETCH_ALLOW")
    looked_up = resolver({"news.example": [address]})
    shown = ipaddress.ip_address(address)
    with pytest.raises(InputError, match=rf"^http://news\.example/a: refused: news\.example resolves to "
                                         rf"{re.escape(str(shown))}, {why}; {REFUSED}$"):
        fetch("http://news.example/a")
    assert looked_up == ["news.example"]
    assert refusal(shown) == why


def test_a_literal_address_is_refused_without_a_lookup() -> None:
    with pytest.raises(InputError, match=rf"^http://\[::ffff:a00:1\]:8080/x: refused: ::ffff:a00:1 is a private "):
        fetch("http://[::ffff:a00:1]:8080/x")
    with pytest.raises(InputError, match=r"^http://2130706433/: refused: 2130706433 resolves to 127\.0\.0\.1, "
                                         r"a loopback address; "):
        fetch("http://2130706433/", policy=FetchPolicy())  # an integer is an IPv4 address to the resolver


def test_one_refused_address_refuses_the_host(resolver: Resolver) -> None:
    resolver({"news.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "10.0.0.7"]})
    with pytest.raises(InputError, match=r"^refused: news\.example resolves to 10\.0\.0\.7, a private address"):
        resolve("news.example", 443, FetchPolicy())


def test_public_addresses_pass(resolver: Resolver) -> None:
    public = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8", "2002:808:808::1"]
    resolver({"news.example": [*public, "93.184.215.14"]})
    assert resolve("news.example", 443, FetchPolicy()) == public  # checked only, never connected to


def test_the_allow_list(resolver: Resolver) -> None:
    policy = FetchPolicy.from_env({"ACCORD_FETCH_ALLOW": "10.0.0.0/8, intranet.example, [fd00::1], 169.254.169.254"})
    resolver({"wiki": ["10.20.30.40"], "intranet.example": ["192.168.1.5", "fd00::1"],
              "sneaky.example": ["fd00::2"], "metadata.internal": ["169.254.169.254"]})
    assert resolve("wiki", 80, policy) == ["10.20.30.40"]
    assert resolve("intranet.example", 80, policy) == ["192.168.1.5", "fd00::1"]
    assert resolve("metadata.internal", 80, policy) == ["169.254.169.254"]  # its address named as such
    with pytest.raises(InputError, match="sneaky.example resolves to fd00::2, a private address"):
        resolve("sneaky.example", 80, policy)
    # A name allowed is not the metadata address allowed: that takes the address itself.
    resolver({"intranet.example": ["169.254.169.254"]})
    with pytest.raises(InputError, match="intranet.example resolves to 169.254.169.254, the cloud metadata"):
        resolve("intranet.example", 80, FetchPolicy.from_env({"ACCORD_FETCH_ALLOW": "intranet.example"}))


@pytest.mark.parametrize("allow", ["10.0.0.0/33", "http://intranet", "intra net", "a/b"])
def test_a_bad_allow_list(allow: str) -> None:
    with pytest.raises(AccordError, match=rf"^ACCORD_FETCH_ALLOW: '{re.escape(allow)}' is not a host name, address "
                                          r"or CIDR range; separate entries with commas$"):
        FetchPolicy.from_env({"ACCORD_FETCH_ALLOW": allow})


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/a", "gopher://127.0.0.1:70/_x",
                                 "FILE://localhost/etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(InputError, match=rf"^{re.escape(url)}: only http and https addresses are fetched$"):
        fetch(url)


@pytest.mark.parametrize("url", ["http:///etc/passwd", "https://:443/a"])
def test_an_address_without_a_host(url: str) -> None:
    with pytest.raises(InputNotFound, match=rf"^{re.escape(url)}: no host in the address; check it$"):
        fetch(url)


@pytest.mark.parametrize(("path", "media_type"), [("/image", "image/png"), ("/json", "application/json"),
                                                  ("/feed", "application/rss+xml")])
def test_a_type_it_does_not_read(site: Site, path: str, media_type: str) -> None:
    with pytest.raises(InputNotText, match=rf"^{site.base}{path}: not a page, text or PDF \({re.escape(media_type)}\); "
                                           r"check the address$"):
        read_document(site.base + path)


def test_a_feed_takes_feed_types(site: Site) -> None:
    assert fetch(site.base + "/feed", accept=FEED_TYPES).content == b"<rss/>"
    with pytest.raises(InputNotText, match=r"/article: not an RSS or Atom feed \(text/html\); check the address$"):
        fetch(site.base + "/article", accept=FEED_TYPES)


def test_an_endless_body_is_refused_without_reading_it(site: Site) -> None:
    with pytest.raises(InputTooLarge, match=r"/endless: larger than the limit of 100,000 bytes; raise max_bytes "):
        fetch(site.base + "/endless", max_bytes=100_000)
    assert site.hung_up.wait(10)
    assert site.sent < 64 * 1024 * 1024  # of 1 GiB: what socket buffers took before the client hung up


def test_the_limit_is_the_upload_limit(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    assert FetchPolicy.from_env({}).max_bytes == 5_000_000
    monkeypatch.setenv("ACCORD_MAX_UPLOAD", "4000")
    with pytest.raises(InputTooLarge, match=r"/big: larger than the limit of 4,000 bytes; raise ACCORD_MAX_UPLOAD "):
        read_document(site.base + "/big")  # read_document asks for more; the setting wins
    with pytest.raises(InputTooLarge, match=r"/big: larger than the limit of 1,000 bytes; raise max_bytes "):
        read_document(site.base + "/big", max_bytes=1000)  # asking for less is heard


def test_a_compressed_page(site: Site) -> None:
    assert read_document(site.base + "/gzipped").text == "\n".join([TITLE, *PARAGRAPHS])


def test_a_compressed_body_is_counted_as_it_inflates(site: Site) -> None:
    # 50 MB of zeros in about 50 kB of gzip: refused at the first megabyte, never inflated whole.
    with pytest.raises(InputTooLarge, match=r"/bomb: larger than the limit of 1,000,000 bytes"):
        fetch(site.base + "/bomb", max_bytes=1_000_000)


def test_an_encoding_it_does_not_read(site: Site) -> None:
    with pytest.raises(InputNotText, match=r"/brotli: sent with Content-Encoding br, which Accord does not read$"):
        fetch(site.base + "/brotli")


def test_the_time_limit_is_for_the_whole_fetch(site: Site) -> None:
    """A byte every 0.05 s never lets a read wait long; the fetch still ends at its limit."""
    started = time.monotonic()
    with pytest.raises(InputNotFound, match=r"/drip: no answer within 0\.5 s; try again or raise the timeout$"):
        fetch(site.base + "/drip", timeout=0.5)
    assert time.monotonic() - started < 2


def test_cli_ingest_refuses_loopback(cli: Callable[..., object], site: Site, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_FETCH_ALLOW")
    url = site.base + "/article"
    done = cli("ingest", url, "--db", f"sqlite:///{tmp_path / 'ledger.db'}")
    assert isinstance(done, CompletedProcess)
    # One line on stderr; the run's summary on stdout; exit 1, as for any source that could not be read.
    assert (done.returncode, done.stdout) == (2, "0 stored, 0 already in the ledger, 1 failed\n")
    assert done.stderr == f"accord: error: {url}: refused: 127.0.0.1 is a loopback address; {REFUSED}\n"
    assert site.agents == []


@pytest.fixture()
def tls_site(site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, list[str]]]:
    """The site's pages over HTTPS on 127.0.0.1, with a certificate for news.example that the client
    trusts (certifi's bundle replaced by it); yields the port and the SNI names the server was sent."""
    import ssl
    import subprocess

    import certifi

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=news.example",
                    "-addext", "subjectAltName=DNS:news.example"], check=True, capture_output=True)
    monkeypatch.setattr(certifi, "where", lambda: str(cert))
    names: list[str] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name or "")  # type: ignore[assignment,func-returns-value]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            status, headers, body = site.routes.get(self.path, (404, {}, b"not found"))
            site.hosts.append(self.headers.get("Host", ""))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a refused handshake is what some tests want

    server = Server(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server.server_address[1], names
    server.shutdown()
    server.server_close()
    thread.join()


def test_https_goes_to_the_checked_address_under_the_host_name(tls_site: tuple[int, list[str]],
                                                                resolver: Resolver) -> None:
    port, names = tls_site
    resolver({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    fetched = fetch(f"https://news.example:{port}/article")  # the certificate names news.example, not 127.0.0.1
    assert (fetched.url, fetched.media_type, names) == (f"https://news.example:{port}/article", "text/html",
                                                        ["news.example"])
    # Another name at the same address: the certificate, checked against that name, does not match.
    with pytest.raises(InputNotFound, match=rf"^https://other\.example:{port}/article: could not connect "
                                            r"\(.*certificate verify failed.*\); check the address$"):
        fetch(f"https://other.example:{port}/article")
    assert names == ["news.example", "other.example"]
