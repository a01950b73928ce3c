"""``bms-eval run``: execute the notebooks, collect their results, write the report.

The command reads and checks the inputs once; the notebooks analyse that
snapshot (:func:`bms_eval.pipeline.parts.run_inputs`). Everything is written into
a work folder beside the output folder, which takes the output folder's place
only when the whole run has succeeded, and only if the output folder is empty or
holds an earlier bms-eval output (:mod:`bms_eval.pipeline.output_folder`). When a
notebook cell fails, the output folder is left as it was and the partial run,
with the executed notebook up to the failing cell, is kept in ``<DIR>.failed/``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jupyter_client.manager import AsyncKernelManager

from bms_eval.estimation.results import write_links_csv
from bms_eval.inputs.model import Scorecard
from bms_eval.memory import release_memory
from bms_eval.output_paths import check_output_folder
from bms_eval.pipeline.notebooks import (
    CellFailure,
    execute,
    notebooks,
    parameters_for,
    shared_kernel,
)
from bms_eval.pipeline.output_folder import OutputFolder, output_hashes
from bms_eval.pipeline.outputs import manifest_document, now, results_document
from bms_eval.pipeline.parts import PARTS, load_part, save_inputs, to_json, write_json
from bms_eval.report.html import notebook_figures, render_report
from bms_eval.status import TREND_PERIODS
from bms_eval.validation import Inputs, load_inputs


@dataclass(frozen=True)
class RunTimes:
    """Seconds spent in each phase of a run."""

    notebooks: dict[str, float]
    collect_and_render: float
    total: float


class RunFailed(Exception):
    """A notebook failed; the partial run is kept at ``kept``."""

    def __init__(self, failure: CellFailure, kept: Path):
        self.failure, self.kept = failure, kept
        super().__init__(f"{failure}. The executed notebook up to that cell is kept in {kept}")


def run_pipeline(
    scorecard: Path,
    data: Path,
    out: Path,
    progress: Callable[[str], None] = lambda _: None,
    argv: list[str] | None = None,
    inputs: Inputs | None = None,
    kernel: AsyncKernelManager | None = None,
    folder: OutputFolder | None = None,
    timeout: int | None = None,
) -> RunTimes:
    """Run every notebook on the inputs and write all outputs of SPEC 3 into ``out``.

    Parameters
    ----------
    scorecard, data : Path
        The inputs.
    out : Path
        The output folder: new, empty, or an earlier bms-eval output, replaced on
        success.
    progress : callable
        Receives a line per step.
    argv : list of str, optional
        The command line, for the manifest.
    inputs : Inputs, optional
        The inputs already checked (read from the files when not given); the
        notebooks analyse exactly these.
    kernel : AsyncKernelManager, optional
        A kernel from :func:`~bms_eval.pipeline.notebooks.shared_kernel`, already
        warming up; one is started when not given.
    folder : OutputFolder, optional
        ``out``, already entered (locked, with its work folder); the caller then
        enters it before the kernel, so that on an interrupt the kernel stops
        before the work folder is removed.
    timeout : int, optional
        Seconds a notebook cell may run (no limit when not given).

    Raises
    ------
    bms_eval.problems.InputError
        Invalid inputs (checked before any notebook starts).
    bms_eval.output_paths.UsageError
        ``out`` may not be written (a file, an input inside it, a folder of
        other files, another run writing it).
    RunFailed
        A notebook cell failed.
    """
    start, started = time.perf_counter(), now()
    if inputs is None:
        inputs = load_inputs(scorecard, data)
    check_output_folder(out, [scorecard, data])
    with ExitStack() as stack:
        if folder is None:
            folder = stack.enter_context(OutputFolder(out))
        assert folder.work is not None
        work = folder.work
        save_inputs(work, inputs)
        card, data_sha256 = inputs.scorecard, inputs.data.sha256
        del inputs  # the notebooks read the snapshot; this process needs only the scorecard
        release_memory()
        executed_dir = work / "notebooks"
        executed_dir.mkdir()
        records: list[dict] = []
        times: dict[str, float] = {}
        try:
            found = notebooks()
            km = kernel if kernel is not None else stack.enter_context(shared_kernel())
            for i, nb in enumerate(found, 1):
                params = parameters_for(nb, scorecard, data, work)
                progress(f"[{i}/{len(found)}] {nb.name} …")
                t0 = time.perf_counter()
                execute(nb, executed_dir / nb.name, params, km, timeout)
                times[nb.name] = time.perf_counter() - t0
                records.append(
                    {"notebook": nb.name, "parameters": params, "seconds": round(times[nb.name], 2)}
                )
                progress(
                    f"[{i}/{len(found)}] {nb.name} done in {times[nb.name]:.1f} s "
                    f"(elapsed {time.perf_counter() - start:.1f} s)"
                )
        except CellFailure as failure:
            shutil.rmtree(work / PARTS, ignore_errors=True)
            raise RunFailed(failure, folder.keep_failed()) from None
        t0 = time.perf_counter()
        _collect(card, data_sha256, scorecard, data, folder.out, work, records, started, argv)
        collect = time.perf_counter() - t0
        folder.commit()
        progress(f"report written in {collect:.1f} s")
    return RunTimes(times, collect, time.perf_counter() - start)


def _collect(
    card: Scorecard,
    data_sha256: str,
    scorecard: Path,
    data: Path,
    out: Path,
    work: Path,
    records: list[dict],
    started: str,
    argv: list[str] | None,
) -> None:
    quality = load_part(work, "quality")
    status = load_part(work, "status")
    links = load_part(work, "links")
    assert isinstance(status, pd.DataFrame) and isinstance(links, pd.DataFrame)
    trend_periods = next(
        (
            r["parameters"].get("trend_periods")
            for r in records
            if "trend_periods" in r["parameters"]
        ),
        TREND_PERIODS,
    )
    status.to_csv(work / "status.csv", index=False, lineterminator="\n")
    write_links_csv(links, work / "links.csv")
    results = results_document(
        card,
        quality,
        status,
        links,
        extra={"trend_periods": trend_periods, "assessment": load_part(work, "assessment")},
    )
    parameters = {
        "scorecard": str(scorecard),
        "data": str(data),
        "out": str(out),
        "trend_periods": trend_periods,
    }
    manifest = manifest_document(
        {
            "scorecard": {"path": str(scorecard.resolve()), "sha256": card.sha256},
            "data": {"path": str(data.resolve()), "sha256": data_sha256},
        },
        parameters,
        started,
        records,
        argv,
    )
    figures = notebook_figures(sorted((work / "notebooks").glob("*.ipynb")))
    html = render_report(card, results, manifest, figures)
    (work / "report.html").write_text(html, encoding="utf-8")
    write_json(work / "results.json", results)
    shutil.rmtree(work / PARTS, ignore_errors=True)
    manifest["outputs"] = output_hashes(work)
    (work / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
