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
import pickle
from pathlib import Path
from typing import Any

import pandas as pd

from bms_eval.validation import Inputs, load_inputs

PARTS = ".parts"
#: The checked inputs of a run, as the command read them (see :func:`save_inputs`).
INPUTS = "inputs.pickle"
#: Output metadata key under which figures carry their tag.
FIGURE_KEY = "bms_eval_figure"


class FrameRecords(list):
    """The rows of a table as JSON-ready dictionaries, made a block at a time.

    A status table of a thousand indicators × hundreds of units has hundreds of
    thousands of rows; as one list of dictionaries it takes gigabytes. This list
    holds the table and yields its rows block by block whenever it is iterated,
    so :func:`write_json` streams them to the file and a reader that only wants
    some rows never holds all of them.
    """

    BLOCK = 5000

    def __init__(self, frame: pd.DataFrame):
        super().__init__()
        self.frame = frame

    def __iter__(self):
        for start in range(0, len(self.frame), self.BLOCK):
            yield from records(self.frame.iloc[start : start + self.BLOCK])

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return records(self.frame.iloc[index])
        return records(self.frame.iloc[[index]])[0]

    def __len__(self) -> int:
        return len(self.frame)

    def __bool__(self) -> bool:
        return len(self.frame) > 0

    def __eq__(self, other: object) -> bool:
        return list(iter(self)) == list(other) if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become ``null``; numpy scalars become Python's."""
    if isinstance(value, FrameRecords):
        return value  # cleaned row by row as it is iterated
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


#: Strict JSON (no NaN), UTF-8 characters kept, indented: for every JSON file a run writes.
_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=2, allow_nan=False)


def to_json(value: Any) -> str:
    """Strict JSON text (no NaN), UTF-8 characters kept."""
    return _ENCODER.encode(_clean(value))


def write_json(path: Path, value: Any) -> None:
    """Write strict JSON as :func:`to_json` does, streamed to the file in pieces (a
    results document of hundreds of megabytes is never one string in memory)."""
    with path.open("w", encoding="utf-8") as handle:
        for piece in _ENCODER.iterencode(_clean(value)):
            handle.write(piece)


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


def save_inputs(output_dir: str | Path, inputs: Inputs) -> None:
    """Keep the run's checked inputs for its notebooks.

    ``bms-eval run`` reads and checks the scorecard and the data once; every
    notebook then analyses that same snapshot (:func:`run_inputs`), so a file
    changed while the run goes on cannot mix old and new data, and the
    manifest's hashes are those of what was analysed. The snapshot lives in the
    run's private work folder and is removed with the other parts.
    """
    folder = Path(output_dir) / PARTS
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / INPUTS).open("wb") as handle:
        pickle.dump(inputs, handle, protocol=pickle.HIGHEST_PROTOCOL)


def run_inputs(scorecard_path: str, data_path: str, output_dir: str = "") -> Inputs:
    """The inputs a notebook analyses.

    Within ``bms-eval run`` (``output_dir`` holds the run's snapshot) the inputs
    the command checked; on its own, in JupyterLab, the files read and checked
    by :func:`bms_eval.validation.load_inputs`.
    """
    snapshot = Path(output_dir) / PARTS / INPUTS if output_dir else None
    if snapshot is not None and snapshot.is_file():
        with snapshot.open("rb") as handle:
            inputs = pickle.load(handle)  # written by this run's own command, in its folder
        if isinstance(inputs, Inputs):
            return inputs
    return load_inputs(scorecard_path, data_path)


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
