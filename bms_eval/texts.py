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
    "verdict.reciprocal": {
        "en": "Both ways",
        "nb": "Begge veier",
        "nn": "Begge vegar",
    },
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
    "figure.some": {
        "en": "{shown} of {total} indicators, those with arrows first (all are in the tables)",
        "nb": "{shown} av {total} indikatorer, de med piler først (alle står i tabellene)",
        "nn": "{shown} av {total} indikatorar, dei med piler først (alle står i tabellane)",
    },
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
    "partial_direction": {
        "en": "what the verdict rests on: its own past and the rest held fixed; line: "
        "bias-corrected estimate",
        "nb": "det dommen bygger på: egen historikk og resten holdt fast; linje: "
        "skjevhetskorrigert estimat",
        "nn": "det dommen byggjer på: eiga historie og resten halde fast; line: "
        "skeivskapskorrigert estimat",
    },
    "partial_static": {
        "en": "what the verdict rests on: other causes held fixed; line: within estimate "
        "(direction not checked)",
        "nb": "det dommen bygger på: andre årsaker holdt fast; linje: estimat innen "
        "enhetene (retning ikke sjekket)",
        "nn": "det dommen byggjer på: andre årsaker haldne fast; line: estimat innan "
        "einingane (retning ikkje sjekka)",
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
        "en": "Static within-unit effect {est} SD ({level} CI {lo} to {hi}); adjusted p "
        "{p}; between units p {bp}; placebo p {lp}; {n} observations in {u} units.",
        "nb": "Statisk effekt innen enhetene {est} SD ({level} KI {lo} til {hi}); justert "
        "p {p}; mellom enheter p {bp}; placebo p {lp}; {n} observasjoner i {u} enheter.",
        "nn": "Statisk effekt innan einingane {est} SD ({level} KI {lo} til {hi}); justert "
        "p {p}; mellom einingar p {bp}; placebo p {lp}; {n} observasjonar i {u} "
        "einingar.",
    },
    "numbers_direction": {
        "en": "Direction tests (own past taken into account): forward {fest} SD, adjusted "
        "p {fp}; reverse adjusted p {rp}.",
        "nb": "Retningstester (egen historikk tatt med): framover {fest} SD, justert p "
        "{fp}; motsatt vei justert p {rp}.",
        "nn": "Retningstestar (eiga historie teken med): framover {fest} SD, justert p "
        "{fp}; motsett veg justert p {rp}.",
    },
    "direction_unchecked_badge": {
        "en": "direction not checked",
        "nb": "retning ikke sjekket",
        "nn": "retning ikkje sjekka",
    },
    "numbers_not_checked": {
        "en": "Direction not checked (too few years).",
        "nb": "Retningen er ikke sjekket (for få år).",
        "nn": "Retninga er ikkje sjekka (for få år).",
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
    "method_direction": {
        "en": "Indicators are persistent from year to year, and then such a regression "
        "cannot tell which way an arrow points. So each arrow was also tested both ways "
        "in direction (cross-lagged) tests: the effect on its own past and the cause "
        "(forward), and the cause on its own past and the effect a year earlier "
        "(reverse), with the fixed-effects bias that a lagged indicator brings corrected "
        "(bias-corrected within estimator; standard errors that account for the "
        "correction, from the cluster jackknife with fewer than 50 units). Verdicts rest "
        "on these tests where at least {min} years have both indicators and their past; "
        "with fewer, the direction is not checked and the reason says so.",
        "nb": "Indikatorer henger igjen fra år til år, og da kan en slik regresjon ikke "
        "avgjøre hvilken vei en pil går. Derfor ble hver pil også testet begge veier i "
        "retningstester (kryssforsinkede): virkningen på sin egen historikk og årsaken "
        "(framover), og årsaken på sin egen historikk og virkningen året før (motsatt "
        "vei), med skjevheten som en forsinket indikator gir i modeller med faste "
        "effekter korrigert (skjevhetskorrigert within-estimator; standardfeil som tar "
        "hensyn til korreksjonen, fra klynge-jackknife med færre enn 50 enheter). "
        "Dommene bygger på disse testene der minst {min} år har begge indikatorene og "
        "historikken deres; med færre er retningen ikke sjekket, og begrunnelsen sier "
        "det.",
        "nn": "Indikatorar heng att frå år til år, og då kan ein slik regresjon ikkje "
        "avgjere kva veg ei pil går. Difor vart kvar pil òg testa begge vegar i "
        "retningstestar (kryssforseinka): verknaden på si eiga historie og årsaka "
        "(framover), og årsaka på si eiga historie og verknaden året før (motsett veg), "
        "med skeivskapen som ein forseinka indikator gjev i modellar med faste effektar "
        "korrigert (skeivskapskorrigert within-estimator; standardfeil som tek omsyn til "
        "korreksjonen, frå klynge-jackknife med færre enn 50 einingar). Dommane byggjer "
        "på desse testane der minst {min} år har begge indikatorane og historia deira; "
        "med færre er retninga ikkje sjekka, og grunngjevinga seier det.",
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
    # --- verdict reasons (links.csv and the report) -------------------------------------
    "reason.reciprocal": {
        "en": "{x} and {y} predict each other: when {x} rose within a unit, {y} {went} "
        "{when} beyond what its own past predicts, as the scorecard assumes (direction "
        "test {fest} SD per SD, adjusted p {p}), and {y} in turn predicted {x} {back} "
        "beyond {x}'s own past (adjusted p {rp}). The arrow runs both ways: a feedback "
        "loop, or something else that drives both.",
        "nb": "{x} og {y} forutsier hverandre: når {x} økte innen en enhet, {went} {y} "
        "{when} utover det den egen historikk tilsier, slik målkortet antar "
        "(retningstest {fest} SD per SD, justert p {p}), og {y} forutsa i sin tur {x} "
        "{back} utover {x} sin egen historikk (justert p {rp}). Pilen går begge veier: "
        "en tilbakekobling, eller noe annet som driver begge.",
        "nn": "{x} og {y} varslar kvarandre: når {x} auka innan ei eining, {went} {y} "
        "{when} utover det eiga historie tilseier, slik målkortet går ut frå "
        "(retningstest {fest} SD per SD, justert p {p}), og {y} varsla i sin tur {x} "
        "{back} utover den eigne historia til {x} (justert p {rp}). Pila går begge "
        "vegar: ei tilbakekopling, eller noko anna som driv begge.",
    },
    "reason.supported": {
        "en": "When {x} rose within a unit, {y} {went} {when} beyond what its own past "
        "predicts, as the scorecard assumes (direction test {fest} SD per SD, adjusted "
        "p {p}), and {y} did not predict {x} (adjusted p {rp}).",
        "nb": "Når {x} økte innen en enhet, {went} {y} {when} utover det egen historikk "
        "tilsier, slik målkortet antar (retningstest {fest} SD per SD, justert p {p}), "
        "og {y} forutsa ikke {x} (justert p {rp}).",
        "nn": "Når {x} auka innan ei eining, {went} {y} {when} utover det eiga historie "
        "tilseier, slik målkortet går ut frå (retningstest {fest} SD per SD, justert "
        "p {p}), og {y} varsla ikkje {x} (justert p {rp}).",
    },
    "reason.supported_static": {
        "en": "When {x} rose within a unit, {y} {went} {when}, as the scorecard assumes "
        "({est} SD per SD, {level} CI {lo} to {hi} SD; adjusted p {p}).",
        "nb": "Når {x} økte innen en enhet, {went} {y} {when}, slik målkortet antar "
        "({est} SD per SD, {level} KI {lo} til {hi} SD; justert p {p}).",
        "nn": "Når {x} auka innan ei eining, {went} {y} {when}, slik målkortet går ut frå "
        "({est} SD per SD, {level} KI {lo} til {hi} SD; justert p {p}).",
    },
    "reason.contradicted": {
        "en": "When {x} rose within a unit, {y} {went} {when} beyond what its own past "
        "predicts: the opposite of what the scorecard assumes (direction test {fest} SD "
        "per SD, adjusted p {p}).",
        "nb": "Når {x} økte innen en enhet, {went} {y} {when} utover det egen historikk "
        "tilsier: det motsatte av det målkortet antar (retningstest {fest} SD per SD, "
        "justert p {p}).",
        "nn": "Når {x} auka innan ei eining, {went} {y} {when} utover det eiga historie "
        "tilseier: det motsette av det målkortet går ut frå (retningstest {fest} SD per "
        "SD, justert p {p}).",
    },
    "reason.contradicted_static": {
        "en": "When {x} rose within a unit, {y} {went} {when}: the opposite of what the "
        "scorecard assumes ({est} SD per SD, {level} CI {lo} to {hi} SD; adjusted p {p}).",
        "nb": "Når {x} økte innen en enhet, {went} {y} {when}: det motsatte av det målkortet "
        "antar ({est} SD per SD, {level} KI {lo} til {hi} SD; justert p {p}).",
        "nn": "Når {x} auka innan ei eining, {went} {y} {when}: det motsette av det målkortet "
        "går ut frå ({est} SD per SD, {level} KI {lo} til {hi} SD; justert p {p}).",
    },
    "reason.reverse": {
        "en": "Changes in {x} did not lead changes in {y}, but {y} predicted {x} {back} "
        "beyond {x}'s own past (adjusted p {rp}): the arrow may point the other way.",
        "nb": "Endringer i {x} kom ikke før endringer i {y}, men {y} forutsa {x} {back} "
        "utover {x} sin egen historikk (justert p {rp}): pilen kan gå motsatt vei.",
        "nn": "Endringar i {x} kom ikkje før endringar i {y}, men {y} varsla {x} {back} "
        "utover den eigne historia til {x} (justert p {rp}): pila kan gå motsett veg.",
    },
    "reason.between_only": {
        "en": "Units with more {x} have {more} {y} (between units p {bp}), but when {x} rose "
        "within a unit, {y} did not follow ({level} CI {lo} to {hi} SD).",
        "nb": "Enheter med mer {x} har {more} {y} (mellom enheter p {bp}), men når {x} økte "
        "innen en enhet, fulgte ikke {y} med ({level} KI {lo} til {hi} SD).",
        "nn": "Einingar med meir {x} har {more} {y} (mellom einingar p {bp}), men når {x} "
        "auka innan ei eining, følgde ikkje {y} med ({level} KI {lo} til {hi} SD).",
    },
    "reason.no_effect": {
        "en": "When {x} changed within a unit, {y} did not follow {when}: the effect lies "
        "between {lo} and {hi} SD, inside the ±{m} SD that would matter.",
        "nb": "Når {x} endret seg innen en enhet, fulgte ikke {y} med {when}: effekten ligger "
        "mellom {lo} og {hi} SD, innenfor de ±{m} SD som ville betydd noe.",
        "nn": "Når {x} endra seg innan ei eining, følgde ikkje {y} med {when}: effekten ligg "
        "mellom {lo} og {hi} SD, innanfor dei ±{m} SD som ville hatt noko å seie.",
    },
    "reason.inconclusive": {
        "en": "The data cannot tell whether {x} moves {y}: the within-unit effect could "
        "lie anywhere from {lo} to {hi} SD ({level} CI), and only an effect of about "
        "{mde} SD or more would reliably show.",
        "nb": "Dataene kan ikke avgjøre om {x} påvirker {y}: effekten innen enhetene kan "
        "ligge hvor som helst fra {lo} til {hi} SD ({level} KI), og bare en effekt på "
        "rundt {mde} SD eller mer ville vist seg sikkert.",
        "nn": "Dataa kan ikkje avgjere om {x} påverkar {y}: effekten innan einingane kan "
        "liggje kvar som helst frå {lo} til {hi} SD ({level} KI), og berre ein effekt på "
        "rundt {mde} SD eller meir ville vist seg sikkert.",
    },
    "reason.insufficient_data": {
        "en": "Too little data to test whether {x} moves {y}: {problem}.",
        "nb": "For lite data til å teste om {x} påvirker {y}: {problem}.",
        "nn": "For lite data til å teste om {x} påverkar {y}: {problem}.",
    },
    "went.up": {"en": "rose", "nb": "økte", "nn": "auka"},
    "went.down": {"en": "fell", "nb": "falt", "nn": "fall"},
    "more": {"en": "more", "nb": "mer", "nn": "meir"},
    "less": {"en": "less", "nb": "mindre", "nn": "mindre"},
    "when.0": {"en": "in the same year", "nb": "samme år", "nn": "same år"},
    "when.1": {"en": "a year later", "nb": "året etter", "nn": "året etter"},
    "when.n": {"en": "{n} years later", "nb": "{n} år senere", "nn": "{n} år seinare"},
    "how.draws": {"en": "{draws} draws", "nb": "{draws} trekninger", "nn": "{draws} trekningar"},
    "how.enumerated": {
        "en": "all weight combinations",
        "nb": "alle vektkombinasjoner",
        "nn": "alle vektkombinasjonar",
    },
    "note.bootstrap": {
        "en": " (Wild cluster bootstrap: {units} units, {how}.)",
        "nb": " (Wild cluster bootstrap: {units} enheter, {how}.)",
        "nn": " (Wild cluster bootstrap: {units} einingar, {how}.)",
    },
    "note.jackknife": {
        "en": " (Direction tests with {units} units: standard errors from the cluster jackknife.)",
        "nb": " (Retningstester med {units} enheter: standardfeil fra klynge-jackknife.)",
        "nn": " (Retningstestar med {units} einingar: standardfeil frå klynge-jackknife.)",
    },
    "note.robust": {
        "en": " (One unit: the years are treated as independent, so p may be too small.)",
        "nb": " (Én enhet: årene behandles som uavhengige, så p kan være for liten.)",
        "nn": " (Éi eining: åra vert handsama som uavhengige, så p kan vere for liten.)",
    },
    "note.lead": {
        "en": " Caution: {x} a year later also 'predicts' {y} (placebo p {lp}), a sign of "
        "reverse causation or a shared trend.",
        "nb": " Obs: {x} året etter «forutsier» også {y} (placebo p {lp}), et tegn på "
        "omvendt årsakssammenheng eller felles trend.",
        "nn": " Merk: {x} året etter «føreseier» òg {y} (placebo p {lp}), eit teikn på "
        "omvendt årsakssamanheng eller felles trend.",
    },
    "note.not_checked": {
        "en": " The direction was not checked ({why}): this rests on the static "
        "within-unit test, which cannot tell which way the arrow points.",
        "nb": " Retningen ble ikke sjekket ({why}): dette bygger på den statiske testen "
        "innen enhetene, som ikke kan avgjøre hvilken vei pilen går.",
        "nn": " Retninga vart ikkje sjekka ({why}): dette byggjer på den statiske testen "
        "innan einingane, som ikkje kan avgjere kva veg pila går.",
    },
    "note.not_checked_plain": {
        "en": " The direction was not checked: this rests on the static within-unit test, "
        "which cannot tell which way the arrow points.",
        "nb": " Retningen ble ikke sjekket: dette bygger på den statiske testen innen "
        "enhetene, som ikke kan avgjøre hvilken vei pilen går.",
        "nn": " Retninga vart ikkje sjekka: dette byggjer på den statiske testen innan "
        "einingane, som ikkje kan avgjere kva veg pila går.",
    },
    "note.static_only": {
        "en": " Without {y}'s own past, {x} and {y} do move together within units "
        "(adjusted p {p}), but once that past is taken into account {x} does not "
        "predict {y}: the association alone cannot tell which way the arrow points.",
        "nb": " Uten {y} sin egen historikk beveger {x} og {y} seg sammen innen enhetene "
        "(justert p {p}), men når den historikken tas med, forutsier ikke {x} {y}: "
        "sammenhengen alene kan ikke avgjøre hvilken vei pilen går.",
        "nn": " Utan den eigne historia til {y} rører {x} og {y} seg saman innan "
        "einingane (justert p {p}), men når den historia vert teken med, varslar ikkje "
        "{x} {y}: samanhengen åleine kan ikkje avgjere kva veg pila går.",
    },
    "note.same_year": {
        "en": " Yearly data cannot order effects within a year, so a same-year link "
        "could run either way; a year apart, {x} predicted {y} with p {fp} and {y} "
        "predicted {x} with p {rp} (direction tests, unadjusted).",
        "nb": " Årsdata kan ikke ordne virkninger innen samme år, så en sammenheng samme "
        "år kan gå begge veier; med ett års mellomrom forutsa {x} {y} med p {fp} og {y} "
        "forutsa {x} med p {rp} (retningstester, ujustert).",
        "nn": " Årsdata kan ikkje ordne verknader innan same år, så ein samanheng same år "
        "kan gå begge vegar; med eitt års mellomrom varsla {x} {y} med p {fp} og {y} "
        "varsla {x} med p {rp} (retningstestar, ujustert).",
    },
    "note.same_year_unchecked": {
        "en": " Yearly data cannot order effects within a year, so a same-year link "
        "between {x} and {y} could run either way.",
        "nb": " Årsdata kan ikke ordne virkninger innen samme år, så en sammenheng samme "
        "år mellom {x} og {y} kan gå begge veier.",
        "nn": " Årsdata kan ikkje ordne verknader innan same år, så ein samanheng same år "
        "mellom {x} og {y} kan gå begge vegar.",
    },
    "problem.too_few_periods": {
        "en": "only {n} years have both indicators and their own past together; the "
        "direction test needs {min}",
        "nb": "bare {n} år har begge indikatorene og deres egen historikk samtidig; "
        "retningstesten trenger {min}",
        "nn": "berre {n} år har begge indikatorane og den eigne historia deira samstundes; "
        "retningstesten treng {min}",
    },
    "problem.direction_not_solved": {
        "en": "the bias-corrected direction model has no stable solution for these data",
        "nb": "den skjevhetskorrigerte retningsmodellen har ingen stabil løsning for disse dataene",
        "nn": "den skeivskapskorrigerte retningsmodellen har inga stabil løysing for desse dataa",
    },
    "problem.too_few_obs": {
        "en": "only {n} unit-years have values for all the model's variables (at least {min} "
        "are needed)",
        "nb": "bare {n} enhetsår har verdier for alle variablene i modellen (minst {min} trengs)",
        "nn": "berre {n} einingsår har verdiar for alle variablane i modellen (minst {min} "
        "trengst)",
    },
    "problem.no_overlap": {
        "en": "no year has values for the effect and all its causes together",
        "nb": "ingen år har verdier for virkningen og alle årsakene samtidig",
        "nn": "ingen år har verdiar for verknaden og alle årsakene samstundes",
    },
    "problem.no_variation": {
        "en": "the cause has no within-unit variation left once the fixed effects are removed",
        "nb": "årsaken varierer ikke innen enhetene når de faste effektene er fjernet",
        "nn": "årsaka varierer ikkje innan einingane når dei faste effektane er fjerna",
    },
    "problem.no_variation_effect": {
        "en": "the effect has no within-unit variation left once the fixed effects are removed",
        "nb": "virkningen varierer ikke innen enhetene når de faste effektene er fjernet",
        "nn": "verknaden varierer ikkje innan einingane når dei faste effektane er fjerna",
    },
    "problem.exact_fit": {
        "en": "the causes reproduce the effect exactly within units (it is a copy or a sum of "
        "them), so there is nothing left to test",
        "nb": "årsakene gjengir virkningen nøyaktig innen enhetene (den er en kopi eller en sum "
        "av dem), så det er ingenting igjen å teste",
        "nn": "årsakene gjev att verknaden nøyaktig innan einingane (han er ein kopi eller ein "
        "sum av dei), så det er ingenting att å teste",
    },
    "problem.collinear": {
        "en": "within units it moves exactly in step with {others} (one is a linear function of "
        "the other), so their effects cannot be told apart; drop one of the arrows or combine "
        "the indicators",
        "nb": "innen enhetene følger den nøyaktig {others} (den ene er en lineær funksjon av den "
        "andre), så effektene kan ikke skilles; fjern en av pilene eller slå sammen indikatorene",
        "nn": "innan einingane følgjer han nøyaktig {others} (den eine er ein lineær funksjon av "
        "den andre), så effektane kan ikkje skiljast; fjern ei av pilene eller slå saman "
        "indikatorane",
    },
    "problem.not_finite": {
        "en": "the estimates are not finite numbers (the values may be too large or too close "
        "to each other for exact arithmetic); rescale the indicators",
        "nb": "estimatene er ikke endelige tall (verdiene kan være for store eller for like til "
        "nøyaktig regning); skaler om indikatorene",
        "nn": "estimata er ikkje endelege tal (verdiane kan vere for store eller for like til "
        "nøyaktig rekning); skaler om indikatorane",
    },
    "problem.no_df": {
        "en": "{n} observations in {units} unit(s) leave too few degrees of freedom for the model",
        "nb": "{n} observasjoner i {units} enhet(er) gir for få frihetsgrader for modellen",
        "nn": "{n} observasjonar i {units} eining(ar) gjev for få fridomsgrader for modellen",
    },
    # --- critical assessment ------------------------------------------------------
    "q.supported.operative": {
        "en": "What did the units do that improved {x}, and how do we keep it up?",
        "nb": "Hva gjorde enhetene som forbedret {x}, og hvordan holder vi det ved like?",
        "nn": "Kva gjorde einingane som betra {x}, og korleis held vi det ved lag?",
    },
    "q.supported.tactical": {
        "en": "Is improving {x} worth its cost compared with other ways of improving {y}?",
        "nb": "Er det verdt kostnaden å forbedre {x}, sammenlignet med andre måter å forbedre {y} på?",
        "nn": "Er det verdt kostnaden å betre {x}, samanlikna med andre måtar å betre {y} på?",
    },
    "q.supported.strategic": {
        "en": "Does a better {y} serve the organisation's purpose, or only the scorecard?",
        "nb": "Tjener en bedre {y} virksomhetens formål, eller bare målkortet?",
        "nn": "Tener ein betre {y} føremålet til verksemda, eller berre målkortet?",
    },
    "q.supported.institutional": {
        "en": "Whose interests does steering by {x} serve, and what does it leave out?",
        "nb": "Hvem sine interesser tjener styring etter {x}, og hva blir utelatt?",
        "nn": "Kven sine interesser tener styring etter {x}, og kva vert utelate?",
    },
    "q.reciprocal.operative": {
        "en": "When {y} improves in a unit, what does that do to {x} the year after, and why?",
        "nb": "Når {y} bedres i en enhet, hva gjør det med {x} året etter, og hvorfor?",
        "nn": "Når {y} vert betre i ei eining, kva gjer det med {x} året etter, og kvifor?",
    },
    "q.reciprocal.tactical": {
        "en": "Can we use the loop between {x} and {y}, and what breaks it when one of them falls?",
        "nb": "Kan vi bruke sløyfen mellom {x} og {y}, og hva bryter den når en av dem faller?",
        "nn": "Kan vi bruke sløyfa mellom {x} og {y}, og kva bryt ho når ein av dei fell?",
    },
    "q.reciprocal.strategic": {
        "en": "Should the map show a loop between {x} and {y} instead of a one-way arrow?",
        "nb": "Bør kartet vise en sløyfe mellom {x} og {y} i stedet for en enveispil?",
        "nn": "Bør kartet vise ei sløyfe mellom {x} og {y} i staden for ei einvegspil?",
    },
    "q.reciprocal.institutional": {
        "en": "If {x} and {y} drive each other, who is accountable for which, and is "
        "something else driving both?",
        "nb": "Hvis {x} og {y} driver hverandre, hvem har ansvar for hva, og driver noe "
        "annet begge?",
        "nn": "Om {x} og {y} driv kvarandre, kven har ansvar for kva, og driv noko anna begge?",
    },
    "q.contradicted.operative": {
        "en": "What happened in the units when {x} changed and {y} moved the other way than assumed?",
        "nb": "Hva skjedde i enhetene når {x} endret seg og {y} gikk motsatt vei av det som var antatt?",
        "nn": "Kva skjedde i einingane då {x} endra seg og {y} gjekk motsett veg av det som var tenkt?",
    },
    "q.contradicted.tactical": {
        "en": "Should we stop pushing {x} until we understand its side effects?",
        "nb": "Bør vi slutte å presse på {x} til vi forstår bivirkningene?",
        "nn": "Bør vi slutte å pressa på {x} til vi forstår biverknadene?",
    },
    "q.contradicted.strategic": {
        "en": "What does this say about the theory that {x} leads to {y}?",
        "nb": "Hva sier dette om teorien om at {x} gir {y}?",
        "nn": "Kva seier dette om teorien om at {x} gjev {y}?",
    },
    "q.contradicted.institutional": {
        "en": "Who should hear that one target works against another, and how do we tell them?",
        "nb": "Hvem bør få vite at ett mål motvirker et annet, og hvordan sier vi det?",
        "nn": "Kven bør få vite at eitt mål motverkar eit anna, og korleis seier vi det?",
    },
    "q.reverse.operative": {
        "en": "When {y} changes in a unit, what happens next to {x}, and why?",
        "nb": "Når {y} endrer seg i en enhet, hva skjer så med {x}, og hvorfor?",
        "nn": "Når {y} endrar seg i ei eining, kva skjer då med {x}, og kvifor?",
    },
    "q.reverse.tactical": {
        "en": "Are we steering by a result ({x}) that is really a consequence of {y}?",
        "nb": "Styrer vi etter et resultat ({x}) som egentlig er en følge av {y}?",
        "nn": "Styrer vi etter eit resultat ({x}) som eigentleg er ei følgje av {y}?",
    },
    "q.reverse.strategic": {
        "en": "Should the map's arrow be turned around, and what would we then steer by?",
        "nb": "Bør pilen i kartet snus, og hva skal vi da styre etter?",
        "nn": "Bør pila i kartet snuast, og kva skal vi då styre etter?",
    },
    "q.reverse.institutional": {
        "en": "How do we report an indicator that follows performance rather than driving it?",
        "nb": "Hvordan rapporterer vi en indikator som følger resultatene i stedet for å drive dem?",
        "nn": "Korleis rapporterer vi ein indikator som følgjer resultata i staden for å driva dei?",
    },
    "q.between_only.operative": {
        "en": "What else distinguishes the units that score high on both?",
        "nb": "Hva annet skiller enhetene som skårer høyt på begge?",
        "nn": "Kva anna skil einingane som skårar høgt på begge?",
    },
    "q.between_only.tactical": {
        "en": "If improving {x} does not move {y}, what do the strong units do differently?",
        "nb": "Hvis forbedret {x} ikke flytter {y}, hva gjør de sterke enhetene annerledes?",
        "nn": "Om betra {x} ikkje flyttar {y}, kva gjer dei sterke einingane annleis?",
    },
    "q.between_only.strategic": {
        "en": "Is the link a shared cause (resources, users, leadership) that the map should name?",
        "nb": "Skyldes sammenhengen en felles årsak (ressurser, brukere, ledelse) som bør stå i kartet?",
        "nn": "Kjem samanhengen av ei felles årsak (ressursar, brukarar, leiing) som bør stå i kartet?",
    },
    "q.between_only.institutional": {
        "en": "Are units compared and judged on differences they cannot steer?",
        "nb": "Blir enheter sammenlignet og vurdert på forskjeller de ikke kan styre?",
        "nn": "Vert einingar samanlikna og vurderte på skilnader dei ikkje kan styre?",
    },
    "q.no_effect.operative": {
        "en": "Can we spend less effort on {x} for the sake of {y}?",
        "nb": "Kan vi bruke mindre innsats på {x} for å nå {y}?",
        "nn": "Kan vi bruke mindre innsats på {x} for å nå {y}?",
    },
    "q.no_effect.tactical": {
        "en": "Which other means could move {y}?",
        "nb": "Hvilke andre virkemidler kan flytte {y}?",
        "nn": "Kva andre verkemiddel kan flytte {y}?",
    },
    "q.no_effect.strategic": {
        "en": "Should this arrow be removed from the map?",
        "nb": "Bør denne pilen fjernes fra kartet?",
        "nn": "Bør denne pila fjernast frå kartet?",
    },
    "q.no_effect.institutional": {
        "en": "What does it mean for accountability that {x} does not move {y}?",
        "nb": "Hva betyr det for ansvarliggjøringen at {x} ikke flytter {y}?",
        "nn": "Kva tyder det for ansvarleggjeringa at {x} ikkje flyttar {y}?",
    },
    "q.inconclusive.operative": {
        "en": "What would we have to record, and for how long, to see whether {x} moves {y}?",
        "nb": "Hva må vi registrere, og hvor lenge, for å se om {x} påvirker {y}?",
        "nn": "Kva må vi registrere, og kor lenge, for å sjå om {x} påverkar {y}?",
    },
    "q.inconclusive.tactical": {
        "en": "Can we try changes in {x} in some units and compare, rather than wait?",
        "nb": "Kan vi prøve ut endringer i {x} i noen enheter og sammenligne, i stedet for å vente?",
        "nn": "Kan vi prøve ut endringar i {x} i nokre einingar og samanlikne, i staden for å vente?",
    },
    "q.inconclusive.strategic": {
        "en": "Do we act on this arrow as if it were known? What if it is not?",
        "nb": "Handler vi som om denne pilen er kjent? Hva om den ikke er det?",
        "nn": "Handlar vi som om denne pila er kjend? Kva om ho ikkje er det?",
    },
    "q.inconclusive.institutional": {
        "en": "Is the scorecard honest about what it cannot show?",
        "nb": "Er målkortet ærlig om hva det ikke kan vise?",
        "nn": "Er målkortet ærleg om kva det ikkje kan vise?",
    },
    "q.insufficient_data.operative": {
        "en": "Which data on {x} and {y} are missing, and who could collect them?",
        "nb": "Hvilke data om {x} og {y} mangler, og hvem kan samle dem inn?",
        "nn": "Kva data om {x} og {y} manglar, og kven kan samle dei inn?",
    },
    "q.insufficient_data.tactical": {
        "en": "Is it worth measuring {x} and {y} well enough to test this arrow?",
        "nb": "Er det verdt å måle {x} og {y} godt nok til å teste denne pilen?",
        "nn": "Er det verdt å måle {x} og {y} godt nok til å teste denne pila?",
    },
    "q.insufficient_data.strategic": {
        "en": "Is this arrow a belief we hold without evidence?",
        "nb": "Er denne pilen en antakelse vi holder fast ved uten belegg?",
        "nn": "Er denne pila ei antaking vi held fast ved utan belegg?",
    },
    "q.insufficient_data.institutional": {
        "en": "Who decides what gets measured, and what stays unmeasured?",
        "nb": "Hvem bestemmer hva som blir målt, og hva som forblir umålt?",
        "nn": "Kven avgjer kva som vert målt, og kva som blir verande umålt?",
    },
    "level.operative": {
        "en": "Operative",
        "nb": "Operativt",
        "nn": "Operativt",
    },
    "level.tactical": {
        "en": "Tactical",
        "nb": "Taktisk",
        "nn": "Taktisk",
    },
    "level.strategic": {
        "en": "Strategic",
        "nb": "Strategisk",
        "nn": "Strategisk",
    },
    "level.institutional": {
        "en": "Institutional",
        "nb": "Institusjonelt",
        "nn": "Institusjonelt",
    },
    "pre.clear_goals": {
        "en": "{have} of {total} indicators have an ambition level (a target, and a threshold for the yellow band); every indicator has a direction.",
        "nb": "{have} av {total} indikatorer har et ambisjonsnivå (et mål, og en terskel for gult); alle har en retning.",
        "nn": "{have} av {total} indikatorar har eit ambisjonsnivå (eit mål, og ein terskel for gult); alle har ei retning.",
    },
    "pre.clear_goals_missing": {
        "en": "Without an ambition: {ids}.",
        "nb": "Uten ambisjon: {ids}.",
        "nn": "Utan ambisjon: {ids}.",
    },
    "pre.clear_goals_threshold": {
        "en": "Without a threshold: {ids}.",
        "nb": "Uten terskel: {ids}.",
        "nn": "Utan terskel: {ids}.",
    },
    "pre.no_links": {
        "en": "The scorecard assumes no arrows, so this cannot be checked.",
        "nb": "Målkortet har ingen piler, så dette kan ikke sjekkes.",
        "nn": "Målkortet har ingen piler, så dette kan ikkje sjekkast.",
    },
    "pre.alternatives": {
        "en": "{several} of {ends} ends have more than one assumed means.",
        "nb": "{several} av {ends} mål har mer enn ett antatt virkemiddel.",
        "nn": "{several} av {ends} mål har meir enn eitt tenkt verkemiddel.",
    },
    "pre.alternatives_single": {
        "en": "Only one means: {ids}.",
        "nb": "Bare ett virkemiddel: {ids}.",
        "nn": "Berre eitt verkemiddel: {ids}.",
    },
    "pre.consequences": {
        "en": "{with_side} of {means} means have an arrow to an indicator they are expected to make worse (a declared side effect).",
        "nb": "{with_side} av {means} virkemidler har en pil til en indikator de ventes å gjøre verre (en erklært bivirkning).",
        "nn": "{with_side} av {means} verkemiddel har ei pil til ein indikator dei er venta å gjere verre (ein erklært biverknad).",
    },
    "pre.consequences_contradicted": {
        "en": "The data show effects opposite to those intended: {arrows}.",
        "nb": "Dataene viser effekter motsatt av det som var tenkt: {arrows}.",
        "nn": "Dataa viser effektar motsett av det som var tenkt: {arrows}.",
    },
    "pre.measured": {
        "en": "{observed} of {total} indicators have data; median coverage of the unit × year grid is {median}.",
        "nb": "{observed} av {total} indikatorer har data; median dekning av enhet × år er {median}.",
        "nn": "{observed} av {total} indikatorar har data; median dekning av eining × år er {median}.",
    },
    "pre.measured_missing": {
        "en": "No data: {ids}.",
        "nb": "Ingen data: {ids}.",
        "nn": "Ingen data: {ids}.",
    },
    "pre.status.met": {
        "en": "Met",
        "nb": "Oppfylt",
        "nn": "Oppfylt",
    },
    "pre.status.partly": {
        "en": "Partly",
        "nb": "Delvis",
        "nn": "Delvis",
    },
    "pre.status.not_met": {
        "en": "Not met",
        "nb": "Ikke oppfylt",
        "nn": "Ikkje oppfylt",
    },
    "pre.status.not_checkable": {
        "en": "Not checkable from data",
        "nb": "Kan ikke sjekkes fra data",
        "nn": "Kan ikkje sjekkast frå data",
    },
    "pre.name.clear_goals": {
        "en": "Clear, unambiguous goals",
        "nb": "Klare og entydige mål",
        "nn": "Klare og eintydige mål",
    },
    "pre.name.alternatives": {
        "en": "Alternatives considered",
        "nb": "Alternativer vurdert",
        "nn": "Alternativ vurderte",
    },
    "pre.name.consequences": {
        "en": "Consequences covered",
        "nb": "Konsekvenser dekket",
        "nn": "Konsekvensar dekte",
    },
    "pre.name.measured_results": {
        "en": "Results measured",
        "nb": "Resultater målt",
        "nn": "Resultat målte",
    },
    "rl.measuring_what_can": {
        "en": "The scorecard's ends ({ends}) sit at levels 3–4 (needs met, values), but {low} of the {linked} linked indicators with a level measure levels 0–1 (the activity itself, productivity): measuring what can be measured.",
        "nb": "Målkortets mål ({ends}) ligger på nivå 3–4 (dekkede behov, verdier), men {low} av de {linked} koblede indikatorene med nivå måler nivå 0–1 (selve tiltaket, produktivitet): man måler det som kan måles.",
        "nn": "Måla i målkortet ({ends}) ligg på nivå 3–4 (dekte behov, verdiar), men {low} av dei {linked} kopla indikatorane med nivå måler nivå 0–1 (sjølve tiltaket, produktivitet): ein måler det som kan målast.",
    },
    "rl.none_given": {
        "en": "No indicator has a result level, so what kind of results are measured cannot be judged.",
        "nb": "Ingen indikator har resultatnivå, så hva slags resultater som måles, kan ikke vurderes.",
        "nn": "Ingen indikator har resultatnivå, så kva slags resultat som vert målte, kan ikkje vurderast.",
    },
    "rl.some_missing": {
        "en": "Without a result level: {ids}.",
        "nb": "Uten resultatnivå: {ids}.",
        "nn": "Utan resultatnivå: {ids}.",
    },
    "rl.link_note_3": {
        "en": "{to} measures needs met (level 3): hard to measure, and its causes are expected to be unclear.",
        "nb": "{to} måler dekkede behov (nivå 3): vanskelig å måle, og årsakene ventes å være uklare.",
        "nn": "{to} måler dekte behov (nivå 3): vanskeleg å måle, og årsakene er venta å vere uklare.",
    },
    "rl.link_note_4": {
        "en": "{to} measures the values of the ideal state (level 4): hard to measure, and its causes are expected to be very unclear.",
        "nb": "{to} måler verdiene i idealstaten (nivå 4): vanskelig å måle, og årsakene ventes å være svært uklare.",
        "nn": "{to} måler verdiane i idealstaten (nivå 4): vanskeleg å måle, og årsakene er venta å vere svært uklare.",
    },
    "rl.level.0": {
        "en": "the activity itself",
        "nb": "selve tiltaket",
        "nn": "sjølve tiltaket",
    },
    "rl.level.1": {
        "en": "productivity",
        "nb": "produktivitet",
        "nn": "produktivitet",
    },
    "rl.level.2": {
        "en": "effectiveness",
        "nb": "effektivitet",
        "nn": "effektivitet",
    },
    "rl.level.3": {
        "en": "needs met",
        "nb": "dekkede behov",
        "nn": "dekte behov",
    },
    "rl.level.4": {
        "en": "values of the ideal state",
        "nb": "idealstatens verdier",
        "nn": "verdiane til idealstaten",
    },
    "rl.unspecified": {
        "en": "no level given",
        "nb": "nivå ikke oppgitt",
        "nn": "nivå ikkje oppgjeve",
    },
    "flag.ceiling": {
        "en": "piled at the top of the scale",
        "nb": "samlet i toppen av skalaen",
        "nn": "samla i toppen av skalaen",
    },
    "flag.floor": {
        "en": "piled at the bottom of the scale",
        "nb": "samlet i bunnen av skalaen",
        "nn": "samla i botnen av skalaen",
    },
    "flag.low_within_variation": {
        "en": "little variation within units",
        "nb": "lite variasjon innen enhetene",
        "nn": "lite variasjon innan einingane",
    },
    "flag.bunching_at_threshold": {
        "en": "bunched just over the threshold",
        "nb": "opphopning like over terskelen",
        "nn": "opphoping like over terskelen",
    },
    "flag.sparse": {
        "en": "mostly missing",
        "nb": "mest manglende data",
        "nn": "mest manglande data",
    },
    "chain.reaches": {
        "en": "Supported chain from means to ends: {paths}.",
        "nb": "Støttet kjede fra virkemidler til mål: {paths}.",
        "nn": "Støtta kjede frå verkemiddel til mål: {paths}.",
    },
    "chain.none": {
        "en": "No path of supported arrows leads from the means (learning, employees, processes) to users or economy.",
        "nb": "Ingen vei av støttede piler fører fra virkemidlene (læring, medarbeidere, prosesser) til brukere eller økonomi.",
        "nn": "Ingen veg av støtta piler fører frå verkemidla (læring, medarbeidarar, prosessar) til brukarar eller økonomi.",
    },
    "chain.truncated": {
        "en": "The scorecard's arrows form so many paths that only the first {n} were followed; paths and breaks beyond them are not listed.",
        "nb": "Målekartets piler danner så mange veier at bare de første {n} ble fulgt; veier og brudd utover dem er ikke listet.",
        "nn": "Pilene i målekartet dannar så mange vegar at berre dei første {n} vart følgde; vegar og brot utover dei er ikkje lista.",
    },
    "chain.break": {
        "en": "{path} breaks at {link} ({verdict}).",
        "nb": "{path} brytes ved {link} ({verdict}).",
        "nn": "{path} brest ved {link} ({verdict}).",
    },
    "chain.indirect": {
        "en": "Indirect effect along {path}: {est} SD ({level} interval {lo} to {hi}; "
        "positive means an improvement in the first indicator goes with an improvement "
        "in the last).",
        "nb": "Indirekte effekt langs {path}: {est} SD ({level} intervall {lo} til {hi}; "
        "positiv betyr at en forbedring i den første indikatoren følges av en forbedring "
        "i den siste).",
        "nn": "Indirekte effekt langs {path}: {est} SD ({level} intervall {lo} til {hi}; "
        "positiv tyder at ei betring i den første indikatoren vert følgd av ei betring i "
        "den siste).",
    },
    "chain.joined": {
        "en": "Perspectives joined by supported arrows: {pairs}.",
        "nb": "Perspektiver knyttet sammen av støttede piler: {pairs}.",
        "nn": "Perspektiv knytte saman av støtta piler: {pairs}.",
    },
    "headline.counts": {
        "en": "Of the {links} arrows this scorecard assumes, its own data show {supported} "
        "working as assumed within the units{both}; "
        "{against} are contradicted or point the other way, {between} hold only between "
        "units, {none} show no effect, and {unknown} cannot be judged from these data.",
        "nb": "Av de {links} pilene målkortet antar, viser egne data at {supported} virker "
        "som antatt innen enhetene{both}; {against} motsies "
        "eller peker motsatt vei, {between} gjelder bare mellom enheter, {none} viser "
        "ingen effekt, og {unknown} kan ikke avgjøres med disse dataene.",
        "nn": "Av dei {links} pilene målkortet går ut frå, viser eigne data at {supported} "
        "verkar som tenkt innan einingane{both}; {against} "
        "vert motsagde eller peikar motsett veg, {between} gjeld berre mellom einingar, "
        "{none} viser ingen effekt, og {unknown} kan ikkje avgjerast med desse dataa.",
    },
    "headline.both_ways": {
        "en": " ({n} of them running both ways)",
        "nb": " ({n} av dem begge veier)",
        "nn": " ({n} av dei begge vegar)",
    },
    "headline.chain_yes": {
        "en": "A chain of supported arrows reaches {ends}.",
        "nb": "En kjede av støttede piler når fram til {ends}.",
        "nn": "Ei kjede av støtta piler når fram til {ends}.",
    },
    "headline.chain_no": {
        "en": "No chain of supported arrows reaches the users or the economy: the scorecard's causal story is not shown by its own history.",
        "nb": "Ingen kjede av støttede piler når fram til brukerne eller økonomien: målkortets årsaksfortelling vises ikke i egen historikk.",
        "nn": "Inga kjede av støtta piler når fram til brukarane eller økonomien: årsaksforteljinga i målkortet syner seg ikkje i den eigne historikken.",
    },
    "headline.unknowable": {
        "en": "What these data cannot show: effects on results the scorecard does not measure, and, for indicators at result levels 3–4, whether the measure captures the result at all.",
        "nb": "Det disse dataene ikke kan vise: virkninger på resultater målkortet ikke måler, og, for indikatorer på resultatnivå 3–4, om målet i det hele tatt fanger resultatet.",
        "nn": "Det desse dataa ikkje kan vise: verknader på resultat målkortet ikkje måler, og, for indikatorar på resultatnivå 3–4, om målet i det heile fangar resultatet.",
    },
    "as_heading": {
        "en": "Critical assessment: does the instrumental premise hold?",
        "nb": "Kritisk vurdering: holder den instrumentelle forutsetningen?",
        "nn": "Kritisk vurdering: held den instrumentelle føresetnaden?",
    },
    "as_intro": {
        "en": "A scorecard presumes that steering by indicators works because the chain from means to ends is known (Amdam 2005). This section checks, from this scorecard and its data, how far that holds.",
        "nb": "Et målkort forutsetter at styring etter indikatorer virker fordi kjeden fra virkemidler til mål er kjent (Amdam 2005). Denne delen sjekker, ut fra dette målkortet og dataene, hvor langt det holder.",
        "nn": "Eit målkort føreset at styring etter indikatorar verkar fordi kjeda frå verkemiddel til mål er kjend (Amdam 2005). Denne delen sjekkar, ut frå dette målkortet og dataa, kor langt det held.",
    },
    "as_preconditions": {
        "en": "Preconditions of instrumental planning",
        "nb": "Forutsetninger for instrumentell planlegging",
        "nn": "Føresetnader for instrumentell planlegging",
    },
    "as_levels": {
        "en": "Result levels",
        "nb": "Resultatnivå",
        "nn": "Resultatnivå",
    },
    "as_chain": {
        "en": "The chain from means to ends",
        "nb": "Kjeden fra virkemidler til mål",
        "nn": "Kjeda frå verkemiddel til mål",
    },
    "as_measurement": {
        "en": "Measurement",
        "nb": "Måling",
        "nn": "Måling",
    },
    "as_learning": {
        "en": "Questions for learning",
        "nb": "Spørsmål for læring",
        "nn": "Spørsmål for læring",
    },
    "as_learning_intro": {
        "en": "To make the scorecard a learning system rather than a control system: questions for the dialogue about what each arrow contributes, at four levels.",
        "nb": "For at målkortet skal bli et læringssystem og ikke et kontrollsystem: spørsmål til dialogen om hva hver pil bidrar med, på fire nivåer.",
        "nn": "For at målkortet skal verte eit læringssystem og ikkje eit kontrollsystem: spørsmål til dialogen om kva kvar pil bidreg med, på fire nivå.",
    },
    "as_measurement_intro": {
        "en": "Flags: values piled at a scale bound (ceiling/floor, at least {pile} of values), little variation within units (under {within} of the variance), bunching just over the ambition threshold (test p under {bunch}), mostly missing (over {sparse} of unit-years).",
        "nb": "Flagg: verdier samlet ved en skalagrense (tak/gulv, minst {pile} av verdiene), lite variasjon innen enhetene (under {within} av variansen), opphopning like over ambisjonsterskelen (test p under {bunch}), mest manglende (over {sparse} av enhetsårene).",
        "nn": "Flagg: verdiar samla ved ei skalagrense (tak/golv, minst {pile} av verdiane), lite variasjon innan einingane (under {within} av variansen), opphoping like over ambisjonsterskelen (test p under {bunch}), mest manglande (over {sparse} av einingsåra).",
    },
    # --- the link table as a reader sees it (LinkResults) -------------------------------
    "lt.title": {
        "en": "Link tests: {name} — {units} units × {periods} periods, {effects}, alpha {alpha}",
        "nb": "Piltestene: {name} — {units} enheter × {periods} perioder, {effects}, alfa {alpha}",
        "nn": "Piltestane: {name} — {units} einingar × {periods} periodar, {effects}, alfa {alpha}",
    },
    "lt.effects.twoway": {
        "en": "unit and period fixed effects",
        "nb": "faste effekter for enhet og periode",
        "nn": "faste effektar for eining og periode",
    },
    "lt.effects.unit": {
        "en": "unit fixed effects",
        "nb": "faste effekter for enhet",
        "nn": "faste effektar for eining",
    },
    "lt.verdicts": {
        "en": "Verdicts: {counts}",
        "nb": "Vurderinger: {counts}",
        "nn": "Vurderingar: {counts}",
    },
    "lt.link": {"en": "Arrow", "nb": "Pil", "nn": "Pil"},
    "lt.lag": {"en": "Lag", "nb": "Etterslep", "nn": "Etterslep"},
    "lt.effect": {"en": "Effect (SD)", "nb": "Effekt (SD)", "nn": "Effekt (SD)"},
    "lt.interval": {
        "en": "{level} interval (SD)",
        "nb": "{level}-intervall (SD)",
        "nn": "{level}-intervall (SD)",
    },
    "lt.p_adjusted": {"en": "Adjusted p", "nb": "Justert p", "nn": "Justert p"},
    "lt.forward_effect": {
        "en": "Direction test: effect (SD)",
        "nb": "Retningstest: effekt (SD)",
        "nn": "Retningstest: effekt (SD)",
    },
    "lt.forward_p": {
        "en": "Forward adjusted p",
        "nb": "Forover justert p",
        "nn": "Framover justert p",
    },
    "lt.reverse_p": {
        "en": "Reverse adjusted p",
        "nb": "Motsatt vei justert p",
        "nn": "Motsett veg justert p",
    },
    "lt.verdict": {"en": "Verdict", "nb": "Vurdering", "nn": "Vurdering"},
    "lt.reason": {"en": "Reason", "nb": "Begrunnelse", "nn": "Grunngiving"},
    "col_path": {"en": "Path", "nb": "Bane", "nn": "Bane"},
    "col_indirect": {
        "en": "Indirect effect (SD)",
        "nb": "Indirekte effekt (SD)",
        "nn": "Indirekte effekt (SD)",
    },
    "col_breaks_at": {"en": "Breaks at", "nb": "Brytes ved", "nn": "Brest ved"},
    "col_flags": {
        "en": "Flags",
        "nb": "Flagg",
        "nn": "Flagg",
    },
    "col_bound": {
        "en": "At top / bottom of scale",
        "nb": "Ved topp / bunn av skala",
        "nn": "Ved topp / botn av skala",
    },
    "col_within": {
        "en": "Variance within units",
        "nb": "Varians innen enheter",
        "nn": "Varians innan einingar",
    },
    "col_missing": {
        "en": "Missing",
        "nb": "Mangler",
        "nn": "Manglar",
    },
    "col_bunching": {
        "en": "Bunching p",
        "nb": "Opphopning p",
        "nn": "Opphoping p",
    },
    "col_level": {
        "en": "Level",
        "nb": "Nivå",
        "nn": "Nivå",
    },
    "col_status": {
        "en": "Status",
        "nb": "Status",
        "nn": "Status",
    },
    "col_evidence": {
        "en": "Evidence",
        "nb": "Belegg",
        "nn": "Belegg",
    },
    "col_precondition": {
        "en": "Precondition",
        "nb": "Forutsetning",
        "nn": "Føresetnad",
    },
    "col_indicators": {
        "en": "Indicators",
        "nb": "Indikatorer",
        "nn": "Indikatorar",
    },
    "none_flagged": {
        "en": "none",
        "nb": "ingen",
        "nn": "ingen",
    },
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
