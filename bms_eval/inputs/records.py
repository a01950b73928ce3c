"""The inputs as data: the scorecard as it was assumed (results.json's ``scorecard``,
the template's document) and the inputs block of a manifest (path and SHA-256 of the
bytes analysed)."""

from __future__ import annotations

import math
from pathlib import Path

from bms_eval.inputs.data import IndicatorData
from bms_eval.inputs.model import Scorecard


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
                "scale": [b if math.isfinite(b) else None for b in i.scale] if i.scale else None,
                "ambition": (
                    {"target": i.ambition.target, "threshold": i.ambition.threshold}
                    if i.ambition
                    else None
                ),
                "result_level": i.result_level,
                "transform": i.transform,
                "kind": i.kind,
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


def inputs_record(card: Scorecard, data: IndicatorData) -> dict[str, dict[str, str]]:
    """A manifest's ``inputs``: the scorecard's and the data's path and the SHA-256 of
    the bytes the run read and analysed."""
    return {
        "scorecard": {"path": str(Path(card.source).resolve()), "sha256": card.sha256},
        "data": {"path": str(Path(data.file).resolve()), "sha256": data.sha256},
    }
