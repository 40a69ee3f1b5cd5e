"""Ingest runs over many sources: one document per text whatever its BOM or line endings, texts with nothing
to read refused, and a folder with bad files among good ones stores the good ones and says why the rest failed."""

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from accord.api import Ledger
from accord.errors import InputNotText
from accord.ledger import tables as t
from conftest import CliResult

Cli = Callable[..., CliResult]

HARBOUR = """Norway and Chile open a ferry line
OSLO, March 4, 2026 (Fjord Post) - Norway and Chile agreed on Wednesday to open a ferry line between Bergen and Valparaiso by June 2027.
The two governments will set up a joint port authority and train two hundred pilots.
"""

RAIL = """Kenya and Tanzania to link their railways
NAIROBI, April 9, 2026 (Savanna Times) - Kenya and Tanzania agreed to connect their standard gauge railways by 2029.
Both sides committed to cutting the time a wagon waits at the border to four hours.
"""

GRAIN = """Peru and Ghana sign a grain accord
LIMA, June 2, 2026 (Andes Daily) - Peru and Ghana agreed to raise grain trade to US$300 million by 2030.
They will open a joint laboratory for seed testing in Accra.
"""

TOO_LARGE = 50_000_001  # one byte over read_document's default limit


def write_folder(folder: Path) -> dict[str, Path]:
    """Good texts, a copy of one with a BOM and CRLF, and one file of each kind that can't be ingested."""
    folder.mkdir()
    files = {
        "harbour": ("1-harbour.txt", HARBOUR.encode()),
        "binary": ("2-binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "rail": ("3-rail.txt", RAIL.encode()),
        "latin1": ("4-latin1.txt", "Réunion à Valparaíso.\n".encode("latin-1")),
        "blank": ("5-blank.txt", b"\xef\xbb\xbf \r\n\t\n"),
        "huge": ("6-huge.txt", b""),
        "copy": ("7-harbour-copy.txt", b"\xef\xbb\xbf" + HARBOUR.replace("\n", "\r\n").encode()),
        "grain": ("8-grain.txt", GRAIN.encode()),
        "pdf": ("9-scan.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n"),
    }
    paths = {}
    for key, (name, data) in files.items():
        paths[key] = folder / name
        paths[key].write_bytes(data)
    with paths["huge"].open("r+b") as f:
        f.truncate(TOO_LARGE)  # sparse: refused by its size, never read
    return paths


def stored(ledger: Ledger) -> list[str]:
    return [Path(d["source"]).name for d in sorted(ledger.documents(), key=lambda d: d["id"])]


def orphans(ledger: Ledger) -> int:
    """Statements of no stored document: what a half-written one would leave."""
    with ledger.engine.connect() as conn:
        ids = select(t.documents.c.id)
        return int(conn.execute(select(func.count()).select_from(t.statements)
                                .where(t.statements.c.document_id.not_in(ids))).scalar_one())


def test_a_text_with_and_without_bom_and_crlf_is_one_document(ledger_url: str, tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_bytes(HARBOUR.encode())
    marked = tmp_path / "marked.txt"
    marked.write_bytes(b"\xef\xbb\xbf" + HARBOUR.replace("\n", "\r\n").encode())
    with Ledger(ledger_url) as ledger:
        first, again = ledger.ingest(str(marked), str(plain))
        assert (first.status, again.status, again.document) == ("added", "unchanged", first.document)
        assert first.document is not None
        doc = ledger.document(first.document)
        assert doc["text"] == HARBOUR  # stored without the BOM and the CRs
        assert len(doc["statements"]) == 3
        for s in doc["statements"]:
            assert doc["text"][s["start"] : s["end"]] == s["text"]
            for m in s["mentions"]:
                assert doc["text"][m["start"] : m["end"]] == m["text"]
        assert [r.status for r in ledger.ingest(str(marked))] == ["unchanged"]
        assert ledger.ingest_text(HARBOUR.replace("\n", "\r\n")).status == "unchanged"  # pasted in a browser
        assert stored(ledger) == ["marked.txt"]


@pytest.mark.parametrize(("data", "what"), [(b"", "empty"), (b"\xef\xbb\xbf", "empty"),
                                            (b"  \n\t\r\n", "only whitespace")])
def test_a_text_with_nothing_to_read_is_refused(ledger_url: str, tmp_path: Path, data: bytes, what: str) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(data)
    with Ledger(ledger_url) as ledger:
        with pytest.raises(InputNotText, match=rf"blank.txt: {what}, no text to ingest$"):
            ledger.ingest(str(path))
        [failed] = ledger.ingest(str(path), on_error="continue")
        assert (failed.status, failed.document, failed.error) == ("failed", None,
                                                                  f"{path}: {what}, no text to ingest")
        with pytest.raises(InputNotText, match=rf"pasted text: {what}, no text to ingest$"):
            ledger.ingest_text(data.decode("utf-8"))
        assert ledger.documents() == []


def test_a_run_goes_on_past_failures_or_stops_at_the_first(ledger_url: str, tmp_path: Path) -> None:
    paths = write_folder(tmp_path / "in")
    with Ledger(ledger_url) as ledger:
        with pytest.raises(InputNotText, match="2-binary.txt: binary file"):
            ledger.ingest(str(tmp_path / "in"))  # the default: the first failure raises
        assert stored(ledger) == ["1-harbour.txt"]
        stopped = ledger.ingest(str(tmp_path / "in"), on_error="stop")
        assert [(Path(r.source).name, r.status) for r in stopped] == [("1-harbour.txt", "unchanged"),
                                                                      ("2-binary.txt", "failed")]
        results = ledger.ingest(str(tmp_path / "in"), on_error="continue")
        assert [r.status for r in results] == ["unchanged", "failed", "added", "failed", "failed", "failed",
                                               "unchanged", "added", "failed"]
        reasons = {Path(r.source).name: r.error for r in results if r.status == "failed"}
        assert reasons.pop("9-scan.pdf", "").startswith(f"{paths['pdf']}: not a readable PDF (")
        assert reasons == {
            "2-binary.txt": f"{paths['binary']}: binary file, not text (it contains NUL bytes)",
            "4-latin1.txt": f"{paths['latin1']}: not UTF-8 text (invalid byte at offset 1); "
                            "convert it with iconv or save it as UTF-8",
            "5-blank.txt": f"{paths['blank']}: only whitespace, no text to ingest",
            "6-huge.txt": f"{paths['huge']}: {TOO_LARGE:,} bytes, over the limit of 50,000,000; "
                          "raise max_bytes to read it",
        }
        assert stored(ledger) == ["1-harbour.txt", "3-rail.txt", "8-grain.txt"]
        assert orphans(ledger) == 0


def test_cli_folder_run_stores_the_good_files_and_reports_the_bad(ledger_url: str, tmp_path: Path,
                                                                   cli: Cli) -> None:
    paths = write_folder(tmp_path / "in")
    result = cli("ingest", str(tmp_path / "in"), "--db", ledger_url)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = result.stderr.splitlines()
    errors[-1] = errors[-1][: errors[-1].index("PDF (") + 5]  # pypdf's own words follow
    assert errors == [
        f"accord: error: {paths['binary']}: binary file, not text (it contains NUL bytes)",
        f"accord: error: {paths['latin1']}: not UTF-8 text (invalid byte at offset 1); "
        "convert it with iconv or save it as UTF-8",
        f"accord: error: {paths['blank']}: only whitespace, no text to ingest",
        f"accord: error: {paths['huge']}: {TOO_LARGE:,} bytes, over the limit of 50,000,000; raise max_bytes to read it",
        f"accord: error: {paths['pdf']}: not a readable PDF (",
    ]
    out = result.stdout.splitlines()
    assert [line.split(":")[0] for line in out[:-1]] == [str(paths[k]) for k in ("harbour", "rail", "copy", "grain")]
    assert out[2] == f"{paths['copy']}: already in the ledger (document 1)"
    assert out[-1] == "3 stored, 1 already in the ledger, 5 failed"
    with Ledger(ledger_url) as ledger:
        assert stored(ledger) == ["1-harbour.txt", "3-rail.txt", "8-grain.txt"]
        assert orphans(ledger) == 0

    quiet = cli("ingest", str(tmp_path / "in"), "--db", ledger_url, "--quiet")
    assert (quiet.returncode, quiet.stdout, len(quiet.stderr.splitlines())) == (2, "", 5)


def test_cli_stop_on_error_keeps_what_was_stored_before(ledger_url: str, tmp_path: Path, cli: Cli) -> None:
    paths = write_folder(tmp_path / "in")
    result = cli("ingest", str(tmp_path / "in"), "--db", ledger_url, "--stop-on-error")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"accord: error: {paths['binary']}: binary file, not text (it contains NUL bytes)"]
    assert result.stdout.splitlines()[-1] == "1 stored, 0 already in the ledger, 1 failed, 7 not tried (--stop-on-error)"
    with Ledger(ledger_url) as ledger:
        assert stored(ledger) == ["1-harbour.txt"]
        assert orphans(ledger) == 0
    paths["binary"].unlink()
    paths["latin1"].write_text("Réunion à Valparaíso: the two sides agreed to meet again.\n", encoding="utf-8")
    for key in ("blank", "huge", "pdf"):
        paths[key].unlink()
    fixed = cli("ingest", str(tmp_path / "in"), "--db", ledger_url, "--stop-on-error")
    assert (fixed.returncode, fixed.stderr) == (0, "")
    assert fixed.stdout.splitlines()[-1] == "3 stored, 2 already in the ledger, 0 failed"
    with Ledger(ledger_url) as ledger:
        assert stored(ledger) == ["1-harbour.txt", "3-rail.txt", "4-latin1.txt", "8-grain.txt"]


def test_cli_one_empty_file_is_refused_in_one_line(tmp_path: Path, cli: Cli) -> None:
    db = f"sqlite:///{tmp_path / 'l.db'}"
    path = tmp_path / "empty.txt"
    path.write_bytes(b"\xef\xbb\xbf")
    result = cli("ingest", str(path), "--db", db)
    assert (result.returncode, result.stderr) == (2, f"accord: error: {path}: empty, no text to ingest\n")
    assert result.stdout == "0 stored, 0 already in the ledger, 1 failed\n"
    with Ledger(db) as ledger:
        assert ledger.documents() == []
    extracted = cli("extract", str(path), "--format", "jsonl")  # extract reads it as it did: no statements
    assert (extracted.returncode, extracted.stdout, extracted.stderr) == (0, "", "")
