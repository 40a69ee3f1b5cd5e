"""Reading documents: text, HTML and PDF files and URLs → Document, with metadata from the text."""

from accord.ingest.document import read_document, read_upload, text_document
from accord.ingest.metadata import Metadata, detect_metadata
from accord.ingest.text import check_text_file, iter_blocks, iter_text_blocks, stored_text

__all__ = ["Metadata", "check_text_file", "detect_metadata", "iter_blocks", "iter_text_blocks", "read_document", "read_upload", "stored_text",
           "text_document"]
