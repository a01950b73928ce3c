"""The gettext catalogs: every key in English, bokmål and nynorsk, the same
placeholders everywhere, plural forms, and exactly the keys the code uses."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.checkers import num_plurals
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bms_eval.estimation.verdicts import VERDICTS
from bms_eval.narrative.texts import DOMAIN, LANGUAGES, Texts, all_keys

ROOT = Path(__file__).resolve().parents[1]


def _catalog(language: str):
    path = ROOT / "bms_eval" / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, domain=DOMAIN)


def _fields(text: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(text) if f)


def test_every_key_has_all_three_languages():
    for key, versions in all_keys().items():
        assert set(versions) == set(LANGUAGES), key
        for text in versions.values():
            forms = text if isinstance(text, tuple) else (text,)
            assert all(f.strip() for f in forms), key


def test_placeholders_agree_across_languages_and_forms():
    """What msgfmt's format check does for source-text ids, done across the catalogs
    (the ids are keys, without placeholders of their own)."""
    for key, versions in all_keys().items():
        fields = set()
        for text in versions.values():
            forms = text if isinstance(text, tuple) else (text,)
            fields |= {_fields(f) for f in forms}
        assert len(fields) == 1, key


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_pass_babels_checks(language):
    catalog = _catalog(language)
    assert catalog.num_plurals == 2 and catalog.plural_expr == "(n != 1)"
    for message in catalog:
        if not message.id:
            continue
        num_plurals(catalog, message)  # raises on a wrong number of plural forms
        if message.pluralizable:
            assert "n" in _fields(message.string[0]), f"{message.id}: plurals count {{n}}"
        assert not message.fuzzy, message.id


def test_plural_forms_follow_n():
    assert Texts("en").format("data_line", n=1, first=1, last=2, file="f").startswith("1 unit,")
    assert Texts("en").format("data_line", n=2, first=1, last=2, file="f").startswith("2 units,")
    assert Texts("nb").format("data_line", n=1, first=1, last=2, file="f").startswith("1 enhet,")
    assert Texts("nn").format("data_line", n=5, first=1, last=2, file="f").startswith("5 einingar")
    with pytest.raises(KeyError, match="plural"):
        Texts("en")["data_line"]


def test_the_catalogs_hold_exactly_the_keys_the_code_and_template_use():
    """pybabel extract with babel.cfg: no key used that a catalog lacks, no key kept
    that nothing uses (a key built at run time counts as its family, verdict.*)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    used = {m for _, _, m, _, _ in extract_from_dir(str(ROOT), method_map, options_map)}
    literal = {u for u in used if not u.endswith("*")}
    families = tuple(u[:-1] for u in used if u.endswith("*"))
    assert len(literal) > 100 and "verdict." in families
    keys = set(all_keys())
    assert literal - keys == set()
    assert {k for k in keys if k not in literal and not k.startswith(families)} == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_verdict_and_status_has_a_label(language):
    texts = Texts(language)
    for verdict in VERDICTS:
        assert texts.verdict(verdict)
    for status in ("green", "yellow", "red", "none"):
        assert texts.status(status)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        Texts("de")


def test_numbers_are_written_the_way_each_language_writes_them():
    en, nb, nn = Texts("en"), Texts("nb"), Texts("nn")
    assert en.number(-0.2, signed=True) == "−0.20" and nb.number(-0.2, signed=True) == "−0,20"
    assert en.p(0.559) == "= 0.559" and nn.p(0.559) == "= 0,559" and nb.p(0.0001) == "< 0,001"
    assert en.integer(9999) == "9,999" and nb.integer(9999) == "9\u202f999"
    assert en.level(0.995) == "99.5 %" and nb.level(0.95) == "95 %" and nb.level(0.995) == "99,5 %"
    assert en.percent(0.58) == "58%" and nb.percent(0.58) == "58\u00a0%"
    assert (
        nb.value(4.523) == "4,52" and nb.value(12345.6) == "12\u202f346" and en.value(None) == "–"
    )
    assert nb.short(0.2) == "0,2" and en.number(float("nan")) == "–"
