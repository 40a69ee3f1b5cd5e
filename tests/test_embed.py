"""The embedding model's number format follows what the CPU computes natively."""

import sys
from pathlib import Path

import numpy as np
import pytest

from accord.resolve import embed


@pytest.fixture(autouse=True)
def fresh_choice():
    embed.bfloat16.cache_clear()
    yield
    embed.bfloat16.cache_clear()


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the CPU's flags from /proc/cpuinfo")
def test_bfloat16_is_chosen_only_where_the_cpu_has_bfloat16_instructions(monkeypatch: pytest.MonkeyPatch) -> None:
    # An AVX-512 CPU without BF16 emulates it, far slower than float32: only the native instructions count.
    monkeypatch.delenv("ACCORD_EMBEDDING_FLOAT32", raising=False)
    native = bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})
    assert embed.bfloat16() is native


def test_float32_can_be_asked_for_on_any_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EMBEDDING_FLOAT32", "1")
    assert embed.bfloat16() is False


def test_vectors_are_unit_length_and_alike_for_alike_wording() -> None:
    vectors = embed.embed(["The two sides agreed to raise bilateral trade to USD 5 billion by 2030.",
                           "Both countries will lift two-way trade to five billion dollars by 2030.",
                           "The ministers visited a museum of fine arts in the afternoon."])
    assert vectors.shape == (3, embed.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


SENTENCES = [
    "The two sides agreed to raise bilateral trade to USD 5 billion by 2030.",
    "Both countries will lift two-way trade to five billion dollars by 2030.",
    "Ministers pledged to open a direct flight between the two capitals next spring.",
    "The leaders committed to a joint coast guard patrol in the strait.",
    "Officials toured a rice research institute on the second day of the visit.",
    "Ghana and Brazil will train 300 nurses a year under a new health accord.",
]


@pytest.fixture
def int8_vectors(int8_cache: Path, monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    monkeypatch.setenv("ACCORD_EMBEDDING_INT8", "1")
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(int8_cache))
    embed._int8.cache_clear()
    try:
        return embed.embed(SENTENCES)
    finally:
        embed._int8.cache_clear()


def test_int8_vectors_follow_the_model_they_are_made_from(int8_vectors: np.ndarray,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EMBEDDING_FLOAT32", "1")
    embed._model.cache_clear()
    try:
        plain = embed.embed(SENTENCES)
    finally:
        embed._model.cache_clear()
    assert int8_vectors.shape == plain.shape and int8_vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(int8_vectors, axis=1), 1.0, atol=1e-5)
    assert (np.sum(int8_vectors * plain, axis=1) > 0.97).all()  # each text's vector: nearly the same direction
    assert np.abs(int8_vectors @ int8_vectors.T - plain @ plain.T).max() < 0.05  # and every pair's cosine
    assert int8_vectors[0] @ int8_vectors[1] > int8_vectors[0] @ int8_vectors[4] + 0.2


def test_the_int8_model_is_made_once_then_reused(int8_cache: Path, int8_vectors: np.ndarray,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    [made] = [p for p in int8_cache.iterdir() if p.suffix == ".onnx"]
    assert not [p for p in int8_cache.iterdir() if p.name.startswith(".making-")]  # nothing half made is left
    stamp = made.stat().st_mtime_ns
    monkeypatch.setenv("ACCORD_EMBEDDING_INT8", "1")
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(int8_cache))
    embed._int8.cache_clear()
    try:
        again = embed.embed(SENTENCES)
    finally:
        embed._int8.cache_clear()
    assert made.stat().st_mtime_ns == stamp
    assert np.array_equal(again, int8_vectors)


@pytest.mark.parametrize("spoiled", ["a file where the folder goes", "a damaged model"])
def test_a_spoiled_int8_cache_is_one_line_and_no_traceback(spoiled: str, tmp_path: Path, cli,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    if spoiled == "a file where the folder goes":
        folder.write_text("not a folder", encoding="utf-8")
    else:
        monkeypatch.setenv("ACCORD_CACHE_DIR", str(folder))
        folder.mkdir()
        embed.int8_model_path().write_bytes(b"\x08\x07 this is not a model" * 100)
    monkeypatch.setenv("ACCORD_EMBEDDING_INT8", "1")
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(folder))
    report = tmp_path / "report.txt"
    report.write_text("Chile and Kenya hold talks\nSANTIAGO, June 2, 2026 (Andes Post) - Chile and Kenya agreed "
                      "to raise bilateral trade to US$2 billion by 2030.\n", encoding="utf-8")
    result = cli("ingest", str(report), "--db", f"sqlite:///{tmp_path / 'l.db'}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "int8" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
