"""Report prose and labels in English, bokmål and nynorsk, from gettext catalogs.

The texts live in one gettext catalog per language,
``bms_eval/locale/<language>/LC_MESSAGES/bms_eval.po``, read with Babel. Message
ids are symbolic keys (``verdict.supported``, ``reason.no_effect``): the
sentences are long and change as the method is refined, and a key keeps every
translation attached to its place while English is edited like any other
language. Placeholders are ``str.format`` fields (``{x}``); as the ids are keys,
msgfmt's format check cannot compare a translation with its id, so a test
compares every translation's fields with the English one. Plural entries choose
their form by ``{n}`` with the catalog's ``Plural-Forms`` rule, as ``ngettext``
does. ``pybabel extract -F babel.cfg``
lists the keys the code and the report template use
(:mod:`bms_eval.narrative.text_keys`).

Indicator names and other text from the user's files are never translated: they
are inserted as they were written.
"""

from __future__ import annotations

import functools
import gettext
import math
from importlib.resources import files
from typing import Any

from bms_eval.inputs.model import LANGUAGES  # the languages a scorecard may ask for

#: The gettext domain (the catalogs' file name).
DOMAIN = "bms_eval"


@functools.cache
def _catalog(language: str) -> tuple[dict[str, str | tuple[str, ...]], Any]:
    """The messages of one language (plural ones as a tuple of forms) and its
    plural rule (``n`` → form index)."""
    from babel.messages.pofile import read_po

    path = files("bms_eval") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, domain=DOMAIN)
    messages: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        messages[key] = tuple(message.string) if message.pluralizable else message.string
    return messages, gettext.c2py(catalog.plural_expr)


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
        self._messages, self._plural = _catalog(language)

    def __getitem__(self, key: str) -> str:
        message = self._messages[key]
        if isinstance(message, tuple):
            raise KeyError(f"{key} has plural forms: use format({key!r}, n=…)")
        return message

    def format(self, key: str, **values: Any) -> str:
        """The text for ``key`` with ``{placeholders}`` filled in; a plural entry takes
        the form for ``n`` (``ngettext``)."""
        message = self._messages[key]
        if isinstance(message, tuple):
            message = message[min(self._plural(int(values["n"])), len(message) - 1)]
        return message.format(**values)

    def number(self, value: float, digits: int = 2, signed: bool = False) -> str:
        """A number for prose: a real minus sign, and in Norwegian a decimal comma
        ("−0,20"); "–" when it is missing or not finite."""
        if value is None or not math.isfinite(value):
            return "–"
        return self._decimal(f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}")

    def cell(self, value: object, digits: int = 3) -> str:
        """Any table cell as a reader of this language sees it: a number with this
        language's decimal sign (``0,412`` in Norwegian), a verdict's label, other text
        as it is, ``–`` where nothing is."""
        if isinstance(value, bool) or value is None:
            return "–" if value is None else str(value)
        if isinstance(value, int | float):
            if not math.isfinite(float(value)):
                return "–"
            return self._decimal(f"{float(value):.{digits}g}")
        if isinstance(value, list | tuple):
            return ", ".join(self.cell(v, digits) for v in value)
        text = str(value)
        return self.verdict(text) if f"verdict.{text}" in self._messages else text

    def table(self, frame: Any, digits: int = 3) -> Any:
        """A copy of a table (a pandas DataFrame or Series) with every cell as
        :meth:`cell` writes it: what a notebook shows a reader of this language."""
        return frame.map(lambda v: self.cell(v, digits))

    def _decimal(self, text: str) -> str:
        return (
            text.replace("-", "\u2212")
            if self.language == "en"
            else text.replace("-", "\u2212").replace(".", ",")
        )

    def p(self, value: float | None) -> str:
        """``= 0.034`` or ``< 0.001`` (``= 0,034`` in Norwegian), to follow "p"; ``–``
        when there is no p-value."""
        if value is None or not math.isfinite(value):
            return "–"
        return self._decimal("< 0.001" if value < 0.001 else f"= {value:.3f}")

    def level(self, level: float) -> str:
        """``95 %`` for a 0.95 interval (``99,5 %`` in Norwegian for 0.995)."""
        return self._decimal(f"{100 * level:.3g}") + " %"

    def value(self, value: float | None) -> str:
        """An indicator's value: three significant digits below 1 000, whole numbers with
        their thousands apart above (``4.52``, ``12,345``; ``4,52``, ``12 345``)."""
        if value is None or not math.isfinite(value):
            return "–"
        if abs(value) < 1000:
            return self._decimal(f"{value:.3g}")
        return self.integer(round(value)).replace("-", "\u2212")

    def short(self, value: float) -> str:
        """A setting as written (``0.2``; ``0,2`` in Norwegian)."""
        return self._decimal(f"{value:g}")

    def integer(self, value: int) -> str:
        """A count with its thousands apart: ``9,999`` in English, ``9 999`` (a narrow
        no-break space) in Norwegian."""
        text = f"{int(value):,}"
        return text if self.language == "en" else text.replace(",", "\u202f")

    def percent(self, share: float) -> str:
        """A share as a whole percentage: "58%" in English, "58 %" (no-break space)
        in Norwegian."""
        number = f"{100 * share:.0f}"
        return f"{number}%" if self.language == "en" else f"{number}\u00a0%"

    def percent_or_dash(self, share: float | None) -> str:
        """:meth:`percent`, or ``–`` for a share that is not there."""
        return "–" if share is None or not math.isfinite(share) else self.percent(share)

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


def all_keys() -> dict[str, dict[str, str | tuple[str, ...]]]:
    """Every key with its text in each language (for the completeness tests)."""
    keys = dict.fromkeys(key for language in LANGUAGES for key in _catalog(language)[0])
    return {
        key: {
            language: _catalog(language)[0][key]
            for language in LANGUAGES
            if key in _catalog(language)[0]
        }
        for key in keys
    }
