"""Resolution: mentions to canonical entities, statements to commitments. Pure functions."""

from accord.resolve.commitments import Candidate, Known, Placement, content_words, core_text, place
from accord.resolve.entities import EntityRef, EntityResolver, alias_key

__all__ = ["Candidate", "EntityRef", "EntityResolver", "Known", "Placement", "alias_key", "content_words",
           "core_text", "place"]
