"""What ``manifest.json`` records of a run (docs/outputs.md): the inputs with their
hashes, the parameters, the package versions and the source commit, the times.

Every writer of a manifest (``run``, ``Analysis.write``, ``plan --out``) builds it
with :func:`manifest_document`; the inputs block comes from
:func:`bms_eval.inputs.records.inputs_record`.
"""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
import sys
from datetime import UTC, datetime

from bms_eval.foundation.resources import REPOSITORY
from bms_eval.foundation.version import __version__

#: Packages whose versions the manifest records.
RECORDED_PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jinja2",
    "pyyaml",
    "openpyxl",
    "pyarrow",
)


def source_commit() -> dict | None:
    """The git commit the package runs from, where it runs from a clone (an editable
    install): ``{"commit": sha, "modified": bool}`` — modified when tracked files
    differ from that commit. ``None`` for an installed package or without git."""
    if not (REPOSITORY / ".git").exists() or not (REPOSITORY / "bms_eval").is_dir():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(REPOSITORY), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(REPOSITORY), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head, "modified": bool(changes)}


def now() -> str:
    """The current time in ISO 8601, UTC."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def manifest_document(
    inputs: dict[str, dict[str, str]],
    parameters: dict,
    started: str,
    notebooks: list[dict],
    argv: list[str] | None = None,
) -> dict:
    """Input hashes, parameters, versions, times: what it takes to redo the run.

    ``inputs`` maps ``scorecard`` and ``data`` to their path and the SHA-256 of
    the bytes the run read and analysed. The run adds ``outputs``, the SHA-256
    of every file it wrote, once they are written.
    """
    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "bms_eval_version": __version__,
        "source": source_commit(),
        "command": argv if argv is not None else sys.argv,
        "inputs": inputs,
        "parameters": parameters,
        "notebooks": notebooks,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": versions,
        "started": started,
        "finished": now(),
    }
