"""The embedding model: its runtime, and its number format following what the CPU computes natively."""

import sqlite3
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from accord.resolve import embed


@pytest.fixture(autouse=True)
def fresh_choice():
    embed.bfloat16.cache_clear()
    yield
    embed.bfloat16.cache_clear()
    embed._openvino.cache_clear()  # a test may have loaded it with its own settings


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


def torch_float32(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> np.ndarray:
    """The shipped model as it is, in PyTorch and float32: what every runtime is compared with."""
    monkeypatch.delenv("ACCORD_EMBEDDING_INT8", raising=False)
    monkeypatch.setenv("ACCORD_EMBEDDING_TORCH", "1")
    monkeypatch.setenv("ACCORD_EMBEDDING_FLOAT32", "1")
    embed.bfloat16.cache_clear()
    embed._model.cache_clear()
    try:
        return embed.embed(texts)
    finally:
        embed._model.cache_clear()
        embed.bfloat16.cache_clear()


def test_int8_vectors_follow_the_model_they_are_made_from(int8_vectors: np.ndarray,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    plain = torch_float32(monkeypatch, SENTENCES)
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


@pytest.mark.parametrize("runtime", ["onnxruntime-int8", "openvino"])
@pytest.mark.parametrize("spoiled", ["a file where the folder goes", "a damaged model"])
def test_a_spoiled_model_cache_is_one_line_and_no_traceback(spoiled: str, runtime: str, tmp_path: Path, cli,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_EMBEDDING_TORCH", raising=False)
    if runtime == "onnxruntime-int8":
        monkeypatch.setenv("ACCORD_EMBEDDING_INT8", "1")
    else:
        monkeypatch.delenv("ACCORD_EMBEDDING_INT8", raising=False)
    folder = tmp_path / "cache"
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(folder))
    if spoiled == "a file where the folder goes":
        folder.write_text("not a folder", encoding="utf-8")
    else:
        folder.mkdir()
        path = embed.int8_model_path() if runtime == "onnxruntime-int8" else embed.onnx_model_path()
        path.write_bytes(b"\x08\x07 this is not a model" * 100)
    report = tmp_path / "report.txt"
    report.write_text("Chile and Kenya hold talks\nSANTIAGO, June 2, 2026 (Andes Post) - Chile and Kenya agreed "
                      "to raise bilateral trade to US$2 billion by 2030.\n", encoding="utf-8")
    result = cli("ingest", str(report), "--db", f"sqlite:///{tmp_path / 'l.db'}")
    assert result.returncode != 0
    said = "int8 embedding model" if runtime == "onnxruntime-int8" else "the embedding model"
    assert "Traceback" not in result.stderr and said in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    if (tmp_path / "l.db").exists():  # nothing half written
        with sqlite3.connect(tmp_path / "l.db") as db:
            assert db.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def test_the_model_runs_in_openvino_unless_another_runtime_is_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ACCORD_EMBEDDING_INT8", "ACCORD_EMBEDDING_TORCH"):
        monkeypatch.delenv(name, raising=False)
    assert embed.runtime() == "openvino"
    monkeypatch.setenv("ACCORD_EMBEDDING_TORCH", "1")
    assert embed.runtime() == "torch"
    monkeypatch.setenv("ACCORD_EMBEDDING_INT8", "1")  # int8 is ONNX Runtime's, whatever else is set
    assert embed.runtime() == "onnxruntime-int8"


@pytest.fixture
def openvino_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of its own, and OpenVINO as the runtime, in the CPU's own number format."""
    for name in ("ACCORD_EMBEDDING_INT8", "ACCORD_EMBEDDING_TORCH", "ACCORD_EMBEDDING_FLOAT32"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACCORD_CACHE_DIR", str(tmp_path / "cache"))
    embed._openvino.cache_clear()
    return tmp_path / "cache"


def test_openvino_vectors_follow_the_shipped_model(openvino_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = embed.embed(SENTENCES)
    plain = torch_float32(monkeypatch, SENTENCES)
    assert vectors.shape == plain.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # bfloat16 (where the CPU has it) or float32: either way every pair's cosine within 0.01 of PyTorch's float32
    assert (np.sum(vectors * plain, axis=1) > 0.995).all()
    assert np.abs(vectors @ vectors.T - plain @ plain.T).max() < 0.01
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[4] + 0.2


def test_the_exported_model_is_made_once_then_reused(openvino_cache: Path) -> None:
    first = embed.embed(SENTENCES)
    [made] = [p for p in openvino_cache.iterdir()]
    assert made == embed.onnx_model_path() and made.suffix == ".onnx"  # nothing half made is left beside it
    stamp = made.stat().st_mtime_ns
    embed._openvino.cache_clear()
    assert np.array_equal(embed.embed(SENTENCES), first)
    assert made.stat().st_mtime_ns == stamp


def test_a_text_has_the_same_vector_whatever_batch_it_is_in(openvino_cache: Path) -> None:
    # Batches are padded (rows to a power of two, tokens to a multiple of 8): the padding must not leak.
    crowd = [f"{s} Talks resumed on day {i} of the visit, with officials from both ministries present." * (1 + i % 3)
             for i, s in enumerate(SENTENCES * 4)]
    alone = embed.embed([SENTENCES[3]])
    for batch in ([SENTENCES[3]] + crowd[:2], crowd[:5] + [SENTENCES[3]], crowd + [SENTENCES[3]]):
        vectors = embed.embed(batch)
        where = batch.index(SENTENCES[3])
        assert float(vectors[where] @ alone[0]) > 0.999


def test_threads_embedding_at_once_get_what_one_gets(openvino_cache: Path) -> None:
    # A server runs ingest jobs in threads; an OpenVINO infer request runs one batch at a time.
    expected = embed.embed(SENTENCES)
    got: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: got.append(embed.embed(SENTENCES))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(np.allclose(v, expected, atol=1e-6) for v in got)
