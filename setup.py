"""Build hook: the notebooks and bundled examples go into the package.

In the repository they live at the top level (``notebooks/``, ``data/example/``,
``data/heimdal/``), where JupyterLab users and readers find them; a built wheel
carries copies under ``bms_eval/bundled/`` so that an installed bms-eval can run
them (:mod:`bms_eval.foundation.resources`). Editable installs use the repository's own.
Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: Folder in the repository → the files of it that are bundled.
BUNDLED = {
    "notebooks": "[0-9][0-9]_*.ipynb",
    "data/example": "*",
    "data/heimdal": "*",
}


class BuildWithBundled(build_py):
    """``build_py`` that also copies :data:`BUNDLED` into ``bms_eval/bundled/``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "bms_eval" / "bundled"
        for folder, pattern in BUNDLED.items():
            for path in sorted((ROOT / folder).glob(pattern)):
                if path.is_file():
                    dest = target / folder / path.name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, dest)


setup(cmdclass={"build_py": BuildWithBundled})
