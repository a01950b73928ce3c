"""Report prose and labels in English, bokmål and nynorsk.

Every key exists in all three languages (a test checks it). Indicator names and
other text from the user's files are never translated: they are inserted as
they were written.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "nb", "nn")

_TEXTS: dict[str, dict[str, str]] = {
    # --- verdicts -------------------------------------------------------------------
    "verdict.supported": {"en": "Supported", "nb": "Støttet", "nn": "Støtta"},
    "verdict.contradicted": {"en": "Contradicted", "nb": "Motsagt", "nn": "Motsagt"},
    "verdict.reverse": {
        "en": "Reverse direction",
        "nb": "Motsatt retning",
        "nn": "Motsett retning",
    },
    "verdict.between_only": {
        "en": "Only between units",
        "nb": "Bare mellom enheter",
        "nn": "Berre mellom einingar",
    },
    "verdict.no_effect": {"en": "No effect", "nb": "Ingen effekt", "nn": "Ingen effekt"},
    "verdict.inconclusive": {"en": "Inconclusive", "nb": "Uavklart", "nn": "Uavklart"},
    "verdict.insufficient_data": {
        "en": "Too little data",
        "nb": "For lite data",
        "nn": "For lite data",
    },
    # --- ambition status -------------------------------------------------------------
    "status.green": {
        "en": "At or above target",
        "nb": "På eller over mål",
        "nn": "På eller over mål",
    },
    "status.yellow": {
        "en": "Between threshold and target",
        "nb": "Mellom terskel og mål",
        "nn": "Mellom terskel og mål",
    },
    "status.red": {"en": "Below threshold", "nb": "Under terskel", "nn": "Under terskel"},
    "status.none": {
        "en": "No ambition set",
        "nb": "Ingen ambisjon satt",
        "nn": "Inga ambisjon sett",
    },
    "trend.improving": {"en": "improving", "nb": "bedres", "nn": "betrar seg"},
    "trend.worsening": {"en": "worsening", "nb": "forverres", "nn": "vert verre"},
    "trend.stable": {
        "en": "no clear change",
        "nb": "ingen klar endring",
        "nn": "inga klar endring",
    },
    "trend.unknown": {"en": "too few years", "nb": "for få år", "nn": "for få år"},
    # --- figures ---------------------------------------------------------------------
    "map_title": {
        "en": "Strategy map: the scorecard's assumed arrows, tested",
        "nb": "Strategikart: målkortets antatte piler, testet",
        "nn": "Strategikart: dei tenkte pilene i målkortet, testa",
    },
    "coef_title": {
        "en": "Within-unit effects (standard deviations, 95 % interval)",
        "nb": "Effekter innen enheter (standardavvik, 95 % intervall)",
        "nn": "Effektar innan einingar (standardavvik, 95 % intervall)",
    },
    "std_effect_axis": {
        "en": "Change in the effect (SD) when the cause changes by one SD within a unit",
        "nb": "Endring i virkningen (SD) når årsaken endres med ett SD innen en enhet",
        "nn": "Endring i verknaden (SD) når årsaka endrar seg med eitt SD innan ei eining",
    },
    "negligible_band": {
        "en": "±{m:g} SD: too small to matter",
        "nb": "±{m:g} SD: for lite til å bety noe",
        "nn": "±{m:g} SD: for lite til å bety noko",
    },
    "lag": {"en": "lag", "nb": "etterslep", "nn": "etterslep"},
    "lag_label": {"en": "{lag} year(s) earlier", "nb": "{lag} år før", "nn": "{lag} år før"},
    "lag_label_0": {"en": "same year", "nb": "samme år", "nn": "same år"},
    "between_title": {"en": "Between units", "nb": "Mellom enheter", "nn": "Mellom einingar"},
    "within_title": {
        "en": "Within units, over time",
        "nb": "Innen enheter, over tid",
        "nn": "Innan einingar, over tid",
    },
    "unit_mean": {"en": "unit mean", "nb": "enhetens snitt", "nn": "snittet til eininga"},
    "deviation": {
        "en": "deviation from unit mean",
        "nb": "avvik fra enhetens snitt",
        "nn": "avvik frå snittet til eininga",
    },
    "trends_title": {
        "en": "Indicators over time against their ambition",
        "nb": "Indikatorene over tid mot ambisjonen",
        "nn": "Indikatorane over tid mot ambisjonen",
    },
    "median_units": {
        "en": "median of units",
        "nb": "median for enhetene",
        "nn": "median for einingane",
    },
    "middle_half": {
        "en": "middle half of units",
        "nb": "midterste halvdel av enhetene",
        "nn": "midtre halvdel av einingane",
    },
    "coverage_title": {
        "en": "Data coverage: share of units with a value",
        "nb": "Datadekning: andel enheter med verdi",
        "nn": "Datadekning: del einingar med verdi",
    },
    "share_units": {"en": "share of units", "nb": "andel enheter", "nn": "del einingar"},
    "period": {"en": "Year", "nb": "År", "nn": "År"},
    # --- report page ---------------------------------------------------------------
    "report_title": {
        "en": "Does the scorecard's chain hold?",
        "nb": "Holder målkortets årsakskjede?",
        "nn": "Held årsakskjeda i målkortet?",
    },
    "generated": {
        "en": "Report made by bms-eval {version} on {date}",
        "nb": "Rapport laget av bms-eval {version} {date}",
        "nn": "Rapport laga av bms-eval {version} {date}",
    },
    "data_line": {
        "en": "{units} units, {first}–{last}, data from {file}",
        "nb": "{units} enheter, {first}–{last}, data fra {file}",
        "nn": "{units} einingar, {first}–{last}, data frå {file}",
    },
    "summary_heading": {"en": "Summary", "nb": "Sammendrag", "nn": "Samandrag"},
    "summary_text": {
        "en": "The scorecard assumes {links} cause-and-effect arrows. Tested on the "
        "organisation's own history, within units over time:",
        "nb": "Målkortet antar {links} årsakspiler. Testet på organisasjonens egen "
        "historikk, innen enhetene over tid:",
        "nn": "Målkortet går ut frå {links} årsakspiler. Testa på den eigne historikken "
        "til organisasjonen, innan einingane over tid:",
    },
    "arrows": {"en": "arrows", "nb": "piler", "nn": "piler"},
    "status_heading": {
        "en": "Scorecard status",
        "nb": "Status i målkortet",
        "nn": "Status i målkortet",
    },
    "status_intro": {
        "en": "The ordinary scorecard report: each indicator's latest value against its "
        "ambition (the median over units, and how many units are in each colour), "
        "and the trend within units over the last {periods} years.",
        "nb": "Den vanlige målkortrapporten: siste verdi for hver indikator mot ambisjonen "
        "(medianen over enhetene, og hvor mange enheter som har hver farge), og "
        "trenden innen enhetene de siste {periods} årene.",
        "nn": "Den vanlege målkortrapporten: siste verdi for kvar indikator mot ambisjonen "
        "(medianen over einingane, og kor mange einingar som har kvar farge), og "
        "trenden innan einingane dei siste {periods} åra.",
    },
    "col_indicator": {"en": "Indicator", "nb": "Indikator", "nn": "Indikator"},
    "col_latest": {"en": "Latest (median)", "nb": "Siste (median)", "nn": "Siste (median)"},
    "col_ambition": {"en": "Target / threshold", "nb": "Mål / terskel", "nn": "Mål / terskel"},
    "col_units": {
        "en": "Units green / yellow / red",
        "nb": "Enheter grønn / gul / rød",
        "nn": "Einingar grøn / gul / raud",
    },
    "col_reached": {
        "en": "Ever reached target",
        "nb": "Nådd målet noen gang",
        "nn": "Nådd målet nokon gong",
    },
    "col_trend": {
        "en": "Trend within units",
        "nb": "Trend innen enhetene",
        "nn": "Trend innan einingane",
    },
    "map_heading": {"en": "Strategy map", "nb": "Strategikart", "nn": "Strategikart"},
    "map_intro": {
        "en": "Perspectives from learning and renewal at the bottom to users and economy "
        "at the top; each arrow is coloured by what the data say about it.",
        "nb": "Perspektivene fra læring og fornyelse nederst til brukere og økonomi "
        "øverst; hver pil er farget etter hva dataene sier om den.",
        "nn": "Perspektiva frå læring og fornying nedst til brukarar og økonomi øvst; "
        "kvar pil er farga etter kva dataa seier om henne.",
    },
    "evidence_heading": {
        "en": "The evidence, arrow by arrow",
        "nb": "Bevisene, pil for pil",
        "nn": "Prova, pil for pil",
    },
    "evidence_intro": {
        "en": "For each arrow: the verdict and why, the scorecard's own rationale, and two "
        "pictures side by side — units compared with each other (left) and each unit "
        "compared with itself over time (right). Only the right one shows whether "
        "steering the cause moves the effect.",
        "nb": "For hver pil: dommen og hvorfor, målkortets egen begrunnelse, og to bilder "
        "side om side — enhetene sammenlignet med hverandre (venstre) og hver enhet "
        "sammenlignet med seg selv over tid (høyre). Bare det høyre viser om styring "
        "av årsaken flytter virkningen.",
        "nn": "For kvar pil: dommen og kvifor, grunngjevinga i målkortet, og to bilete "
        "side om side — einingane samanlikna med kvarandre (venstre) og kvar eining "
        "samanlikna med seg sjølv over tid (høgre). Berre det høgre viser om styring "
        "av årsaka flyttar verknaden.",
    },
    "rationale": {"en": "Assumed because", "nb": "Antatt fordi", "nn": "Tenkt fordi"},
    "numbers": {
        "en": "Effect {est} SD (95 % CI {lo} to {hi}); adjusted p {p}; between "
        "units p {bp}; reverse p {rp}; placebo p {lp}; {n} observations in "
        "{u} units.",
        "nb": "Effekt {est} SD (95 % KI {lo} til {hi}); justert p {p}; mellom "
        "enheter p {bp}; motsatt retning p {rp}; placebo p {lp}; {n} "
        "observasjoner i {u} enheter.",
        "nn": "Effekt {est} SD (95 % KI {lo} til {hi}); justert p {p}; mellom "
        "einingar p {bp}; motsett retning p {rp}; placebo p {lp}; {n} "
        "observasjonar i {u} einingar.",
    },
    "lag_word": {"en": "lag {lag}", "nb": "etterslep {lag}", "nn": "etterslep {lag}"},
    "quality_heading": {"en": "Data quality", "nb": "Datakvalitet", "nn": "Datakvalitet"},
    "warnings": {
        "en": "Warnings about the input",
        "nb": "Advarsler om dataene",
        "nn": "Åtvaringar om dataa",
    },
    "no_warnings": {"en": "No warnings.", "nb": "Ingen advarsler.", "nn": "Ingen åtvaringar."},
    "method_heading": {
        "en": "How the arrows were tested",
        "nb": "Slik ble pilene testet",
        "nn": "Slik vart pilene testa",
    },
    "method_text": {
        "en": "Each effect indicator was regressed on its assumed causes at their lags, "
        "with unit fixed effects{twoway}, so only changes within each unit over time "
        "count. Standard errors are clustered by unit{boot}. P-values are adjusted "
        "for the number of tests (Benjamini–Hochberg, false discovery rate {alpha}). "
        "Effects are in standard deviations of the within-unit variation; changes "
        "smaller than {m} SD are treated as too small to matter.",
        "nb": "Hver virkningsindikator ble regressert på de antatte årsakene med "
        "etterslep, med faste enhetseffekter{twoway}, slik at bare endringer innen "
        "hver enhet over tid teller. Standardfeilene er klynget på enhet{boot}. "
        "P-verdiene er justert for antall tester (Benjamini–Hochberg, "
        "falsk oppdagelsesrate {alpha}). Effektene er i standardavvik av variasjonen "
        "innen enhetene; endringer under {m} SD regnes som for små til å bety noe.",
        "nn": "Kvar verknadsindikator vart regressert på dei tenkte årsakene med "
        "etterslep, med faste einingseffektar{twoway}, slik at berre endringar innan "
        "kvar eining over tid tel. Standardfeila er klynga på eining{boot}. "
        "P-verdiane er justerte for talet på testar (Benjamini–Hochberg, "
        "falsk oppdagingsrate {alpha}). Effektane er i standardavvik av variasjonen "
        "innan einingane; endringar under {m} SD vert rekna som for små til å bety "
        "noko.",
    },
    "method_twoway": {"en": " and year effects", "nb": " og årseffekter", "nn": " og årseffektar"},
    "method_boot": {
        "en": "; with fewer than 50 units, p-values and intervals come from the "
        "wild cluster bootstrap",
        "nb": "; med færre enn 50 enheter kommer p-verdier og intervaller fra "
        "«wild cluster bootstrap»",
        "nn": "; med færre enn 50 einingar kjem p-verdiar og intervall frå "
        "«wild cluster bootstrap»",
    },
    "provenance": {
        "en": "Inputs: scorecard {card} (SHA-256 {card_hash}…), data {data} "
        "(SHA-256 {data_hash}…). Full details in manifest.json.",
        "nb": "Inndata: målkort {card} (SHA-256 {card_hash}…), data {data} "
        "(SHA-256 {data_hash}…). Alle detaljer i manifest.json.",
        "nn": "Inndata: målkort {card} (SHA-256 {card_hash}…), data {data} "
        "(SHA-256 {data_hash}…). Alle detaljar i manifest.json.",
    },
    "yes": {"en": "yes", "nb": "ja", "nn": "ja"},
    "no": {"en": "no", "nb": "nei", "nn": "nei"},
    "units_of": {"en": "{n} of {total}", "nb": "{n} av {total}", "nn": "{n} av {total}"},
}


class Texts:
    """Report texts in one language.

    Parameters
    ----------
    language : {"en", "nb", "nn"}
    """

    def __init__(self, language: str = "en"):
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        self.language = language

    def __getitem__(self, key: str) -> str:
        return _TEXTS[key][self.language]

    def format(self, key: str, **values: Any) -> str:
        """The text for ``key`` with ``{placeholders}`` filled in."""
        return self[key].format(**values)

    def verdict(self, verdict: str) -> str:
        """A verdict's label."""
        return self[f"verdict.{verdict}"]

    def status(self, status: str) -> str:
        """An ambition status's label."""
        return self[f"status.{status}"]

    def lag(self, lag: int) -> str:
        """ "same year" or "2 years earlier"."""
        return self["lag_label_0"] if lag == 0 else self.format("lag_label", lag=lag)

    def trend(self, trend: str) -> str:
        """A trend's label."""
        return self[f"trend.{trend}"]


def all_keys() -> dict[str, dict[str, str]]:
    """Every key with its translations (for the completeness test)."""
    return _TEXTS
