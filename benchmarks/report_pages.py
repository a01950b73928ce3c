"""How many A4 pages does the example's report print to? (The aim: at most 12.)

Runs the bundled example into a temporary folder, prints its report.html to PDF
with headless Chromium (the browser a reader would use; its print stylesheet
applies) and counts the PDF's pages. Needs ``chromium`` on the PATH
(``apt-get install chromium``); says so and stops when it is missing.

Usage: ``python benchmarks/report_pages.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bms_eval.foundation.resources import example  # noqa: E402
from bms_eval.pipeline.run import run_pipeline  # noqa: E402

#: The most pages the example's report should print to.
LIMIT = 12


def pages(pdf: bytes) -> int:
    """Pages of a PDF: its page objects."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium is not installed: apt-get install chromium")
        return
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        card, data = example()
        run_pipeline(card, data, folder / "report")
        pdf = folder / "report.pdf"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                f"--user-data-dir={folder / 'profile'}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                (folder / "report" / "report.html").as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        count = pages(pdf.read_bytes())
        size = (folder / "report" / "report.html").stat().st_size
    print(f"example report: {size / 1e6:.1f} MB, prints to {count} A4 pages (aim: at most {LIMIT})")


if __name__ == "__main__":
    main()
