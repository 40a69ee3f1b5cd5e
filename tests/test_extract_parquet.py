"""`accord extract --out DIR`: four Parquet datasets that hold exactly what `--format jsonl` prints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from conftest import CliResult

Cli = Callable[..., CliResult]

TEXTS = {
    "01 trade.txt": (
        "HANOI, March 3 - Viet Nam and Singapore agreed to lift bilateral trade to US$45 billion by 2030.\n"
        "The two ministers discussed renewable energy and the training of nurses.\n"
    ),
    # A BOM and CRLF line endings: offsets index the file's text as it is, BOM and "\r" included.
    "02 talks.txt": (
        "\ufeffPresident Lula met Prime Minister Albanese in Canberra on 4 June 2025.\r\n"
        "Australia will provide A$20 million for water projects in the Mekong.\r\n"
    ),
    # A hostile name: spaces, non-ASCII letters and "..".
    "..  été – Hà Nội ...txt": "Both sides welcomed the results of the visit.\n",
}
DATASETS = ("documents", "statements", "mentions", "targets")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    return folder


def rows(out: Path, name: str) -> list[dict[str, Any]]:
    return list(pq.read_table(out / name).to_pylist())


def file_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # the text the offsets index: no newline translation


def test_extract_parquet_matches_jsonl_row_by_row(cli: Cli, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    wrote = cli("extract", str(corpus), "--out", str(out), "--format", "jsonl")
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout == ""  # --out wins over --format for the data
    printed = cli("extract", str(corpus), "--format", "jsonl")
    assert printed.returncode == 0, printed.stderr
    lines = [json.loads(line) for line in printed.stdout.splitlines()]

    paths = [str(corpus / name) for name in sorted(TEXTS)]
    ids = {p: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}
    by_path: dict[str, list[dict[str, Any]]] = {p: [] for p in paths}
    for line in lines:
        by_path[line.pop("document")].append(line)

    assert rows(out, "documents") == [
        {"document_id": ids[p], "path": p, "characters": len(file_text(Path(p))), "statements": len(by_path[p])}
        for p in paths
    ]
    assert wrote.stderr == f"accord: 3 documents, {len(lines)} statements written to {out}\n"

    statements, mentions, targets = [], [], []
    for p in paths:
        for seq, s in enumerate(by_path[p]):
            key = {"document_id": ids[p]}
            statements.append({**key, "seq": seq, **{k: v for k, v in s.items() if k not in ("mentions", "targets")}})
            mentions += [{**key, "statement_seq": seq, **m} for m in s["mentions"]]
            targets += [{**key, "statement_seq": seq, **t} for t in s["targets"]]
    got_targets = rows(out, "targets")
    for t in got_targets:
        if t["max"] is None:
            del t["max"]  # the JSONL gives a range's top only when there is one
        for k in ("deadline", "deadline_start", "deadline_end"):
            if t[k] is None:
                del t[k]  # the JSONL leaves these out when a target has no deadline
    assert rows(out, "statements") == statements
    assert rows(out, "mentions") == mentions
    assert got_targets == targets
    assert [t["unit"] for t in targets] == ["USD", "AUD"]  # the texts do hold targets to compare

    texts = {ids[p]: file_text(Path(p)) for p in paths}
    for r in rows(out, "statements") + rows(out, "mentions"):
        assert texts[r["document_id"]][r["start"] : r["end"]] == r["text"]
    for r in rows(out, "targets"):
        if r["deadline"] is not None:
            assert texts[r["document_id"]][r["deadline_start"] : r["deadline_end"]] == r["deadline"]
    assert {p.name for p in out.iterdir()} == set(DATASETS)
    assert [p.name for p in (out / "statements").iterdir()] == ["part-00000.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]  # no temporary folder left


def test_extract_parquet_refuses_a_folder_that_is_not_empty_unless_forced(cli: Cli, corpus: Path,
                                                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n", encoding="utf-8")
    refused = cli("extract", str(corpus), "--out", str(out))
    assert refused.returncode == 2
    assert refused.stderr == (f"accord: error: {out}: folder exists and is not empty; "
                              "choose another --out or give --force to replace it\n")
    assert refused.stdout == ""
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine\n"

    forced = cli("extract", str(corpus), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert {p.name for p in out.iterdir()} == set(DATASETS)
    assert [r["path"] for r in rows(out, "documents")] == [str(corpus / name) for name in sorted(TEXTS)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]


def test_extract_parquet_writes_a_part_per_batch_with_the_same_rows(corpus: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.extract import parquet

    files = sorted(corpus.iterdir())
    whole = parquet.write_parquet(files, tmp_path / "whole")
    monkeypatch.setattr(parquet, "BATCH_DOCUMENTS", 1)
    parts = parquet.write_parquet(files, tmp_path / "parts")
    assert (parts.documents, parts.statements) == (whole.documents, whole.statements) == (3, 5)
    assert sorted(p.name for p in (tmp_path / "parts" / "documents").iterdir()) == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    for name in DATASETS:
        assert rows(tmp_path / "parts", name) == rows(tmp_path / "whole", name)


def test_extract_parquet_leaves_nothing_behind_when_a_run_fails(corpus: Path, tmp_path: Path) -> None:
    from accord.errors import InputNotFound
    from accord.extract.parquet import write_parquet

    files = [*sorted(corpus.iterdir()), corpus / "gone.txt"]  # read after three documents are extracted
    with pytest.raises(InputNotFound):
        write_parquet(files, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]
