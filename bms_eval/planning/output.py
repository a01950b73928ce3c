"""``bms-eval plan --out DIR``: ``plan.csv``, ``plan.png`` and ``manifest.json``, written
under the output-folder rules of ``run`` (a new or empty folder, or an earlier
bms-eval output, replaced only once everything is written)."""

from __future__ import annotations

from pathlib import Path

from bms_eval.planning.power import PlanResults
from bms_eval.validation import Inputs


def write_plan_folder(
    found: PlanResults, inputs: Inputs, out: Path, argv: list[str] | None = None
) -> Path:
    """Write the plan's outputs into ``out``.

    Raises
    ------
    bms_eval.output_paths.UsageError
        ``out`` may not be written (see :class:`~bms_eval.pipeline.output_folder.OutputFolder`).
    """
    import matplotlib.pyplot as plt

    from bms_eval.display import png_bytes
    from bms_eval.outputs import manifest_document, now, to_json
    from bms_eval.pipeline.output_folder import OutputFolder, output_hashes

    started = now()
    card, data = inputs.scorecard, inputs.data
    with OutputFolder(out) as folder:
        assert folder.work is not None
        found.to_csv(folder.work / "plan.csv")
        fig = found.plot()
        (folder.work / "plan.png").write_bytes(png_bytes(fig))
        plt.close(fig)
        manifest = manifest_document(
            {
                "scorecard": {"path": str(Path(card.source).resolve()), "sha256": card.sha256},
                "data": {"path": str(Path(data.file).resolve()), "sha256": data.sha256},
            },
            {
                "scorecard": card.source,
                "data": data.file,
                "out": str(out.resolve()),
                "language": card.language,
                "plan": found.as_dict(),
            },
            started,
            [],
            argv,
        )
        manifest["outputs"] = output_hashes(folder.work)
        (folder.work / "manifest.json").write_text(to_json(manifest), encoding="utf-8")
        folder.commit()
    return out
