"""What each Dask worker loads once, as it starts (imported only when a job runs on Dask)."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class WarmModels(WorkerPlugin):
    """Load the spaCy pipeline (and the embedding model) in the worker's process before its first task."""

    def __init__(self, embed: bool = True) -> None:
        self.embed = embed

    def setup(self, worker: Any) -> None:
        from accord.process.scale import warm

        warm(self.embed)
