"""What each notebook hands on to the run: tables, summaries and tagged figures.

Notebooks save their step's results as *parts* (Parquet for tables, JSON for
the rest) in ``OUTPUT_DIR/.parts``; ``bms-eval run`` reads them back to write the
deliverables and the report, so every number in the report is one a notebook
computed. Figures are displayed with a tag in the output's metadata, so the
report embeds exactly the pictures the executed notebooks show.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

PARTS = ".parts"
#: Output metadata key under which figures carry their tag.
FIGURE_KEY = "bms_eval_figure"


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become ``null``; numpy scalars become Python's."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(value: Any) -> str:
    """Strict JSON text (no NaN), UTF-8 characters kept."""
    return json.dumps(_clean(value), ensure_ascii=False, indent=2, allow_nan=False)


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows of a table as JSON-ready dictionaries."""
    return _clean(frame.astype(object).where(frame.notna(), None).to_dict("records"))


def save_part(output_dir: str | Path, name: str, value: pd.DataFrame | dict) -> None:
    """Save one step's result for the run; does nothing when ``output_dir`` is empty."""
    if not output_dir:
        return
    folder = Path(output_dir) / PARTS
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(value, pd.DataFrame):
        value.to_parquet(folder / f"{name}.parquet", index=False)
    else:
        (folder / f"{name}.json").write_text(to_json(value), encoding="utf-8")


def load_part(output_dir: str | Path, name: str) -> pd.DataFrame | dict:
    """Read a part saved by :func:`save_part`."""
    folder = Path(output_dir) / PARTS
    table = folder / f"{name}.parquet"
    if table.exists():
        return pd.read_parquet(table)
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def show_figure(fig, tag: str) -> None:
    """Display a figure in the notebook as a PNG tagged for the report.

    The PNG is rendered here (Agg, the figure's own size and resolution), so the
    picture does not depend on the kernel's matplotlib backend: ``MPLBACKEND=Agg``
    in the environment, which silently drops figures shown through the inline
    backend, cannot remove it.
    """
    from IPython.display import Image, display

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    display(Image(data=buffer.getvalue(), format="png"), metadata={FIGURE_KEY: tag})
