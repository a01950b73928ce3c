"""``results.xlsx``: the run's tables for a spreadsheet reader (docs/outputs.md).

Written from the ``results.json`` document, as the HTML report is, so the two never
disagree: one sheet per table — the arrows (one row each, by the lag or the
cumulative test that decides its verdict, with its effect, interval, cautions and
reason in the report's language), every link and lag, the status, the assessment
and the data quality (and the undrawn arrows tested, with ``--discover``). Headers
are frozen, numbers formatted, columns sized to their contents and verdicts
coloured as in the report.

The file is byte-for-byte the same for the same run (``bms-eval verify`` compares
it): the workbook's dates are the run's start, and every part of the zip archive
carries that date instead of the time it was written.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bms_eval.estimation.columns import LINK_COLUMNS
from bms_eval.estimation.discovery import DISCOVERY_COLUMNS
from bms_eval.inputs.model import Scorecard
from bms_eval.narrative.texts import Texts
from bms_eval.outputs.json_files import records
from bms_eval.report.colours import STATUS_COLOURS, VERDICT_COLOURS

#: Number formats: p-values with four decimals, other numbers with three.
P_FORMAT, NUMBER_FORMAT = "0.0000", "0.000"
#: Widest column, in characters; longer text wraps.
MAX_WIDTH = 60
#: Columns of running text: wrapped, at their widest.
TEXT_COLUMNS = frozenset({"reason", "evidence", "question", "warning", "notes", "text"})
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")


def _fill(hex_colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=hex_colour.lstrip("#").upper())


def _cell_value(value: object) -> object:
    """A JSON value as a cell's: lists joined, missing numbers empty."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return None
    return value


#: Most rows of the status sheet: beyond them, only the indicators' rows (every row per
#: unit is in ``status.csv``); a spreadsheet of 357 000 rows takes minutes to write
#: and is no reader's table.
MAX_STATUS_ROWS = 20_000
#: Rows of a sheet read to size its columns (a status of a thousand indicators in 356
#: units has 357 000 rows; the first rows tell the widths well enough).
WIDTH_SAMPLE = 2_000


def _widths(headers: list[str], keys: list[str], rows: list[dict]) -> list[float]:
    out = []
    for header, key in zip(headers, keys, strict=True):
        shown = (_cell_value(r.get(key)) for r in rows[:WIDTH_SAMPLE])
        longest = max([len(str(header))] + [len(str(v)) for v in shown if v is not None])
        out.append(min(MAX_WIDTH, max(8, longest + 2)))
    return out


