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

import hashlib
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bms_eval.assessment.status import TREND_PERIODS, StatusResults, scorecard_status
from bms_eval.foundation.file_locks import holder_gone
from bms_eval.inputs.validation import Inputs, QualityReport, in_language, load_inputs
from bms_eval.planning.options import DEFAULT_DRAWS, DEFAULT_EFFECT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bms_eval.assessment import Assessment
    from bms_eval.inputs.data import IndicatorData
    from bms_eval.inputs.model import Scorecard
    from bms_eval.narrative.discovery_results import DiscoveryResults
    from bms_eval.narrative.link_results import LinkResults
    from bms_eval.planning.options import PlanOptions
    from bms_eval.planning.power import PlanResults

#: The run's private folder of parts, inside its work folder.
PARTS = ".parts"
#: The analysis (its inputs) a run hands to its notebooks, in :data:`PARTS`.
SNAPSHOT = "analysis.pickle"
#: In :data:`PARTS`: why the run's analysis failed (the notebooks stop waiting).
FAILED = "failed.txt"
#: In :data:`PARTS`: locked by the process computing the analysis for as long as it
#: lives (:mod:`bms_eval.foundation.file_locks`); absent when the command computes
#: everything itself before the notebooks start.
LIVE = "producer.lock"
#: The parts of an analysis, in the order they are computed (``plan`` only when
#: the analysis was given plan options, ``discovery`` only when it discovers; each is
#: None otherwise).
PART_NAMES = ("quality", "status", "links", "diagnostics", "plan", "discovery", "assessment")
#: Figures drawn from a part computed after the link tests' figures start: each is
#: rendered once its part is there (``bms_eval.pipeline.producer``).
LATE_FIGURES = ("plan", "map_in_use")


class AnalysisFailed(RuntimeError):
    """The run's analysis failed while a notebook waited for one of its parts."""


def figure_file(tag: str) -> str:
    """The file name of a figure's PNG among a run's parts (tags hold user text)."""
    return "figure-" + hashlib.sha256(tag.encode("utf-8")).hexdigest()[:20] + ".png"


