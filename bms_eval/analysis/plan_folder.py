"""``bms-eval plan --out DIR``: ``plan.csv``, ``plan.png`` and ``manifest.json``, written
under the output-folder rules of ``run`` (a new or empty folder, or an earlier
bms-eval output, replaced only once everything is written)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bms_eval.inputs.validation import Inputs
from bms_eval.planning.power import PlanResults

if TYPE_CHECKING:
    from bms_eval.outputs.folder import OutputFolder


def write_plan_folder(
    found: PlanResults, inputs: Inputs, folder: OutputFolder, argv: list[str] | None = None
) -> Path:
    """Write the plan's outputs into ``folder`` (entered before the plan was computed,
    so that a folder that may not be written is refused at once) and put it in place.
    """
    import matplotlib.pyplot as plt

    from bms_eval.inputs.records import inputs_record
    from bms_eval.outputs.folder import output_hashes
    from bms_eval.outputs.json_files import to_json
    from bms_eval.outputs.manifest import manifest_document, now
    from bms_eval.report.figures import plan_figure
    from bms_eval.report.notebook import png_bytes

    started = now()
    card, data = inputs.scorecard, inputs.data
    assert folder.work is not None
    found.to_csv(folder.work / "plan.csv")
    fig = plan_figure(found)
    (folder.work / "plan.png").write_bytes(png_bytes(fig))
    plt.close(fig)
    manifest = manifest_document(
        inputs_record(card, data),
        {
            "scorecard": card.source,
            "data": data.file,
            "out": str(folder.out),
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
    return folder.out
