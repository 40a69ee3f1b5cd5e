"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against `accord serve`.

Every page is checked at laptop (1366×900) and phone (390×844) size — no table wider than the window, no
word broken mid-word, AA contrast for every text — and shot: whole pages to test-artifacts/screenshots/,
the first screenful to docs/screenshots/ for the project's notes.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from accord.api import Ledger

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

OSLO = """Norway and Chile agree to expand trade and clean energy ties
OSLO, March 3, 2025 - Norwegian Prime Minister Jonas Gahr Store and Chilean President Gabriel Boric held talks in Oslo on Monday.
The two sides agreed to raise bilateral trade to US$3 billion by 2027.
Both leaders pledged to speed up the Santiago - Valparaiso railway and the Punta Arenas wind farm.
Norway will train 200 Chilean engineers in offshore wind every year.
The leaders welcomed the progress in fisheries cooperation.
"""
SANTIAGO = """Chile and Norway review cooperation
SANTIAGO, June 10, 2026 - Chilean and Norwegian ministers met in Santiago on Tuesday.
They reaffirmed the goal of raising bilateral trade to US$3 billion by 2027.
The two sides broke ground on the Santiago - Valparaiso railway in May, speeding up the railway project.
"""
TRADE = "The two sides agreed to raise bilateral trade to US$3 billion by 2027."
PASTED = """Kenya and Ghana sign skills pact
NAIROBI, April 2, 2026 - Kenya and Ghana held talks in Nairobi on Thursday.
The two countries agreed to open a joint vocational training centre in Accra by 2028.
"""
NEW = "The two countries agreed to open a joint vocational training centre in Accra by 2028."


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Path) -> Iterator[str]:
    """`accord serve` over a ledger of two documents a year apart, with a target measured at half way.

    It asks for `chromium` so that without a browser the module skips before starting a server."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'ledger.db'}"
    with Ledger(url) as lg:
        lg.ingest_text(OSLO, "oslo.txt")
        lg.ingest_text(SANTIAGO, "santiago.txt")
        lg.add_indicator("trade NO-CL", "USD")
        lg.observe("trade NO-CL", "2025", "1500000000", "customs statistics")
        target = next(c for c in lg.commitments() if c["text"] == TRADE)["targets"][0]
        lg.link_target(target["id"], "trade NO-CL")
    port = _free_port()
    env = {**os.environ, "ACCORD_USERS": "ana:pw", "ACCORD_SECRET_KEY": "test", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen([sys.executable, "-m", "accord", "serve", "--port", str(port), "--db", url],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/static/accord.css", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"accord serve did not start: {err[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()


@pytest.fixture(scope="module")
def browser(server: str, chromium: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(chromium), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync"])
        yield launched
        launched.close()


# What the eye would catch, measured in the page: a table wider than the window, a word broken across
# lines, text whose colour is too close to what is behind it (WCAG 2.1 AA: 4.5:1, 3:1 for large text).
LAYOUT_CHECK = r"""() => {
  const out = {overflow: [], broken: [], contrast: []};
  const width = document.documentElement.clientWidth;
  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.display === 'none' || st.visibility === 'hidden') return false;
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return false;
    }
    return true;
  };
  for (const t of document.querySelectorAll('main table')) {
    const r = t.getBoundingClientRect();
    if (shown(t) && (r.left < -1 || r.right > width + 1)) out.overflow.push(`${t.className || 'table'}: ${Math.round(r.left)}..${Math.round(r.right)} in ${width}px`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const rgba = (c) => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const behind = (el) => {  // the colour under el's text: its backgrounds composited down to the page's
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const st = getComputedStyle(e);
      if (st.backgroundImage !== 'none') return null;  // a gradient or picture: no single colour to judge
      const c = rgba(st.backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const c of layers.reverse()) colour = over(c, colour);
    return colour;
  };
  const judged = new Set();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || !shown(el) || el.closest('script, style, .skip')) continue;
    if (!el.closest('.url, code, pre, svg')) {
      for (const m of n.textContent.matchAll(/[A-Za-z\u00C0-\u024F]{2,}/g)) {
        const range = document.createRange();
        range.setStart(n, m.index); range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) out.broken.push(`${m[0]} (in <${el.tagName.toLowerCase()} class="${el.className}">)`);
      }
    }
    if (judged.has(el)) continue;
    judged.add(el);
    const st = getComputedStyle(el);
    const fg = rgba(st.color), bg = behind(el);
    if (!bg) continue;
    const text = over(fg, bg), [a, b] = [lum(text), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
    const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    if (ratio < needed - 0.005) out.contrast.push(`${ratio.toFixed(2)} < ${needed}: "${n.textContent.trim().slice(0, 40)}" (${st.color} on rgb(${bg.slice(0, 3).map(Math.round)}), <${el.tagName.toLowerCase()} class="${el.className}">)`);
  }
  return out;
}"""


def shoot(page: object, name: str) -> None:
    """Screenshots at laptop and phone size, each checked: the page never scrolls sideways at phone width,
    no table is wider than the window, no word breaks across lines, and every text meets AA contrast."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(100)
        if size == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at phone width ({width}px)"
        found = page.evaluate(LAYOUT_CHECK)
        assert found["overflow"] == [], f"{name} at {size} size: a table overflows: {found['overflow']}"
        assert found["broken"] == [], f"{name} at {size} size: words broken mid-word: {found['broken'][:5]}"
        assert found["contrast"] == [], f"{name} at {size} size: contrast under AA: {found['contrast'][:5]}"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{size}.png"), full_page=True)
        page.screenshot(path=str(DOCS / f"{name}-{size}.png"))  # the committed copy: the first screenful only
    page.set_viewport_size(LAPTOP)