def write_part(folder: Path, name: str, payload: bytes) -> None:
    """Write one part so that a reader sees all of it or nothing (rename into place)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    tmp.write_bytes(payload)
    os.replace(tmp, folder / name)


def read_part(folder: Path, name: str) -> bytes:
    """A part of a run, waiting until it is written.

    The wait ends when the part is there, when the run recorded that its
    analysis failed, or when the process computing it is gone without either
    (its lock, :data:`LIVE`, is free: it was killed, or could not even record
    why it failed, as on a full disk). ``bms-eval run --timeout`` bounds the
    wait as well.

    Raises
    ------
    AnalysisFailed
        The analysis failed, or its process ended without writing the part.
    """
    path, failed, live = folder / name, folder / FAILED, folder / LIVE
    pause, waited = 0.005, 0.0
    while not path.exists():
        if failed.exists():
            raise AnalysisFailed(failed.read_text(encoding="utf-8", errors="replace"))
        if waited >= 0.25 and live.exists() and holder_gone(live):
            if path.exists():  # written just before the process ended
                break
            if failed.exists():
                continue
            raise AnalysisFailed(
                "the analysis stopped before it was done, without a reason (the system "
                "may have ended it for lack of memory, or the disk may be full)"
            )
        time.sleep(pause)
        waited += pause
        pause = min(pause * 1.5, 0.05)
    return path.read_bytes()


@dataclass(frozen=True, eq=False)
class Analysis:
    """The analysis of one scorecard on its data (see :func:`analyse`).

    Attributes
    ----------
    inputs : Inputs
        The checked scorecard and data.
    trend_periods : int
        How many recent periods the status trends use.
    plan_options : PlanOptions, optional
        With these, the analysis holds a plan too (``plan``): power per arrow by
        simulation, which the assessment and the report use.
    discover : bool
        Whether the analysis holds a discovery too (``discovery``): the arrows the
        data show that the scorecard does not draw, which the assessment and the
        report use.
    """

    inputs: Inputs
    trend_periods: int = TREND_PERIODS
    plan_options: PlanOptions | None = None
    discover: bool = False
    #: Inside ``bms-eval run``: the run's parts folder, from which every part and
    #: figure is read (waiting until the run has computed it) instead of computed
    #: again. Such an analysis holds the inputs without the data's rows.
    run_parts: Path | None = field(default=None, compare=False, repr=False)

    def _from_run(self, name: str) -> Any:
        if self.run_parts is None:
            return None
        return pickle.loads(read_part(self.run_parts, f"{name}.pickle"))

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
        found = self._from_run("quality")
        return QualityReport(self.inputs) if found is None else found

    @cached_property
    def status(self) -> StatusResults:
        """The ordinary scorecard status: latest values against ambitions, trends."""
        found = self._from_run("status")
        if found is not None:
            return found
        table = scorecard_status(self.scorecard, self.data, self.trend_periods)
        return StatusResults(table, self.trend_periods)

    @cached_property
    def links(self) -> LinkResults:
        """The link tests: one row per link and lag, with verdicts."""
        from bms_eval.narrative.link_results import estimate_links

        found = self._from_run("links")
        return estimate_links(self.scorecard, self.data) if found is None else found

    @cached_property
    def plan(self) -> PlanResults | None:
        """Power per arrow now and the years or units that would reach 80 %
        (:func:`bms_eval.planning.plan`); None without ``plan_options``."""
        return self._plan()

    def _plan(self, progress: Callable[[str], None] | None = None) -> PlanResults | None:
        if self.plan_options is None:
            return None
        found = self._from_run("plan")
        if found is not None:
            return found
        from bms_eval.planning.power import plan_for, progress_lines

        lines = None if progress is None else progress_lines(progress)
        return plan_for(self.scorecard, self.data, self.plan_options, lines)

    @cached_property
    def discovery(self) -> DiscoveryResults | None:
        """The undrawn arrows the data show, confirmed on held-out data, beside the
        drawn ones (:func:`bms_eval.estimation.discovery.discover`); None unless the
        analysis discovers."""
        return self._discovery()

    def _discovery(self, progress: Callable[[str], None] | None = None) -> DiscoveryResults | None:
        if not self.discover:
            return None
        found = self._from_run("discovery")
        if found is not None:
            return found
        from bms_eval.narrative.discovery_results import estimate_discovery

        return estimate_discovery(
            self.scorecard, self.data, self.links.to_frame(), progress=progress
        )

    @cached_property
    def diagnostics(self) -> dict:
        """Shared shocks and units' own trends (``data_quality.panel_diagnostics``:
        :func:`~bms_eval.estimation.panel_diagnostics.panel_diagnostics`)."""
        from bms_eval.estimation.panel_diagnostics import panel_diagnostics

        found = self._from_run("diagnostics")
        return panel_diagnostics(self._panel, self.scorecard) if found is None else found

    @cached_property
    def assessment(self) -> Assessment:
        """The critical assessment of the instrumental premise, on ``links`` (and on
        ``plan`` when there is one)."""
        from bms_eval.assessment import assess

        found = self._from_run("assessment")
        if found is not None:
            return found
        discovered = None if self.discovery is None else self.discovery.confirmed
        return assess(self.inputs, self.links, self.plan, discovered)

    @property
    def part_names(self) -> tuple[str, ...]:
        """The parts this analysis has (``plan`` only with plan options, ``discovery``
        only when it discovers)."""
        absent = {"plan"} if self.plan_options is None else set()
        absent |= set() if self.discover else {"discovery"}
        return tuple(p for p in PART_NAMES if p not in absent)

    def compute(
        self, progress: Callable[[str], None] | None = None, figures: bool = False
    ) -> Analysis:
        """Compute every part not yet computed; returns the analysis itself.

        Parameters
        ----------
        progress : callable, optional
            Receives a line per step and per effect indicator of the link tests.
        figures : bool
            Render (inside a run: read) every figure of the report as well.
        """
        for part in PART_NAMES:
            self.part(part, progress)
        if figures:
            for tag in self.figure_tags():
                self.figure(tag)
        return self

    def part(self, name: str, progress: Callable[[str], None] | None = None) -> Any:
        """One part by name (``quality``, ``status``, ``links``, ``diagnostics``, ``plan``,
        ``assessment``).

        Parameters
        ----------
        progress : callable, optional
            Receives a line per effect indicator of the link tests, and the plan's
            progress.
        """
        if name not in PART_NAMES:
            raise KeyError(f"no part {name!r}; the parts are {', '.join(PART_NAMES)}")
        if name == "links" and "links" not in self.__dict__ and self.run_parts is None:
            from bms_eval.narrative.link_results import estimate_links

            # cached_property keeps its value in the instance's __dict__: set here so
            # that progress reaches the link tests, the longest step
            self.__dict__["links"] = estimate_links(self.scorecard, self.data, progress=progress)
        if name == "plan" and "plan" not in self.__dict__ and self.run_parts is None:
            self.__dict__["plan"] = self._plan(progress)
        if name == "discovery" and "discovery" not in self.__dict__ and self.run_parts is None:
            self.__dict__["discovery"] = self._discovery(progress)
        return getattr(self, name)

    @cached_property
    def _panel(self):
        from bms_eval.estimation.panel import Panel

        return Panel.for_links(self.scorecard, self.data)

    def data_figure_tags(self) -> list[str]:
        """The figures drawn from the data alone (no link test needed): the coverage map
        where some indicator has gaps (for a complete panel it would be one colour),
        and the trends."""
        return [*([] if self.quality.complete else ["coverage"]), "trends"]

    def figure_tags(self) -> list[str]:
        """The tags of every figure of the report, in the notebooks' order."""
        links = self.links.to_frame()
        return [
            *self.data_figure_tags(),
            "map",
            "coefficients",
            *(
                f"within_between:{a}>{b}>{int(lag)}"
                for a, b, lag in zip(links["from"], links["to"], links["lag"], strict=True)
            ),
            *(["plan"] if self.plan_options is not None else []),
            *(["map_in_use"] if self.discover else []),
        ]

    def plot(self, tag: str, language: str | None = None) -> Figure:
        """The figure with tag ``tag`` (see :meth:`figure_tags`), as a matplotlib Figure."""
        if tag == "coverage":
            return self.plot_coverage(language)
        if tag == "trends":
            return self.plot_trends(language)
        if tag == "map":
            from bms_eval.report.strategy_map import strategy_map

            return strategy_map(self.scorecard, self.links.to_frame(), self._texts(language))
        if tag == "coefficients":
            from bms_eval.report.figures import coefficient_plot

            return coefficient_plot(
                self.links.to_frame(),
                self.links.min_effect,
                self._texts(language),
                self.links.arrow_tests(),
            )
        if tag == "map_in_use" and self.discovery is not None:
            from bms_eval.report.map_in_use import map_in_use

            return map_in_use(
                self.scorecard,
                self.links.to_frame(),
                self.discovery.confirmed,
                self._texts(language),
            )
        if tag == "plan" and self.plan is not None:
            from bms_eval.report.figures import plan_figure

            return plan_figure(self.plan, language)
        if tag.startswith("within_between:"):
            from bms_eval.report.figures import within_between

            source, target, lag = tag.removeprefix("within_between:").rsplit(">", 2)
            row = self.links[source, target, int(lag)].to_dict()
            texts = self._texts(language)
            study = self.links.event_study(source, target, int(lag))
            if study is not None:  # a reform arrow: its event study takes the place
                from bms_eval.report.figures import event_study

                return event_study(self.scorecard, source, target, int(lag), study, texts)
            return within_between(self.scorecard, self._panel, source, target, int(lag), texts, row)
        raise KeyError(f"no figure tagged {tag!r}")

    def figure(self, tag: str) -> bytes:
        """The PNG of the figure with tag ``tag``, rendered once (inside a run, by the run)."""
        cache = self.__dict__.setdefault("_figures", {})
        if tag not in cache:
            if self.run_parts is not None:
                cache[tag] = read_part(self.run_parts, figure_file(tag))
            else:
                import matplotlib.pyplot as plt

                from bms_eval.report.notebook import png_bytes

                fig = self.plot(tag)
                cache[tag] = png_bytes(fig)
                plt.close(fig)
        return cache[tag]

    def show(self, *tags: str) -> None:
        """Display figures in a notebook, tagged for the report; ``within_between``
        alone shows every link's within-versus-between figure."""
        from bms_eval.report.notebook import show_png

        for tag in tags:
            if tag == "coverage" and self.quality.complete:
                print(self._texts(None)["coverage_complete"])
                continue
            chosen = (
                [t for t in self.figure_tags() if t.startswith("within_between:")]
                if tag == "within_between"
                else [tag]
            )
            for one in chosen:
                show_png(self.figure(one), one)

    def results_document(self) -> dict:
        """The ``results.json`` document (docs/outputs.md)."""
        from bms_eval.analysis.write import results_document
        from bms_eval.outputs.json_files import records

        quality = {**self.quality.to_dict(), "panel_diagnostics": self.diagnostics}
        return results_document(
            self.scorecard,
            quality,
            self.status.to_frame(),
            self.links.to_frame(),
            extra={
                "trend_periods": self.trend_periods,
                "assessment": self.assessment.to_dict(),
                "event_studies": self.links.event_studies(),
                "arrow_tests": records(self.links.arrow_tests().assign(lags=self._arrow_lags())),
                **({} if self.plan is None else {"plan": self.plan.results_dict()}),
                **({} if self.discovery is None else {"discovery": self.discovery.to_dict()}),
            },
        )

    def _arrow_lags(self) -> list[list[int]]:
        """Each several-lag arrow's lags as a list (for JSON)."""
        return [list(lags) for lags in self.links.arrow_tests()["lags"]]

    def _texts(self, language: str | None):
        from bms_eval.narrative.texts import Texts

        return Texts(language or self.scorecard.language)

    def plot_coverage(self, language: str | None = None) -> Figure:
        """Which indicator has data for which unit and period."""
        from bms_eval.report.figures import coverage_map

        return coverage_map(self.scorecard, self.data.frame, self._texts(language))

    def plot_trends(self, language: str | None = None) -> Figure:
        """Each indicator over time with its ambition bands."""
        from bms_eval.report.figures import trends

        return trends(self.scorecard, self.data.frame, self._texts(language))

    def write(self, out: str | Path, progress: Callable[[str], None] | None = None) -> Path:
        """Write the outputs of docs/outputs.md (without notebooks) into ``out``.

        ``out`` must be new, empty or an earlier bms-eval output (then replaced
        once everything is written), as for ``bms-eval run``; any other folder is
        refused, never deleted.

        Raises
        ------
        bms_eval.outputs.paths.UsageError
            ``out`` may not be written.
        """
        from bms_eval.analysis.write import write_outputs
        from bms_eval.outputs.folder import OutputFolder
        from bms_eval.outputs.manifest import now
        from bms_eval.outputs.paths import check_output_folder

        started = now()
        out = Path(out)
        check_output_folder(out, [Path(self.scorecard.source), Path(self.data.file)])
        self.compute(progress)
        with OutputFolder(out) as folder:
            assert folder.work is not None
            write_outputs(self, folder.work, started=started, out=out)
            folder.commit()
        return out

    def __repr__(self) -> str:
        card, data = self.scorecard, self.data
        if self.run_parts is not None:
            return f"Analysis of {card.name!r} on {data.file!r}, as bms-eval run computed it"
        done = [p for p in self.part_names if p in self.__dict__]
        return (
            f"Analysis of {card.name!r} on {data.file!r}: {len(data.units)} units, "
            f"{len(card.links)} links; computed: {', '.join(done) or 'nothing yet'}"
        )

    def _repr_html_(self) -> str:
        import html

        parts = "".join(
            f"<li><code>.{name}</code>{' (computed)' if name in self.__dict__ else ''}</li>"
            for name in self.part_names
        )
        return (
            f"<div><p>{html.escape(repr(self))}</p><p>Its parts, each a table that shows "
            f"itself:</p><ul>{parts}</ul><p>Figures: <code>.show(tag)</code>, "
            "<code>.plot(tag)</code> for a matplotlib figure; the tags: "
            "<code>.figure_tags()</code>.</p></div>"
        )


