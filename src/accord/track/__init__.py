"""Tracking: status and stage history, flags, evidence from documents, targets against indicators.

Pure functions over what the ledger hands them; `process` stores the results.
"""

from accord.track.progress import Progress, target_progress
from accord.track.status import (
    ScaleError,
    current,
    flags,
    parse_deadline,
    stage_scale,
    validate,
)

__all__ = ["Progress", "ScaleError", "current", "flags", "parse_deadline", "stage_scale", "target_progress",
           "validate"]