def test_dashboard_scenario(browser: object, server: str) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Overview
    page.goto(server + "/")
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.locator('[role="progressbar"][aria-valuenow="50.0"]')).to_have_count(1)
    shoot(page, "overview")

    # Commitments, filtered by pillar through the form
    page.get_by_role("link", name="Commitments", exact=True).click()
    page.get_by_label("Pillar").select_option("economy_trade")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{server}/commitments?q=&pillar=economy_trade&status=&actor=&sort=id")
    rows = page.locator("table.commitments tbody tr")
    expect(rows).to_have_count(2)  # the trade target and the engineers' training
    expect(rows.first.locator(".text-cell > a")).to_have_text(TRADE)
    shoot(page, "commitments")

    # A commitment: every source sentence highlighted inside its document
    rows.first.locator(".text-cell > a").click()
    expect(page.locator(".facts")).to_contain_text("CHL-NOR")
    expect(page.locator("h1")).to_have_text(TRADE)
    sources = page.request.get(page.url.replace("/commitments/", "/api/v1/commitments/")).json()["sources"]
    assert len(sources) == 2
    for source in sources:
        expect(page.locator(f"#source-{source['statement']}")).to_have_text(source["text"])
    expect(page.locator("mark").first).to_have_text(TRADE)
    shoot(page, "commitment")

    # Its document, opened at the sentence, which the inspector explains
    first = next(s for s in sources if s["text"] == TRADE)
    page.locator(f'a[href="/documents/{first["document"]}#s{first["statement"]}"]').first.click()
    sentence = page.locator(f"#s{first['statement']}")
    expect(sentence).to_have_text(TRADE)
    expect(sentence).to_have_class("st st-commitment selected")
    expect(page.locator("#inspector")).to_be_visible()
    expect(page.locator("#inspector")).to_contain_text("Economy & trade")
    shoot(page, "document")

    # An entity named in the text
    page.get_by_role("link", name="Santiago - Valparaiso railway").first.click()
    expect(page.locator("h1")).to_have_text("Santiago - Valparaiso railway")
    expect(page.locator("#ent-statements")).to_contain_text("(2)")
    shoot(page, "entity")

    # Relations: the one relation, then its occasions on a timeline and its commitments by pillar
    page.get_by_role("link", name="Relations", exact=True).click()
    expect(page.locator("h1")).to_have_text("Relations")
    row = page.locator("table.relations tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Chile CHL, Norway NOR", "2", "2", "3", "2025-03-03 – 2026-06-10"])
    shoot(page, "relations")
    row.get_by_role("link", name="CHL-NOR").click()
    expect(page).to_have_url(server + "/relations/CHL-NOR")
    expect(page.locator("h1")).to_have_text("Chile – Norway")
    occasions = page.locator("ol.timeline > li")
    expect(occasions).to_have_count(2)
    expect(occasions.locator("time")).to_have_text(["2025-03-03", "2026-06-10"])  # oldest first
    expect(occasions.first).to_contain_text("Norway and Chile agree to expand trade and clean energy ties")
    expect(occasions.last).to_contain_text("Chile and Norway review cooperation")
    expect(page.locator("#pillar-economy_trade")).to_contain_text("Economy & trade (2)")
    expect(page.locator("#pillar-infrastructure_transport")).to_contain_text("(1)")
    expect(page.locator(".pillar-group .stack").first).to_be_visible()
    expect(page.locator('#targets ~ .target-list [role="progressbar"][aria-valuenow="50.0"]')).to_have_count(1)
    shoot(page, "relation")
    page.locator(".pillar-commitments").get_by_role("link", name=TRADE).first.click()
    expect(page.locator("h1")).to_have_text(TRADE)

    # Sign in, then ingest a pasted text and find its commitment in the list
    page.goto(server + "/ingest")
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Name").fill("ana")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server + "/ingest")
    shoot(page, "ingest")
    page.get_by_label("Text", exact=True).fill(PASTED)
    page.get_by_role("button", name="Ingest").click()
    expect(page).to_have_url(re.compile(re.escape(server) + r"/jobs/[\w-]{22}$"))  # the job's page follows it
    # The page reloads itself each second (a Refresh header) until the job is done; the first ingest
    # also loads the pipeline, so this may take a while on a busy machine.
    expect(page.locator(".flash")).to_contain_text("Added: 3 statements, 1 new commitments", timeout=90_000)
    expect(page.locator("h1")).to_have_text("Ingest: pasted text")
    shoot(page, "job")
    page.get_by_role("link", name="Kenya and Ghana sign skills pact").click()
    expect(page.locator("h1")).to_have_text("Kenya and Ghana sign skills pact")
    page.goto(server + "/commitments?q=vocational")
    expect(page.locator("table.commitments .text-cell > a")).to_have_text([NEW])

    # Record a status change and see it in the history
    page.get_by_role("link", name=NEW).click()
    page.get_by_label("New value").select_option("status:in_progress")
    page.get_by_label("Evidence").fill("The training centre's first intake began in September.")
    page.get_by_label("Date observed").fill("2026-09-15")
    page.get_by_role("button", name="Record").click()
    history = page.locator("ol.history")
    expect(history).to_contain_text("Status: In progress")
    expect(history).to_contain_text("The training centre's first intake began in September.")
    expect(history).to_contain_text("2026-09-15")
    expect(page.locator(".facts")).to_contain_text("In progress")

    # Review, signed in: the candidate with its buttons
    page.goto(server + "/review")
    expect(page.get_by_role("button", name="Accept")).to_have_count(1)
    shoot(page, "review")

    # Correct a document's parties, signed in: it moves to its new relation, and says who corrected it
    page.goto(server + "/documents")
    page.get_by_role("link", name="Kenya and Ghana sign skills pact").click()
    expect(page.locator(".doc-parties")).to_contain_text("GHA-KEN")
    page.get_by_label("Correct the parties").fill("KEN, GHA, UGA")
    page.get_by_role("button", name="Set parties").click()
    expect(page.locator(".flash")).to_have_text("Parties set: GHA, KEN, UGA (relation GHA-KEN-UGA).")
    expect(page.locator("#parties")).to_contain_text("Corrected by")
    expect(page.locator("#parties")).to_contain_text("ana")
    shoot(page, "document-parties")
    page.locator("#parties").get_by_role("link", name="GHA-KEN-UGA").click()
    expect(page.locator("h1")).to_have_text("Ghana – Kenya – Uganda")
    expect(page.locator(".pillar-commitments")).to_contain_text(NEW)
    assert errors == []
    context.close()


