"""Load the analyst-editable data files under `accord/data` (YAML and JSON Lines).

Each loader reads its file once per process; the files are the single source
of every word list, alias and pattern the extraction uses.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

import yaml

from accord.errors import PipelineError

_DATA = "accord.data"


@cache
def load_yaml(name: str) -> Any:
    """The parsed YAML file `accord/data/<name>`."""
    try:
        text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
        return yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise PipelineError(f"data file {name} could not be read: {exc}") from None


def load_jsonl(folder: str) -> list[dict[str, Any]]:
    """Every JSON object of every `*.jsonl` file in `accord/data/<folder>`, file by file."""
    rows: list[dict[str, Any]] = []
    root = resources.files(_DATA).joinpath(folder)
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".jsonl"):
            continue
        for n, line in enumerate(entry.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise PipelineError(f"data file {folder}/{entry.name} line {n}: {exc.msg}") from None
    return rows


def strip_diacritics(text: str) -> str:
    """`Tô Lâm` → `To Lam`, `Hà Nội` → `Ha Noi`, `Đà Nẵng` → `Da Nang`."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def name_variants(name: str) -> set[str]:
    """Spellings under which a lexicon name may appear: as written, without diacritics,
    with either apostrophe."""
    out = {name, strip_diacritics(name)}
    for v in list(out):
        out.add(v.replace("’", "'"))
        out.add(v.replace("'", "’"))
    return out
