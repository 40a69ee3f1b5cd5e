"""`make bench`: a bounded load test of `accord serve` on SQLite while an ingest runs (127.0.0.1 only).

Starts `accord serve` as its own process on a fresh SQLite ledger holding the bundled samples, then for
at most `--seconds` (default 45, never over 60):
- `--readers` threads read in a loop: the commitments list, a filtered list, a commitment, a search, the
  documents list and the commitments page;
- one thread records a status change every 0.1 s through the API (a bearer token);
- one long document (built here from sentence frames, about `--words` words) is posted as an ingest job
  and its job polled until it is done.
Prints the p50 / p95 / max of reads while the ingest ran and after it, the number of 5xx answers and of
failed writes, and how long the ingest took. Exits 1 if any read or write failed, or if the p95 of reads
during the ingest is over 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "load-test-token"
GOAL_P95_MS = 300.0

PLACES = ["the northern provinces", "the river delta", "the capital", "three border districts", "the coastal zone",
          "the highland regions", "two port cities", "the industrial corridor"]
THINGS = [("build", "schools"), ("train", "nurses"), ("open", "vocational centres"), ("repair", "bridges"),
          ("install", "solar pumps"), ("equip", "district clinics"), ("plant", "hectares of mangroves")]
FRAMES = [
    "The two governments agreed to {verb} {n} {thing} in {place} by {year}.",
    "Both sides will {verb} {n} more {thing} in {place} before the end of {year}, the ministers said.",
    "Officials noted that {n} {thing} had already been completed in {place} since {past}.",
    "The delegations discussed ways to speed up work on {thing} in {place}.",
    "Under the new plan, the partners pledged {money} million dollars to {verb} {thing} in {place} by {year}.",
    "The ministers welcomed progress on {thing} in {place} and asked their teams to report by {year}.",
]


def long_text(words: int, seed: int = 7) -> str:
    """A report of about `words` words from the frames above: text Accord must read in full."""
    rng = random.Random(seed)
    lines = ["Ministers of the two countries met for their annual review of cooperation."]
    count = 9
    while count < words:
        verb, thing = rng.choice(THINGS)
        line = rng.choice(FRAMES).format(verb=verb, thing=thing, place=rng.choice(PLACES), n=rng.randint(2, 900),
                                         year=rng.randint(2027, 2035), past=rng.randint(2015, 2024),
                                         money=rng.randint(5, 400))
        lines.append(line)
        count += len(line.split())
    return "\n".join(lines) + "\n"


@dataclass
class Tally:
    reads: list[tuple[float, float]] = field(default_factory=list)  # (time sent, seconds taken)
    server_errors: list[str] = field(default_factory=list)
    write_failures: list[str] = field(default_factory=list)
    writes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {**os.environ, "ACCORD_API_TOKENS": TOKEN, "ACCORD_PUBLIC_READ": "1"}
    server = subprocess.Popen([sys.executable, "-m", "accord", "serve", "--db", f"sqlite:///{db}", "--host",
                               "127.0.0.1", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/documents", timeout=2).status_code == 200:
                return base, server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("accord serve did not answer within 60 s")


def reader(base: str, paths: list[str], stop: threading.Event, tally: Tally) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            sent = time.monotonic()
            try:
                status = client.get(path).status_code
            except httpx.HTTPError as exc:
                with tally.lock:
                    tally.server_errors.append(f"GET {path}: {type(exc).__name__}")
                continue
            took = time.monotonic() - sent
            with tally.lock:
                tally.reads.append((sent, took))
                if status >= 500:
                    tally.server_errors.append(f"GET {path}: {status}")


def writer(base: str, commitments: list[int], stop: threading.Event, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, timeout=90, headers=headers) as client:
        n = 0
        while not stop.is_set():
            cid = commitments[n % len(commitments)]
            value = ("in_progress", "stalled")[n // len(commitments) % 2]
            n += 1
            try:
                response = client.post(f"/api/v1/commitments/{cid}/status",
                                       json={"status": value, "evidence": f"Load test observation {n}"})
                ok, said = response.status_code == 201, f"{response.status_code} {response.text[:120]}"
            except httpx.HTTPError as exc:
                ok, said = False, type(exc).__name__
            with tally.lock:
                tally.writes += 1
                if not ok:
                    tally.write_failures.append(f"POST status {cid}: {said}")
            stop.wait(0.1)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def line(name: str, took: list[float]) -> str:
    ms = [t * 1000 for t in took]
    return (f"  {name:<16} {len(ms):6d} reads   p50 {statistics.median(ms) if ms else float('nan'):7.1f} ms   "
            f"p95 {percentile(ms, 95):7.1f} ms   max {max(ms) if ms else float('nan'):7.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--words", type=int, default=12_000)
    args = parser.parse_args()
    seconds = min(args.seconds, 60.0)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        from accord.api import Ledger

        with Ledger(f"sqlite:///{db}") as ledger:
            ledger.ingest(str(ROOT / "samples"))
            commitments = [c["id"] for c in ledger.commitments()]
        base, server = start_server(db)
        try:
            return run(base, commitments, seconds, args.readers, long_text(args.words))
        finally:
            server.terminate()
            server.wait(20)


def run(base: str, commitments: list[int], seconds: float, readers: int, text: str) -> int:
    paths = ["/api/v1/commitments", "/api/v1/commitments?pillar=economy_trade", f"/api/v1/commitments/{commitments[0]}",
             "/api/v1/search?q=trade", "/api/v1/documents", "/commitments"]
    stop, tally = threading.Event(), Tally()
    threads = [threading.Thread(target=reader, args=(base, paths, stop, tally)) for _ in range(readers)]
    threads.append(threading.Thread(target=writer, args=(base, commitments, stop, tally)))
    began = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # reads before the ingest, as a baseline
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ingest_started = time.monotonic()
    job = httpx.post(f"{base}/api/v1/documents", json={"text": text, "source": "load test"}, headers=headers,
                     timeout=30)
    state, ingest_ended = "not queued", None
    if job.status_code == 202:
        url = job.json()["url"]
        while time.monotonic() - began < seconds:
            state = httpx.get(f"{base}{url}", timeout=30).json()["status"]
            if state in ("done", "failed"):
                ingest_ended = time.monotonic()
                break
            time.sleep(0.25)
    else:
        state = f"refused {job.status_code}"
    # A few seconds more after the ingest, for reads with and without it.
    time.sleep(max(0.0, min(5.0, seconds - (time.monotonic() - began))))
    stop.set()
    for thread in threads:
        thread.join(120)
    end = ingest_ended or time.monotonic()
    during = [t for sent, t in tally.reads if ingest_started <= sent < end]
    other = [t for sent, t in tally.reads if not ingest_started <= sent < end]
    words = len(text.split())
    print(f"Load test: `accord serve` on SQLite, {readers} readers, 1 status writer (10/s), 1 ingest of {words:,} "
          f"words; 127.0.0.1, {time.monotonic() - began:.0f} s in all")
    took = f"{ingest_ended - ingest_started:.1f} s" if ingest_ended else "did not finish in time"
    print(f"  ingest job       {state}, {took}")
    print(line("reads (ingest)", during))
    print(line("reads (no ingest)", other))
    print(f"  status writes    {tally.writes} sent, {len(tally.write_failures)} failed")
    print(f"  5xx / errors     {len(tally.server_errors)}")
    for problem in (tally.server_errors + tally.write_failures)[:5]:
        print(f"    {problem}")
    p95 = percentile([t * 1000 for t in during], 95)
    ok = (state == "done" and not tally.server_errors and not tally.write_failures and p95 < GOAL_P95_MS)
    print(f"  goal: no 5xx, no failed write, p95 of reads during the ingest < {GOAL_P95_MS:.0f} ms: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
