"""The outputs of SPEC 3 from one analysis: tables, ``results.json``, the report and
``manifest.json``.

:func:`write_outputs` writes them into a folder that the caller has made safe to
write (:class:`bms_eval.pipeline.output_folder.OutputFolder`): ``bms-eval run``
after its notebooks, :meth:`bms_eval.Analysis.write` without them.
"""

from __future__ import annotations

import importlib.metadata
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from bms_eval import __version__
from bms_eval.estimation.arrows import ROLL_UP, arrow_cautions, roll_up, verdict_counts
from bms_eval.estimation.results import write_links_csv
from bms_eval.estimation.verdicts import VERDICTS, caution_counts
from bms_eval.inputs.model import Scorecard
from bms_eval.json_output import FrameRecords, records, to_json, write_json

if TYPE_CHECKING:
    from bms_eval.analysis import Analysis

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
    from bms_eval.resources import REPOSITORY

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


def scorecard_record(card: Scorecard) -> dict:
    """The scorecard as data: what was assumed, before any test."""
    return {
        "name": card.name,
        "language": card.language,
        "source": card.source,
        "perspectives": [{"id": p.id, "name": p.name} for p in card.perspectives],
        "goals": [
            {
                "id": g.id,
                "perspective": g.perspective,
                "text": g.text,
                "result_level": g.result_level,
            }
            for g in card.goals
        ],
        "success_factors": [
            {"id": f.id, "goal": f.goal, "text": f.text} for f in card.success_factors
        ],
        "indicators": [
            {
                "id": i.id,
                "name": i.name,
                "perspective": i.perspective,
                "success_factor": i.success_factor,
                "goal": i.goal,
                "column": i.column,
                "direction": i.direction,
                "scale": list(i.scale) if i.scale else None,
                "ambition": (
                    {"target": i.ambition.target, "threshold": i.ambition.threshold}
                    if i.ambition
                    else None
                ),
                "result_level": i.result_level,
                "transform": i.transform,
            }
            for i in card.indicators
        ],
        "links": [
            {
                "from": lk.source,
                "to": lk.target,
                "lag": list(lk.lags),
                "sign": lk.sign,
                "rationale": lk.rationale,
                "side_effect": lk.side_effect,
            }
            for lk in card.links
        ],
    }


def results_document(
    card: Scorecard,
    quality: dict,
    status: pd.DataFrame,
    links: pd.DataFrame,
    extra: dict | None = None,
) -> dict:
    """Everything the report shows, machine-readable (SPEC 3)."""
    counts = links["verdict"].value_counts() if len(links) else pd.Series(dtype=int)
    arrows = roll_up(links)
    a = card.analysis
    return {
        "bms_eval_version": __version__,
        "scorecard": scorecard_record(card),
        "analysis": {
            "effects": a.effects,
            "alpha": a.alpha,
            "min_effect": a.min_effect,
            "controls": list(a.controls),
            "bootstrap_draws": a.bootstrap_draws,
            "seed": a.seed,
        },
        "summary": {
            "arrows": len(arrows),
            "link_lags": len(links),
            "roll_up": ROLL_UP,
            "verdicts": verdict_counts(arrows),
            "cautions": caution_counts(arrow_cautions(arrows)),
            "verdicts_by_link_lag": {v: int(counts.get(v, 0)) for v in VERDICTS},
            "cautions_by_link_lag": caution_counts(links.get("cautions", [])),
            "by_arrow": [a.as_dict() for a in arrows],
        },
        "data_quality": quality,
        "status": FrameRecords(status),
        "links": records(links),
        **(extra or {}),
    }


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


def write_outputs(
    analysis: Analysis,
    folder: Path,
    *,
    started: str,
    notebooks: list[dict] | None = None,
    argv: list[str] | None = None,
    out: Path | None = None,
) -> None:
    """Write ``status.csv``, ``links.csv``, ``results.json``, ``report.html``,
    ``plan.csv`` (when the analysis has a plan) and ``manifest.json`` (last, with the
    SHA-256 of every other file in ``folder``).

    Parameters
    ----------
    analysis : Analysis
        The analysis, every part computed once.
    folder : Path
        An existing folder to write into (a run's work folder).
    started : str
        When the run began (ISO 8601).
    notebooks : list of dict, optional
        The executed notebooks (name, parameters, seconds), for the manifest.
    argv : list of str, optional
        The command line, for the manifest.
    out : Path, optional
        The output folder ``folder`` becomes, for the manifest.
    """
    from bms_eval.display import data_uri
    from bms_eval.pipeline.output_folder import output_hashes
    from bms_eval.report.html import render_report

    card, data = analysis.scorecard, analysis.data
    analysis.status.to_csv(folder / "status.csv")
    write_links_csv(analysis.links.to_frame(), folder / "links.csv")
    if analysis.plan is not None:
        analysis.plan.to_csv(folder / "plan.csv")
    results = analysis.results_document()
    parameters = {
        "scorecard": card.source,
        "data": data.file,
        "out": str((out if out is not None else folder).resolve()),
        "trend_periods": analysis.trend_periods,
        "language": card.language,
    }
    if analysis.plan_options is not None:
        parameters["plan"] = analysis.plan_options.as_dict()
    manifest = manifest_document(
        {
            "scorecard": {"path": str(Path(card.source).resolve()), "sha256": card.sha256},
            "data": {"path": str(Path(data.file).resolve()), "sha256": data.sha256},
        },
        parameters,
        started,
        notebooks or [],
        argv,
    )
    figures = {tag: data_uri(analysis.figure(tag)) for tag in analysis.figure_tags()}
    html = render_report(card, results, manifest, figures)
    (folder / "report.html").write_text(html, encoding="utf-8")
    write_json(folder / "results.json", results)
    manifest["outputs"] = output_hashes(folder)
    (folder / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
