"""Accord's one error tree; the CLI and the API convert it once, at their edge.

    AccordError                 anything Accord reports to a person
    ├── InputError              the input can't be read as a document (exit 2)
    │   ├── InputNotFound       the path does not exist
    │   ├── InputNotText        binary, or not UTF-8
    │   └── InputTooLarge       over a configured limit
    └── PipelineError           the NLP pipeline can't be loaded (exit 1)
"""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord raises on purpose; its message says what to do."""

    exit_code = 1


class InputError(AccordError):
    """The input given by the user is unusable."""

    exit_code = 2


class InputNotFound(InputError):
    """A path given on the command line does not exist."""


class InputNotText(InputError):
    """A file is binary or not valid UTF-8."""


class InputTooLarge(InputError):
    """A file or upload is over the configured size limit."""


class PipelineError(AccordError):
    """The spaCy pipeline or its data files could not be loaded."""
