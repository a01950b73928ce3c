"""The inputs as data: the scorecard as it was assumed (results.json's ``scorecard``,
the template's document) and the inputs block of a manifest (path and SHA-256 of the
bytes analysed)."""

from __future__ import annotations

import math
import os
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
        "scorecard": _path_record(card.source, card.sha256),
        "data": _path_record(data.file, data.sha256),
    }


def _path_record(path: str, sha256: str) -> dict[str, str]:
    """A manifest's record of one input: its path as text, its SHA-256 and, for a
    name that is not UTF-8 (and so cannot be text as it is), the bytes of the path
    in hex (``path_bytes``), by which ``verify`` finds it."""
    resolved = os.fsencode(Path(path).resolve())
    shown = resolved.decode("utf-8", "replace")
    record = {"path": shown, "sha256": sha256}
    if shown.encode("utf-8") != resolved:
        record["path_bytes"] = resolved.hex()
    return record
