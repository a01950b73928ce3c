"""Starter scorecards: an Excel workbook and its YAML twin (``bms-eval template``).

Both hold the same scorecard — by default the bundled example, so a new user can
run it on the bundled data at once and then change it into their own — written
from the model, so what one form says the other says too. The workbook has the
sheets of :mod:`bms_eval.inputs.workbook`, each with a short instruction row (a
comment), a header row of the YAML keys and one item per row, and lists to pick
from where a key has fixed choices (perspective, goal, success factor,
direction, sign, result level, transform, side effect, language, effects).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import IO

import yaml

from bms_eval.inputs.model import (
    DIRECTIONS,
    EFFECTS,
    ESTIMANDS,
    INDICATOR_KINDS,
    LANGUAGES,
    RESULT_LEVELS,
    SIGNS,
    TRANSFORMS,
    AnalysisOptions,
    Scorecard,
)

#: Columns of the sheets with one item per row, in the order of docs/inputs.md.
COLUMNS: dict[str, tuple[str, ...]] = {
    "perspectives": ("id", "name"),
    "goals": ("id", "perspective", "text", "result_level"),
    "success_factors": ("id", "goal", "text"),
    "indicators": (
        "id",
        "name",
        "perspective",
        "goal",
        "success_factor",
        "direction",
        "scale_min",
        "scale_max",
        "ambition_target",
        "ambition_threshold",
        "result_level",
        "transform",
        "kind",
        "column",
    ),
    "links": ("from", "to", "lag", "sign", "side_effect", "rationale"),
}

#: One instruction per sheet (its first row, a comment).
INSTRUCTIONS = {
    "scorecard": "# The scorecard's name and report language (en, nb or nn).",
    "perspectives": "# One perspective per row: an id (used below) and the name shown.",
    "goals": "# Optional. Focus goals: id, perspective, text, result level 0–4 (3–4: results).",
    "success_factors": "# Optional. Critical success factors: id, the goal they serve, text.",
    "indicators": (
        "# One indicator per row. id: its name in the data (or give column:). direction: up = "
        "higher is better. Scale, ambition (green at/over target, yellow at/over threshold), "
        "result level, transform (log for rates and money) and kind (reform: 0 before adoption, 1 "
        "after) are optional."
    ),
    "links": (
        "# The assumed arrows: from → to, lag in years (0, or 0, 1 for several), the expected "
        "sign (+ or -), side_effect TRUE for a consequence the cause is expected to make worse."
    ),
    "analysis": "# Optional settings: effects (unit or twoway), alpha, min_effect, controls, "
    "estimand (direct or total).",
}

#: Lists to pick from, by sheet and column.
CHOICES: dict[tuple[str, str], str] = {
    ("goals", "perspective"): "perspectives!$A$3:$A$200",
    ("indicators", "perspective"): "perspectives!$A$3:$A$200",
    ("indicators", "goal"): "goals!$A$3:$A$200",
    ("indicators", "success_factor"): "success_factors!$A$3:$A$500",
    ("success_factors", "goal"): "goals!$A$3:$A$200",
    ("indicators", "direction"): '"' + ",".join(DIRECTIONS) + '"',
    ("indicators", "transform"): '"' + ",".join(TRANSFORMS) + '"',
    ("indicators", "kind"): '"' + ",".join(INDICATOR_KINDS) + '"',
    ("goals", "result_level"): '"' + ",".join(map(str, RESULT_LEVELS)) + '"',
    ("indicators", "result_level"): '"' + ",".join(map(str, RESULT_LEVELS)) + '"',
    ("links", "from"): "indicators!$A$3:$A$1000",
    ("links", "to"): "indicators!$A$3:$A$1000",
    ("links", "sign"): '"' + ",".join(SIGNS) + '"',
    ("links", "side_effect"): '"TRUE,FALSE"',
}
PAIR_CHOICES = {
    "language": '"' + ",".join(LANGUAGES) + '"',
    "effects": '"' + ",".join(EFFECTS) + '"',
    "estimand": '"' + ",".join(ESTIMANDS) + '"',
}
#: Rows of a sheet that the lists and widths cover.
LAST_ROW = 1000
#: The analysis defaults: only settings that differ from them are written.
DEFAULT = AnalysisOptions()
#: The workbook's creation time, fixed so the same scorecard gives the same file.
FIXED_TIME = dt.datetime(2020, 1, 1)


def scorecard_document(card: Scorecard) -> dict:
    """The scorecard as the YAML document of docs/inputs.md: ``results.json``'s record of it
    (:func:`bms_eval.inputs.records.scorecard_record`) with the keys not given left out, a
    single lag written as a number, and the analysis settings that differ from the
    defaults."""
    from bms_eval.inputs.records import scorecard_record

    record = scorecard_record(card)
    a = card.analysis
    indicators = [
        {
            **i,
            "ambition": _given(i["ambition"]) if i["ambition"] else None,
            "transform": i["transform"] if i["transform"] != "none" else None,
            "kind": i["kind"] if i["kind"] != "level" else None,
        }
        for i in record["indicators"]
    ]
    links = [
        {**lk, "lag": lk["lag"][0] if len(lk["lag"]) == 1 else lk["lag"]} for lk in record["links"]
    ]
    return {
        "scorecard": {"name": card.name, "language": card.language},
        "perspectives": record["perspectives"],
        "goals": [_given(g) for g in record["goals"]],
        "success_factors": [_given(f) for f in record["success_factors"]],
        "indicators": [_given(i) for i in indicators],
        "links": [_given(lk) for lk in links],
        "analysis": _given(
            {
                "effects": a.effects,
                "alpha": a.alpha,
                "min_effect": a.min_effect,
                "controls": list(a.controls) or None,
                "bootstrap_draws": a.bootstrap_draws
                if a.bootstrap_draws != DEFAULT.bootstrap_draws
                else None,
                "seed": a.seed if a.seed != DEFAULT.seed else None,
                "estimand": a.estimand if a.estimand != DEFAULT.estimand else None,
            }
        ),
    }


def _given(item: dict) -> dict:
    return {k: v for k, v in item.items() if v is not None and v != ""}


def scorecard_yaml(card: Scorecard) -> str:
    """The scorecard as YAML text (docs/inputs.md), with a comment on how to use it."""
    head = (
        "# A bms-eval scorecard (docs/inputs.md). Change it into your own: perspectives,\n"
        "# indicators (ids as in your data, or give column:), and the assumed arrows.\n"
        "# Check it with: bms-eval validate scorecard.yaml data.csv\n"
    )
    body = yaml.safe_dump(scorecard_document(card), sort_keys=False, allow_unicode=True, width=100)
    return head + body


def _cell(value: object) -> object:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def _rows(document: dict, sheet: str) -> list[dict]:
    """The items of a row sheet with their nested keys flattened."""
    rows = []
    for item in document[sheet]:
        flat = {k: v for k, v in item.items() if k not in ("scale", "ambition")}
        if item.get("scale"):
            flat["scale_min"], flat["scale_max"] = item["scale"]
        for key, value in item.get("ambition", {}).items():
            flat[f"ambition_{key}"] = value
        rows.append(flat)
    return rows


def write_workbook(card: Scorecard, target: str | Path | IO[bytes]) -> None:
    """Write the scorecard as an Excel workbook (module docstring) to a path or an
    open binary file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    document = scorecard_document(card)
    book = Workbook()
    book.remove(book.active)
    bold, grey = Font(bold=True), Font(italic=True, color="666666")
    for sheet in ("scorecard", *COLUMNS, "analysis"):
        ws = book.create_sheet(sheet)
        ws.append([INSTRUCTIONS[sheet]])
        ws["A1"].font = grey
        if sheet in COLUMNS:
            header = COLUMNS[sheet]
            ws.append(list(header))
            for row in _rows(document, sheet):
                ws.append([_cell(row.get(key)) for key in header])
            for col, key in enumerate(header, start=1):
                letter = ws.cell(row=2, column=col).column_letter
                choice = CHOICES.get((sheet, key))
                if choice:
                    rule = DataValidation(type="list", formula1=choice, allow_blank=True)
                    ws.add_data_validation(rule)
                    rule.add(f"{letter}3:{letter}{LAST_ROW}")
                width = max(
                    [len(key)] + [len(str(_cell(r.get(key)) or "")) for r in _rows(document, sheet)]
                )
                ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        else:
            ws.append(["key", "value"])
            for key, value in document.get(sheet, {}).items():
                ws.append([key, _cell(value)])
            for row in range(3, ws.max_row + 1):
                choice = PAIR_CHOICES.get(str(ws.cell(row=row, column=1).value))
                if choice:
                    rule = DataValidation(type="list", formula1=choice, allow_blank=True)
                    ws.add_data_validation(rule)
                    rule.add(f"B{row}")
            ws.column_dimensions["A"].width = 14
            ws.column_dimensions["B"].width = 60
        for cell in ws[2]:
            cell.font = bold
        ws.freeze_panes = "A3"
    book.properties.created = book.properties.modified = FIXED_TIME
    book.save(target)


#: The file types ``bms-eval template`` writes.
SUFFIXES = (".xlsx", ".yaml", ".yml")


def write_template(path: str | Path, card: Scorecard) -> None:
    """Write ``card`` as a starter scorecard: a workbook for ``.xlsx``, else YAML.

    The file is created, never replaced: ``FileExistsError`` when it exists. The
    content is made in memory first; if writing it fails (a full disk), the file
    just created is removed again, so no empty or partial file is left.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        buffer = io.BytesIO()
        write_workbook(card, buffer)
        content = buffer.getvalue()
    else:
        content = scorecard_yaml(card).encode("utf-8")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)  # made just now by this call (O_EXCL)
        raise
