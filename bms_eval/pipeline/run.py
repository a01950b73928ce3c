"""``bms-eval run``: execute the notebooks, collect their results, write the report.

Everything is written into a temporary folder next to the output folder, which
replaces it only when the whole run has succeeded. When a notebook cell fails,
the output folder is left as it was and the partial run, with the executed
notebook up to the failing cell, is kept in ``<DIR>.failed/`` for diagnosis.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from jupyter_client.manager import KernelManager

from bms_eval.estimation.results import write_links_csv
from bms_eval.pipeline.notebooks import (
    CellFailure,
    execute,
    notebooks,
    parameters_for,
    shared_kernel,
)
from bms_eval.pipeline.outputs import manifest_document, now, results_document
from bms_eval.pipeline.parts import PARTS, load_part, to_json
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


def _replace(work: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        work.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(out)


def run_pipeline(
    scorecard: Path,
    data: Path,
    out: Path,
    progress: Callable[[str], None] = lambda _: None,
    argv: list[str] | None = None,
    inputs: Inputs | None = None,
    kernel: KernelManager | None = None,
) -> RunTimes:
    """Run every notebook on the inputs and write all outputs of SPEC 3 into ``out``.

    Parameters
    ----------
    scorecard, data : Path
        The inputs.
    out : Path
        The output folder, replaced on success.
    progress : callable
        Receives a line per step.
    argv : list of str, optional
        The command line, for the manifest.
    inputs : Inputs, optional
        The inputs already checked (read from the files when not given).
    kernel : KernelManager, optional
        A kernel from :func:`~bms_eval.pipeline.notebooks.shared_kernel`, already
        warming up; one is started when not given.

    Raises
    ------
    bms_eval.problems.InputError
        Invalid inputs (checked before any notebook starts).
    RunFailed
        A notebook cell failed.
    """
    start, started = time.perf_counter(), now()
    inputs = inputs if inputs is not None else load_inputs(scorecard, data)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    executed_dir = work / "notebooks"
    executed_dir.mkdir()
    records: list[dict] = []
    times: dict[str, float] = {}

    def _run_one(i: int, nb: Path, total: int, km) -> None:
        params = parameters_for(nb, scorecard, data, work)
        progress(f"[{i}/{total}] {nb.name} …")
        t0 = time.perf_counter()
        execute(nb, executed_dir / nb.name, params, km)
        times[nb.name] = time.perf_counter() - t0
        records.append(
            {"notebook": nb.name, "parameters": params, "seconds": round(times[nb.name], 2)}
        )
        progress(
            f"[{i}/{total}] {nb.name} done in {times[nb.name]:.1f} s "
            f"(elapsed {time.perf_counter() - start:.1f} s)"
        )

    try:
        found = notebooks()
        with ExitStack() as stack:
            km = kernel if kernel is not None else stack.enter_context(shared_kernel())
            for i, nb in enumerate(found, 1):
                _run_one(i, nb, len(found), km)
        t0 = time.perf_counter()
        _collect(inputs, scorecard, data, work, records, started, argv)
        collect = time.perf_counter() - t0
        progress(f"report written in {collect:.1f} s")
    except CellFailure as failure:
        kept = out.with_name(f"{out.name}.failed")
        shutil.rmtree(kept, ignore_errors=True)
        work.rename(kept)
        raise RunFailed(failure, kept) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _replace(work, out)
    return RunTimes(times, collect, time.perf_counter() - start)


def _collect(
    inputs,
    scorecard: Path,
    data: Path,
    work: Path,
    records: list[dict],
    started: str,
    argv: list[str] | None,
) -> None:
    card = inputs.scorecard
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
        "out": str(work.name),
        "trend_periods": trend_periods,
    }
    manifest = manifest_document(
        scorecard.resolve(), data.resolve(), parameters, started, records, argv
    )
    figures = notebook_figures(sorted((work / "notebooks").glob("*.ipynb")))
    html = render_report(card, results, manifest, figures)
    (work / "report.html").write_text(html, encoding="utf-8")
    (work / "results.json").write_text(to_json(results), encoding="utf-8")
    (work / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
    shutil.rmtree(work / PARTS, ignore_errors=True)
