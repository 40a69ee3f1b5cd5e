"""URLs: pages, PDFs and texts served by a real local HTTP server; every failure a one-line InputError."""

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fpdf import FPDF

from accord.errors import InputNotFound, InputNotText, InputTooLarge
from accord.ingest import read_document
from accord.ingest.fetch import USER_AGENT, fetch, is_url

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
    release: threading.Event = field(default_factory=threading.Event)


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
    }
    state = Site(base="", routes=routes)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            state.agents.append(self.headers.get("User-Agent", ""))
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


def test_text_keeps_its_line_ends(site: Site) -> None:
    doc = read_document(site.base + "/statement")
    assert (doc.format, doc.text, doc.raw, doc.title) == ("text", TEXT.replace("\n", "\r\n"), None, TITLE)


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