def analyse(
    scorecard: str | Path | Inputs,
    data: str | Path | None = None,
    *,
    trend_periods: int = TREND_PERIODS,
    language: str | None = None,
    plan: PlanOptions | None = None,
    discover: bool = False,
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
    language : {"en", "nb", "nn"}, optional
        The language of every text the analysis writes (reasons, assessment,
        report, figures) instead of the scorecard's ``language``.
    plan : PlanOptions, optional
        Plan as well: power per arrow by simulation (``Analysis.plan``).
    discover : bool
        Discover as well: the arrows the data show that the scorecard does not draw,
        confirmed on held-out data (``Analysis.discovery``).

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
    return Analysis(in_language(inputs, language), trend_periods, plan, discover)


def notebook_analysis(
    scorecard_path: str,
    data_path: str,
    output_dir: str = "",
    trend_periods: int = TREND_PERIODS,
    plan: PlanOptions | None = None,
) -> Analysis:
    """The analysis a notebook shows.

    Within ``bms-eval run`` (``output_dir`` holds the run's analysis, computed
    once by the command on the inputs it checked) that analysis; on its own, in
    JupyterLab, :func:`analyse` on the files (the bundled example when both
    paths are empty), each part computed as the notebook asks for it.
    """
    if not scorecard_path and not data_path:
        from bms_eval.foundation.resources import example

        scorecard_path, data_path = (str(p) for p in example())
    parts = Path(output_dir) / PARTS if output_dir else None
    if parts is not None and (parts / SNAPSHOT).is_file():
        # written by this run's own command, in its private folder
        analysis = pickle.loads((parts / SNAPSHOT).read_bytes())
        if isinstance(analysis, Analysis) and analysis.trend_periods == trend_periods:
            return replace(analysis, run_parts=parts)
    return analyse(scorecard_path, data_path, trend_periods=trend_periods, plan=plan)


def design_counts(text: str, what: str) -> tuple[int, ...] | None:
    """Designs written as a notebook parameter: whole numbers separated by spaces or
    commas (``"12 15"``); None for an empty text (the planner's default)."""
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        return None
    try:
        counts = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"{what}: whole numbers separated by spaces, not {text!r}") from None
    return counts


