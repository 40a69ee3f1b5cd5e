"""The jobs that run the stages, one module each, over the ledger's own functions (no SQL here):

- `ingest`: read → extract → parties and occasion → resolve and merge → write, one transaction a document;
- `known`: what merging knows of the ledger, and the statements it compares;
- `curate`: a person's merges, splits and corrections of a document's parties;
- `track`: evidence from new documents, statuses, indicators and their observations.
"""

from accord.process.curate import merge_commitments, set_document_parties, split_statement
from accord.process.ingest import (
    IngestResult,
    check_files,
    expand_sources,
    extract_paths,
    ingest_document,
)
from accord.process.known import KnownState
from accord.process.track import (
    decide_evidence,
    import_observation_data,
    import_observations,
    link_evidence,
    period_end,
    record_status,
    suggest_from_indicators,
)

__all__ = [
    "IngestResult", "KnownState", "check_files", "decide_evidence", "expand_sources", "extract_paths",
    "import_observation_data", "import_observations", "ingest_document", "link_evidence",
    "merge_commitments", "period_end", "record_status", "set_document_parties", "split_statement",
    "suggest_from_indicators",
]