def test_api_docs_render_from_this_server_alone(browser: object, server: str) -> None:
    """Swagger UI comes from the server's own files: every request the page makes stays on it."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(server) else elsewhere.append(request.url))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(server + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accord", timeout=30_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/commitments").first).to_be_visible()
    assert elsewhere == [] and errors == []
    page.close()


def test_finding_things_at_both_sizes(browser: object, server: str) -> None:
    """Search with facets, the entities and documents lists, sign-in and error pages, and the Atom feeds."""
    import feedparser  # type: ignore[import-untyped]  # ships no type information
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport=LAPTOP)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(server + "/search?q=railway")
    expect(page.locator("ol.hits > li")).to_have_count(2)  # the pledge (2025) and the ground-breaking (2026)
    expect(page.locator(".facets")).to_contain_text("2026 (1)")
    shoot(page, "search")
    page.locator(".facets").get_by_role("link", name="2025").click()
    expect(page).to_have_url(f"{server}/search?q=railway&year=2025")
    expect(page.locator("ol.hits > li")).to_have_count(1)
    expect(page.locator("ol.hits > li")).to_contain_text("pledged to speed up the Santiago - Valparaiso railway")
    page.locator(".facets").get_by_role("link", name="Remove year 2025").click()
    expect(page.locator("ol.hits > li")).to_have_count(2)

    page.goto(server + "/entities")
    expect(page.locator("h1")).to_have_text("Entities")
    shoot(page, "entities")
    page.locator(".tabs").get_by_role("link", name=re.compile(r"^Place \(\d+\)$")).click()
    expect(page.locator("table.responsive tbody tr").first).to_contain_text("Place")

    page.goto(server + "/documents")
    stored = page.request.get(server + "/api/v1/documents").json()["total"]  # the scenario may have added one
    expect(page.locator("table.responsive tbody tr")).to_have_count(stored)
    shoot(page, "documents")

    page.goto(server + "/login")
    shoot(page, "login")
    page.goto(server + "/logout")
    shoot(page, "logout")
    page.goto(server + "/commitments/999999")
    expect(page.locator("main")).to_contain_text("no commitment 999999")
    shoot(page, "error")

    page.goto(server + "/relations/CHL-NOR")
    feed_url = page.locator('link[rel="alternate"][type="application/atom+xml"]').last.get_attribute("href")
    assert feed_url == "/relations/CHL-NOR/feed.atom"
    for url in ("/feed.atom", feed_url):
        answer = page.request.get(server + url)
        assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(answer.text())
        assert feed.bozo == 0 and any(TRADE in e.title or TRADE[:60] in e.title for e in feed.entries)
    assert errors == []
    page.close()


def test_indicator_flow_upload_link_and_progress(browser: object, server: str) -> None:
    """Sign in, import a CSV on /indicators (a bad file first: refused in one sentence), link the trade
    target to the new indicator on its commitment page and see its bar move; then link it back, so the
    module's ledger reads as the other tests expect (the trade target at half way)."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/login?next=/indicators")
    page.get_by_label("Name").fill("ana")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server + "/indicators")

    head = "indicator,period,value,source,unit\n"
    bad = head + "NO-CL trade (mirror),2024,1800000000,Statistics Norway,USD\nNO-CL trade (mirror),2025,n/a,SSB,USD\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "mirror.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash-error")).to_have_text(
        "mirror.csv, row 3: the value 'n/a' is not a number; nothing was imported")
    expect(page.get_by_role("link", name="NO-CL trade (mirror)")).to_have_count(0)
    good = head + "NO-CL trade (mirror),2024,1800000000,Statistics Norway,USD\n" \
                  "NO-CL trade (mirror),2025,2400000000,Statistics Norway,USD\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "mirror.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".flash")).to_have_text("mirror.csv: 2 observations added.")
    row = page.locator("table.indicators tbody tr", has_text="NO-CL trade (mirror)")
    expect(row.locator("td")).to_have_text(["NO-CL trade (mirror)", "USD", "yearly", "2",
                                            "US$2.4 billion (2025-12-31)", "no target"])
    shoot(page, "indicators")
    row.get_by_role("link", name="NO-CL trade (mirror)").click()
    expect(page.locator("h1")).to_have_text("NO-CL trade (mirror)")
    expect(page.locator("svg.indicator-chart circle.point")).to_have_count(2)
    expect(page.locator("table.observations tbody tr")).to_have_count(2)

    # The trade target, tracked at half way by the fixture's indicator, from its link on the list
    page.goto(server + "/indicators")
    page.locator("table.indicators tbody tr", has_text="trade NO-CL").get_by_role(
        "link", name=re.compile(r"^target \d+$")).click()
    target = page.locator('li[id^="target-"]')
    expect(target).to_have_count(1)
    number = (target.get_attribute("id") or "").removeprefix("target-")
    expect(target.locator(".target-id")).to_contain_text(f"target {number}")
    bar = target.locator('[role="progressbar"]')

    def share() -> float:
        done: float = bar.locator("span").evaluate(
            "e => e.getBoundingClientRect().width / e.parentElement.getBoundingClientRect().width")
        return done

    expect(bar).to_have_attribute("aria-valuenow", "50.0")
    assert abs(share() - 0.5) < 0.01
    target.get_by_label(f"Indicator for target {number}").select_option(label="NO-CL trade (mirror) (USD)")
    target.get_by_role("button", name="Link").click()
    expect(page.locator(".flash")).to_have_text(f"Target {number} is tracked by NO-CL trade (mirror).")
    expect(bar).to_have_attribute("aria-valuenow", "80.0")  # 2.4 of 3 billion
    expect(target.locator(".progress-note")).to_contain_text("80.00 %")
    assert abs(share() - 0.8) < 0.01
    target.locator(".target-id").get_by_role("link").click()  # the indicator's page: its series and the target
    expect(page.locator("h1")).to_have_text("NO-CL trade (mirror)")
    expect(page.locator("svg.indicator-chart line.goal")).to_have_count(1)
    expect(page.locator('#tracks ~ .target-list [role="progressbar"]')).to_have_attribute("aria-valuenow", "80.0")
    shoot(page, "indicator")
    page.go_back()

    target.get_by_label(f"Indicator for target {number}").select_option(label="trade NO-CL (USD)")
    target.get_by_role("button", name="Link").click()
    expect(bar).to_have_attribute("aria-valuenow", "50.0")
    assert abs(share() - 0.5) < 0.01
    assert errors == []
    context.close()