def notebook_plan(
    scorecard_path: str,
    data_path: str,
    output_dir: str = "",
    effect: float = DEFAULT_EFFECT,
    draws: int = DEFAULT_DRAWS,
    years: str = "",
    units: str = "",
) -> Analysis:
    """The analysis, with its plan computed, that the plan's notebook shows.

    Within ``bms-eval run --plan`` the run's (its plan computed once by the
    command); on its own, :func:`analyse` on the files (the bundled example when
    both paths are empty) with these plan options, the plan computed at once with
    its progress printed. ``years`` and ``units`` are the designs' totals as text
    (``"12 15"``; empty: the planner's defaults).
    """
    from bms_eval.planning.options import PlanOptions

    options = PlanOptions(
        effect=effect,
        years=design_counts(years, "years"),
        units=design_counts(units, "units"),
        draws=draws,
    )
    analysis = notebook_analysis(scorecard_path, data_path, output_dir, plan=options)
    if analysis.plan_options is None:  # a run's analysis without a plan: plan here
        if not scorecard_path and not data_path:
            from bms_eval.foundation.resources import example

            scorecard_path, data_path = (str(p) for p in example())
        analysis = analyse(scorecard_path, data_path, plan=options)
    analysis.part("plan", print)
    return analysis


def notebook_discovery(scorecard_path: str, data_path: str, output_dir: str = "") -> Analysis:
    """The analysis, with its discovery computed, that the discovery's notebook shows.

    Within ``bms-eval run --discover`` the run's (its discovery computed once by the
    command); on its own, :func:`analyse` on the files (the bundled example when both
    paths are empty) with discovery, computed at once with its progress printed.
    """
    analysis = notebook_analysis(scorecard_path, data_path, output_dir)
    if not analysis.discover:  # on its own, or a run's analysis without discovery
        if not scorecard_path and not data_path:
            from bms_eval.foundation.resources import example

            scorecard_path, data_path = (str(p) for p in example())
        analysis = analyse(scorecard_path, data_path, discover=True)
    analysis.part("discovery", print)
    return analysis
