"""Where the package finds its notebooks and bundled examples.

In an installed package (``pip install bms-eval``) they are package data under
``bms_eval/bundled/`` (copied there when the wheel is built: see ``setup.py``);
in a clone of the repository, where they are kept, they are the top-level
``notebooks/`` and ``data/`` folders. Either way :func:`notebook_dir` and
:func:`example` are the only places that know.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: Inside the installed package.
BUNDLED = Path(str(files("bms_eval"))) / "bundled"
#: The repository a clone (or an editable install) runs from.
REPOSITORY = Path(__file__).resolve().parents[2]


def _root() -> Path:
    return BUNDLED if BUNDLED.is_dir() else REPOSITORY


def notebook_dir() -> Path:
    """The folder of the pipeline's notebooks (``NN_name.ipynb``)."""
    return _root() / "notebooks"


def example(name: str = "example") -> tuple[Path, Path]:
    """The scorecard and data file of a bundled example (``example`` or ``heimdal``).

    Raises
    ------
    KeyError
        No such example.
    """
    folder = _root() / "data" / name
    cards = sorted(folder.glob("*.yaml"))
    data = sorted(folder.glob("indicators.*"))
    if not cards or not data:
        raise KeyError(f"no bundled example named {name!r}")
    return cards[0], data[0]
