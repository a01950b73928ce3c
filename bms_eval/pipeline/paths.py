"""Where the pipeline finds its notebooks and the bundled example, and writes by default."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
EXAMPLE = (ROOT / "data" / "example" / "example.yaml", ROOT / "data" / "example" / "indicators.csv")


def default_output(scorecard: Path) -> Path:
    """``reports/<scorecard file's stem>/`` (SPEC 2)."""
    return Path("reports") / scorecard.stem