def _sheet(
    wb: Workbook,
    title: str,
    headers: list[str],
    keys: list[str],
    rows: list[dict],
    fills: dict[str, dict[object, str]] | None = None,
) -> None:
    """A sheet of ``rows`` (dicts by ``keys``) under ``headers``, frozen and formatted,
    written row by row (a write-only workbook holds no sheet in memory): p-values with
    four decimals, other numbers three, running text wrapped; ``fills`` colours a
    column's cells by their value (a verdict's label, an ambition status)."""
    ws = wb.create_sheet(title[:31])
    for j, width in enumerate(_widths(headers, keys, rows), 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header_cells.append(cell)
    ws.append(header_cells)
    p_columns = {k for k in keys if "p_value" in k or "p_adjusted" in k}
    fills = fills or {}
    wrap = Alignment(vertical="top", wrap_text=True)
    white = Font(color="FFFFFF", bold=True)
    for row in rows:
        cells = []
        for key in keys:
            value = _cell_value(row.get(key))
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text from the user's files is text, never a formula
            elif isinstance(value, float):
                cell.number_format = P_FORMAT if key in p_columns else NUMBER_FORMAT
            if key in TEXT_COLUMNS:
                cell.alignment = wrap
            colour = fills.get(key, {}).get(value)
            if colour is not None:
                cell.fill, cell.font = _fill(colour), white
            cells.append(cell)
        ws.append(cells)


def _arrow_rows(card: Scorecard, results: dict, t: Texts) -> list[dict]:
    """One row per arrow: the numbers of the lag (or cumulative test) deciding it."""
    names = {i.id: i.name for i in card.indicators}
    rows = {(r["from"], r["to"], int(r["lag"])): r for r in results["links"]}
    out = []
    for arrow in results["summary"]["by_arrow"]:
        source, target = arrow["link"].split(">", 1)
        row = rows.get((source, target, int(arrow["lag"])), {})
        whole = arrow.get("judged_by") == "cumulative"
        prefix = "cumulative_" if whole else ""
        out.append(
            {
                "arrow": f"{names.get(source, source)} → {names.get(target, target)}",
                "from": source,
                "to": target,
                "lag": arrow["lag"],
                "lags": arrow.get("lags") or [arrow["lag"]],
                "verdict": t.verdict(arrow["verdict"]),
                "estimate": arrow.get(f"{prefix}estimate", row.get("estimate")),
                "ci_low": arrow.get(f"{prefix}ci_low", row.get("ci_low")),
                "ci_high": arrow.get(f"{prefix}ci_high", row.get("ci_high")),
                "std_estimate": arrow.get(f"{prefix}std_estimate", row.get("std_estimate")),
                "p_adjusted": arrow.get(f"{prefix}p_adjusted", row.get("p_adjusted")),
                "forward_p_adjusted": arrow.get(
                    f"{prefix}forward_p_adjusted", row.get("forward_p_adjusted")
                ),
                "cautions": [t[f"caution.{c}"] for c in arrow.get("cautions", [])],
                "reason": row.get("reason"),
            }
        )
    return out


def _arrow_headers(t: Texts) -> dict[str, str]:
    """The arrows sheet's columns and their headers in the report's language."""
    return {
        "arrow": t["disc_col_arrow"],
        "from": "from",
        "to": "to",
        "lag": t["xlsx_deciding_lag"],
        "lags": t["xlsx_lags"],
        "verdict": t["disc_col_verdict"],
        "estimate": t["xlsx_estimate"],
        "ci_low": t["xlsx_ci_low"],
        "ci_high": t["xlsx_ci_high"],
        "std_estimate": t["xlsx_std_estimate"],
        "p_adjusted": t["xlsx_p_adjusted"],
        "forward_p_adjusted": t["xlsx_forward_p_adjusted"],
        "cautions": t["xlsx_cautions"],
        "reason": t["xlsx_reason"],
    }


def _assessment_rows(results: dict, t: Texts) -> list[dict]:
    """The assessment as rows: headline, preconditions, result-level warnings, learning."""
    a = results.get("assessment") or {}
    rows = [
        {"part": t["xlsx_headline"], "item": "", "status": "", "text": s}
        for s in a.get("headline", [])
    ]
    rows += [
        {
            "part": t["col_precondition"],
            "item": t[f"pre.name.{p['id']}"],
            "status": t[f"pre.status.{p['status']}"],
            "text": p["evidence"],
        }
        for p in a.get("preconditions", [])
    ]
    rows += [
        {"part": t["col_level"], "item": "", "status": "", "text": w}
        for w in (a.get("result_levels") or {}).get("warnings", [])
    ]
    rows += [
        {
            "part": t["xlsx_learning"],
            "item": q["link"],
            "status": t[f"level.{q['level']}"],
            "text": q["question"],
        }
        for q in a.get("learning", [])
    ]
    return rows


def _quality_rows(results: dict) -> list[dict]:
    quality = results["data_quality"]
    rows = [dict(r) for r in quality.get("coverage", [])]
    rows += [{"indicator": "", "warning": w} for w in quality.get("warnings", [])]
    return rows


def _status_rows(results: dict, t: Texts) -> tuple[list[dict], list[str]]:
    """The status sheet's rows and columns: every row of ``status.csv``, or beyond
    :data:`MAX_STATUS_ROWS` the indicators' rows and a last row saying where the rows
    per unit are."""
    status = results["status"]
    status_keys = list(status[0]) if status else ["indicator"]
    if len(status) > MAX_STATUS_ROWS:  # a thousand indicators in 356 units: status.csv
        frame = getattr(status, "frame", None)  # FrameRecords: filtered without its rows
        if frame is not None:
            kept = frame[frame["level"] == "indicator"]
            units, status = len(frame) - len(kept), records(kept)
        else:
            units = sum(1 for r in status if r.get("level") != "indicator")
            status = [r for r in status if r.get("level") == "indicator"]
        status.append({status_keys[0]: t.format("xlsx_status_cut", n=units)})
    return status, status_keys


def workbook_bytes(card: Scorecard, results: dict, started: str) -> bytes:
    """``results.xlsx`` for the ``results.json`` document ``results``, dated ``started``
    (the run's start, ISO 8601)."""
    t = Texts(card.language)
    wb = Workbook(write_only=True)
    when = datetime.fromisoformat(started)
    if when.tzinfo is not None:  # the workbook's dates are in UTC
        when = when.astimezone(UTC)
    when = when.replace(tzinfo=None, microsecond=0)
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = "bms-eval"
    arrow_headers = _arrow_headers(t)
    keys, headers = list(arrow_headers), list(arrow_headers.values())
    by_label = {t.verdict(v): c for v, c in VERDICT_COLOURS.items()}
    by_key = dict(VERDICT_COLOURS)
    rows = _arrow_rows(card, results, t)
    _sheet(wb, t["xlsx_sheet_arrows"], headers, keys, rows, {"verdict": by_label})
    link_keys = [c for c in LINK_COLUMNS if any(c in r for r in results["links"])]
    fills = {"verdict": by_key, "verdict_without": by_key}
    _sheet(wb, t["xlsx_sheet_links"], link_keys, link_keys, results["links"], fills)
    status, status_keys = _status_rows(results, t)
    _sheet(wb, t["xlsx_sheet_status"], status_keys, status_keys, status, {"status": STATUS_COLOURS})
    assess_keys = ["part", "item", "status", "text"]
    assess_headers = [t["xlsx_part"], t["xlsx_item"], t["col_status"], t["col_evidence"]]
    _sheet(
        wb, t["xlsx_sheet_assessment"], assess_headers, assess_keys, _assessment_rows(results, t)
    )
    quality = _quality_rows(results)
    quality_keys = list(dict.fromkeys(k for r in quality for k in r)) or ["indicator"]
    _sheet(wb, t["xlsx_sheet_quality"], quality_keys, quality_keys, quality)
    discovery = results.get("discovery")
    if discovery is not None:
        disc_keys = list(DISCOVERY_COLUMNS)
        rows, fills = discovery["arrows"], {"holdout_verdict": by_key}
        _sheet(wb, t["xlsx_sheet_discovery"], disc_keys, disc_keys, rows, fills)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _dated(buffer.getvalue(), when)


#: The modification date openpyxl writes into the workbook's properties (the time of
#: saving, whatever the properties say).
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _dated(archive: bytes, when: datetime) -> bytes:
    """The zip ``archive`` with every member, and the workbook's modification date,
    dated ``when`` (a zip records the time each member was written, and openpyxl the
    time of saving: the same run would otherwise never give the same bytes)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            data = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"\g<1>" + iso + rb"\g<2>", data)
            target.writestr(info, data)
    return out.getvalue()
