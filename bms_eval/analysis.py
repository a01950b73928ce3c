"""One analysis of a scorecard on its data, each part computed once.

:func:`analyse` returns an :class:`Analysis`: the checked inputs and, computed
when first asked for and then kept, the data quality, the scorecard status, the
link tests and the critical assessment — each a results object that shows
itself in a notebook and exports its table. The assessment uses the very link
tests ``.links`` holds; nothing is estimated twice. ``bms-eval run`` computes
one analysis, hands it to the notebooks (which only display it) and writes
every output from it (:meth:`Analysis.write` does the same without notebooks).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bms_eval.assessment import Assessment, assess
from bms_eval.estimation.links import estimate_links
from bms_eval.estimation.results import LinkResults
from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard
from bms_eval.status import TREND_PERIODS, StatusResults, scorecard_status
from bms_eval.validation import Inputs, QualityReport, load_inputs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The analysis a run hands to its notebooks, in the run's private parts folder.
SNAPSHOT = "analysis.pickle"
PARTS = ".parts"


@dataclass(frozen=True, eq=False)
class Analysis:
    """The analysis of one scorecard on its data (see :func:`analyse`).

    Attributes
    ----------
    inputs : Inputs
        The checked scorecard and data.
    trend_periods : int
        How many recent periods the status trends use.
    """

    inputs: Inputs
    trend_periods: int = TREND_PERIODS

    @property
    def scorecard(self) -> Scorecard:
        """The scorecard analysed."""
        return self.inputs.scorecard

    @property
    def data(self) -> IndicatorData:
        """The indicator data analysed."""
        return self.inputs.data

    @cached_property
    def quality(self) -> QualityReport:
        """Coverage of every indicator and the warnings met while checking the inputs."""
        return QualityReport(self.inputs)

    @cached_property
    def status(self) -> StatusResults:
        """The ordinary scorecard status: latest values against ambitions, trends."""
        table = scorecard_status(self.scorecard, self.data, self.trend_periods)
        return StatusResults(table, self.trend_periods)

    @cached_property
    def links(self) -> LinkResults:
        """The link tests: one row per link and lag, with verdicts."""
        return estimate_links(self.scorecard, self.data)

    @cached_property
    def assessment(self) -> Assessment:
        """The critical assessment of the instrumental premise, on ``links``."""
        return assess(self.inputs, self.links)

    def compute(self, progress: Callable[[str], None] | None = None) -> Analysis:
        """Compute every part not yet computed; returns the analysis itself.

        Parameters
        ----------
        progress : callable, optional
            Receives a line per step and per effect indicator of the link tests.
        """
        say = progress or (lambda _: None)
        if "links" not in self.__dict__:
            # cached_property keeps its value in the instance's __dict__: set here so
            # that progress reaches the link tests, the longest step
            self.__dict__["links"] = estimate_links(self.scorecard, self.data, progress=progress)
        for part in ("quality", "status", "assessment"):
            getattr(self, part)
        say("analysis computed")
        return self

    def results_document(self) -> dict:
        """The ``results.json`` document (SPEC 3)."""
        from bms_eval.outputs import results_document

        return results_document(
            self.scorecard,
            self.quality.to_dict(),
            self.status.to_frame(),
            self.links.to_frame(),
            extra={
                "trend_periods": self.trend_periods,
                "assessment": self.assessment.to_dict(),
            },
        )

    def _texts(self, language: str | None):
        from bms_eval.texts import Texts

        return Texts(language or self.scorecard.language)

    def plot_coverage(self, language: str | None = None) -> Figure:
        """Which indicator has data for which unit and period."""
        from bms_eval.report.figures import coverage_map

        return coverage_map(self.scorecard, self.data.frame, self._texts(language))

    def plot_trends(self, language: str | None = None) -> Figure:
        """Each indicator over time with its ambition bands."""
        from bms_eval.report.figures import trends

        return trends(self.scorecard, self.data.frame, self._texts(language))

    def plot_links(self, language: str | None = None) -> list[tuple[str, Figure]]:
        """The within-versus-between figure of every link and lag, with its tag."""
        from bms_eval.estimation.panel import Panel
        from bms_eval.report.figures import link_figures

        panel = Panel.from_data(self.data, self.scorecard.linked_ids)
        return link_figures(self.scorecard, panel, self.links.to_frame(), self._texts(language))

    def figures(self) -> list[tuple[str, Figure]]:
        """Every figure of the report with its tag, in the notebooks' order."""
        return [
            ("coverage", self.plot_coverage()),
            ("trends", self.plot_trends()),
            ("map", self.links.plot_map()),
            ("coefficients", self.links.plot_coefficients()),
            *self.plot_links(),
        ]

    def write(self, out: str | Path, progress: Callable[[str], None] | None = None) -> Path:
        """Write the outputs of SPEC 3 (without notebooks) into ``out``.

        ``out`` must be new, empty or an earlier bms-eval output (then replaced
        once everything is written), as for ``bms-eval run``; any other folder is
        refused, never deleted.

        Raises
        ------
        bms_eval.output_paths.UsageError
            ``out`` may not be written.
        """
        import matplotlib.pyplot as plt

        from bms_eval.display import data_uri
        from bms_eval.output_paths import check_output_folder
        from bms_eval.outputs import now, write_outputs
        from bms_eval.pipeline.output_folder import OutputFolder

        started = now()
        out = Path(out)
        check_output_folder(out, [Path(self.scorecard.source), Path(self.data.file)])
        self.compute(progress)
        figures = {}
        for tag, fig in self.figures():
            figures[tag] = data_uri(fig)
            plt.close(fig)
        with OutputFolder(out) as folder:
            assert folder.work is not None
            write_outputs(self, folder.work, figures, started=started, out=out)
            folder.commit()
        return out

    def save(self, folder: str | Path) -> Path:
        """Keep the analysis, as computed so far, for the notebooks of a run."""
        target = Path(folder) / PARTS
        target.mkdir(parents=True, exist_ok=True)
        path = target / SNAPSHOT
        with path.open("wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def __repr__(self) -> str:
        card, data = self.scorecard, self.data
        done = [p for p in ("quality", "status", "links", "assessment") if p in self.__dict__]
        return (
            f"Analysis of {card.name!r} on {data.file!r}: {len(data.units)} units, "
            f"{len(card.links)} links; computed: {', '.join(done) or 'nothing yet'}"
        )


def analyse(
    scorecard: str | Path | Inputs,
    data: str | Path | None = None,
    *,
    trend_periods: int = TREND_PERIODS,
) -> Analysis:
    """Analyse a scorecard on its indicator data.

    Parameters
    ----------
    scorecard : str, Path or Inputs
        The scorecard file (YAML), or inputs already checked
        (:func:`bms_eval.load_inputs`; then ``data`` is left out).
    data : str or Path, optional
        The indicator data file (CSV, Excel or Parquet).
    trend_periods : int
        How many recent periods the status trends use.

    Returns
    -------
    Analysis
        Its parts (``quality``, ``status``, ``links``, ``assessment``) are
        computed when first used, once; :meth:`Analysis.compute` computes all.

    Raises
    ------
    bms_eval.InputError
        The inputs are invalid (every problem located).
    """
    if isinstance(scorecard, Inputs):
        if data is not None:
            raise TypeError("give checked Inputs alone, or a scorecard file and a data file")
        inputs = scorecard
    else:
        if data is None:
            raise TypeError("analyse() needs the data file beside the scorecard file")
        inputs = load_inputs(scorecard, data)
    return Analysis(inputs, trend_periods)


def notebook_analysis(
    scorecard_path: str,
    data_path: str,
    output_dir: str = "",
    trend_periods: int = TREND_PERIODS,
) -> Analysis:
    """The analysis a notebook shows.

    Within ``bms-eval run`` (``output_dir`` holds the run's analysis, computed
    once by the command on the inputs it checked) that analysis; on its own, in
    JupyterLab, :func:`analyse` on the files (the bundled example when both
    paths are empty), each part computed as the notebook asks for it.
    """
    if not scorecard_path and not data_path:
        from bms_eval.resources import example

        scorecard_path, data_path = (str(p) for p in example())
    snapshot = Path(output_dir) / PARTS / SNAPSHOT if output_dir else None
    if snapshot is not None and snapshot.is_file():
        with snapshot.open("rb") as handle:
            analysis = pickle.load(handle)  # written by this run's own command, in its folder
        if isinstance(analysis, Analysis) and analysis.trend_periods == trend_periods:
            return analysis
    return analyse(scorecard_path, data_path, trend_periods=trend_periods)
