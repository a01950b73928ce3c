"""The outputs of a run (docs/outputs.md) from one analysis: tables, ``results.json``,
the report and ``manifest.json``.

:func:`write_outputs` writes them into a folder that the caller has made safe to
write (:class:`bms_eval.outputs.folder.OutputFolder`): ``bms-eval run``
after its notebooks, :meth:`bms_eval.Analysis.write` without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from bms_eval.estimation.arrows import ROLL_UP, arrow_cautions, roll_up, verdict_counts
from bms_eval.estimation.verdicts import VERDICTS, caution_counts
from bms_eval.foundation.version import __version__
from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.records import inputs_record, scorecard_record
from bms_eval.narrative.link_results import write_links_csv
from bms_eval.outputs.json_files import FrameRecords, records, to_json, write_json
from bms_eval.outputs.manifest import manifest_document
from bms_eval.outputs.paths import utf8_text

if TYPE_CHECKING:
    from bms_eval.analysis.results import Analysis


#: The version of ``results.json``'s structure, as docs/results.schema.json describes
#: it: raised whenever a key is removed, renamed or changes its type.
RESULTS_SCHEMA_VERSION = "1"


def results_document(
    card: Scorecard,
    quality: dict,
    status: pd.DataFrame,
    links: pd.DataFrame,
    extra: dict | None = None,
) -> dict:
    """Everything the report shows, machine-readable (docs/outputs.md)."""
    counts = links["verdict"].value_counts() if len(links) else pd.Series(dtype=int)
    arrows = roll_up(links)
    a = card.analysis
    return {
        "bms_eval_version": __version__,
        "schema_version": RESULTS_SCHEMA_VERSION,
        "scorecard": scorecard_record(card),
        "analysis": {
            "effects": a.effects,
            "estimand": a.estimand,
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


def write_outputs(
    analysis: Analysis,
    folder: Path,
    *,
    started: str,
    notebooks: list[dict] | None = None,
    argv: list[str] | None = None,
    out: Path | None = None,
) -> None:
    """Write ``status.csv``, ``links.csv``, ``results.json``, ``results.xlsx``, ``report.html``,
    ``plan.csv`` (when the analysis has a plan), ``discovered.csv`` (when it
    discovers) and ``manifest.json`` (last, with the
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
    from bms_eval.outputs.folder import output_hashes
    from bms_eval.report.html import render_report
    from bms_eval.report.notebook import data_uri
    from bms_eval.report.results_workbook import workbook_bytes

    card, data = analysis.scorecard, analysis.data
    analysis.status.to_csv(folder / "status.csv")
    write_links_csv(analysis.links.to_frame(), folder / "links.csv")
    if analysis.plan is not None:
        analysis.plan.to_csv(folder / "plan.csv")
    if analysis.discovery is not None:
        from bms_eval.narrative.discovery_results import write_discovered_csv

        write_discovered_csv(analysis.discovery.to_frame(), folder / "discovered.csv")
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
    if analysis.discover:
        parameters["discover"] = True
    manifest = manifest_document(
        inputs_record(card, data),
        parameters,
        started,
        notebooks or [],
        argv,
    )
    figures = {tag: data_uri(analysis.figure(tag)) for tag in analysis.figure_tags()}
    html = render_report(card, results, manifest, figures)
    (folder / "report.html").write_text(utf8_text(html), encoding="utf-8")
    write_json(folder / "results.json", results)
    (folder / "results.xlsx").write_bytes(workbook_bytes(card, results, started))
    manifest["outputs"] = output_hashes(folder)
    (folder / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
