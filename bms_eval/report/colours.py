"""Colours shared by the figures and the HTML page, so a verdict looks the same in both."""

#: Per verdict: colour-blind safe, greys for what the data cannot settle.
VERDICT_COLOURS = {
    "reciprocal": "#2166ac",
    "supported": "#1b7837",
    "contradicted": "#b2182b",
    "reverse": "#762a83",
    "between_only": "#c46c0a",
    "no_effect": "#4d4d4d",
    "inconclusive": "#8a8a8a",
    "insufficient_data": "#b5b5b5",
}
#: Per ambition status.
STATUS_COLOURS = {"green": "#1a9850", "yellow": "#fee08b", "red": "#d73027", "none": "#bdbdbd"}
