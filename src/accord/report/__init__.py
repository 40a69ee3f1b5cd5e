"""`accord report`: a brief a person would send, per pillar, as Markdown, HTML, CSV, JSON or PDF.

Each commitment under each of its pillars, with its status (and who set it), flags, first pledge and
reaffirmations, sources, target progress, accepted evidence, indicator figures and status history; charts
of statuses by pillar, target progress and a timeline, inline in HTML and PDF, PNG files beside Markdown.
"""

from accord.report.brief import build, gather
from accord.report.output import FORMATS, Report, ReportError, Written, produce, save, write_report
from accord.report.pdf import PrintError

__all__ = ["FORMATS", "PrintError", "Report", "ReportError", "Written", "build", "gather", "produce",
           "save", "write_report"]
