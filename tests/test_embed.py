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
