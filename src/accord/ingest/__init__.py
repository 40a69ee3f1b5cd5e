"""Reading documents: text files today; HTML and PDF readers join here."""

from accord.ingest.text import check_text_file, iter_blocks, iter_text_blocks

__all__ = ["check_text_file", "iter_blocks", "iter_text_blocks"]
