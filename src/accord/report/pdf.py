"""The report as PDF: the self-contained HTML page printed by headless Chromium (Debian's `chromium`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from accord.errors import AccordError

DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_S = 120


class PrintError(AccordError):
    """Chromium is missing, or could not print the PDF (exit 1)."""


def chromium() -> Path:
    """The browser that prints: $ACCORD_CHROMIUM, else Debian's /usr/bin/chromium."""
    path = Path(os.environ.get("ACCORD_CHROMIUM") or DEFAULT_CHROMIUM)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise PrintError(f"no Chromium at {path} to print the PDF: install Debian's chromium package "
                         "(apt-get install chromium) or set ACCORD_CHROMIUM to a Chromium or Chrome binary")
    return path


def print_pdf(page: str, timeout: float = TIMEOUT_S) -> bytes:
    """`page` (HTML that fetches nothing) printed to PDF bytes. Chromium runs in a throwaway profile, in its
    own process group, so a hung print is killed whole after `timeout` seconds."""
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="accord-report-") as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        command = [str(browser), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--disable-extensions", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            raise PrintError(f"cannot run Chromium at {browser}: {exc.strerror or exc}") from None
        try:
            _, said = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end_group(process)
            raise PrintError(f"Chromium did not print the PDF within {timeout:.0f} s") from None
        _end_group(process)  # helpers (zygote, renderers) that outlive the browser
        if process.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            last = [line for line in said.decode(errors="replace").splitlines() if line.strip()][-1:]
            raise PrintError(f"Chromium could not print the PDF (exit {process.returncode})"
                             + (f": {last[0].strip()[:200]}" if last else ""))
        return target.read_bytes()


def _end_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
