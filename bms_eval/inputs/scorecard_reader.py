"""Reading a scorecard's value tree with every problem located (docs/inputs.md): the
keys each section knows (:data:`SECTION_KEYS`), typed reads of a node's values that
record a located problem instead of failing (:class:`Reader`), unique ids and
references to declared ids."""

from __future__ import annotations

import math
from typing import Any

from bms_eval.foundation.problems import ProblemList
from bms_eval.inputs.yaml_tree import YNode

SECTION_KEYS = {
    "": {
        "scorecard",
        "perspectives",
        "goals",
        "success_factors",
        "indicators",
        "links",
        "analysis",
    },
    "scorecard": {"name", "language", "description", "organisation", "period"},
    "perspectives": {"id", "name", "description"},
    "goals": {"id", "perspective", "text", "name", "result_level"},
    "success_factors": {"id", "goal", "text", "name", "perspective"},
    "indicators": {
        "id",
        "name",
        "perspective",
        "success_factor",
        "direction",
        "scale",
        "ambition",
        "result_level",
        "transform",
        "kind",
        "goal",
        "column",
        "unit",
        "source",
        "description",
    },
    "ambition": {"target", "threshold"},
    "links": {"from", "to", "lag", "sign", "rationale", "side_effect"},
    "analysis": {
        "effects",
        "alpha",
        "min_effect",
        "controls",
        "bootstrap_draws",
        "seed",
        "estimand",
    },
}


class Reader:
    """Typed access to :class:`YNode` values that records located problems."""

    def __init__(self, problems: ProblemList):
        self.p = problems

    def known_keys(self, node: YNode, section: str) -> None:
        for key in node.value:
            if key not in SECTION_KEYS[section]:
                allowed = ", ".join(sorted(SECTION_KEYS[section]))
                self.p.warning(
                    node.key_where(key),
                    f"unknown key {key!r} is ignored (known here: {allowed}); check the spelling",
                    kind="unknown_key",
                )

    def mapping(self, node: YNode | None, what: str) -> YNode | None:
        if node is None:
            return None
        if node.kind != "map":
            self.p.error(node.where, f"{what} must be a mapping of keys to values", kind="type")
            return None
        return node

    def sequence(self, node: YNode | None, what: str) -> list[YNode]:
        if node is None or node.is_null:
            return []
        if node.kind != "seq":
            self.p.error(
                node.where, f"{what} must be a list (items starting with '- ')", kind="type"
            )
            return []
        return list(node.value)

    def text(
        self, parent: YNode, key: str, *, required: bool = False, default: str | None = None
    ) -> str | None:
        node = parent.value.get(key)
        if node is None or node.is_null:
            if required:
                self.p.error(parent.where, f"the key {key!r} is required here", kind="missing")
            return default
        if node.kind != "scalar":
            self.p.error(node.where, f"{key!r} must be a single text value", kind="type")
            return default
        raw = node.raw.strip()
        if required and not raw:
            self.p.error(node.where, f"{key!r} must not be empty", kind="missing")
        return raw

    def number(self, parent: YNode, key: str) -> float | None:
        node = parent.value.get(key)
        if node is None or node.is_null:
            return None
        return self.number_of(node, key)

    def number_of(self, node: YNode, what: str) -> float | None:
        value = node.value
        if node.kind == "scalar" and isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(float(value)):
                self.p.error(
                    node.where, f"{what} must be a finite number, not {node.raw!r}", kind="number"
                )
                return None
            return float(value)
        hint = ""
        if node.kind == "scalar" and isinstance(value, str) and "," in value:
            hint = " (use a decimal point: 4.5, not 4,5)"
        self.p.error(
            node.where,
            f"{what} must be a number, not {node.raw or node.kind!r}{hint}",
            kind="number",
        )
        return None

    def integer(self, node: YNode, what: str) -> int | None:
        value = node.value
        if node.kind == "scalar" and isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        self.p.error(
            node.where,
            f"{what} must be a whole number, not {node.raw or node.kind!r}",
            kind="integer",
        )
        return None

    def flag(self, parent: YNode, key: str) -> bool | None:
        """A yes/no value (``true`` or ``false``), ``None`` when not given."""
        node = parent.value.get(key)
        if node is None or node.is_null:
            return None
        if node.kind == "scalar" and isinstance(node.value, bool):
            return bool(node.value)
        self.p.error(
            node.where,
            f"{key!r} must be true or false, not {node.raw or node.kind!r}",
            kind="choice",
        )
        return None

    def choice(self, parent: YNode, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(parent, key)
        if value is None:
            return default
        if value not in options:
            self.p.error(
                parent.value[key].where,
                f"{key!r} must be one of {', '.join(options)}, not {value!r}",
                kind="choice",
            )
            return default
        return value


def unique_ids(reader: Reader, items: list[tuple[str, YNode]], what: str) -> dict[str, YNode]:
    seen: dict[str, YNode] = {}
    for ident, node in items:
        if ident in seen:
            reader.p.error(
                node.where,
                f"duplicate {what} id {ident!r} (first at {seen[ident].spot}); ids must be unique",
                kind="duplicate_id",
            )
        else:
            seen[ident] = node
    return seen


def reference(
    reader: Reader, node: YNode, key: str, known: dict[str, Any], what: str, required: bool
) -> str | None:
    ref = reader.text(node, key, required=required)
    if ref is None or not ref:
        return None
    if ref not in known:
        listed = ", ".join(known) if known else "none are declared"
        reader.p.error(
            node.value[key].where,
            f"unknown {what} {ref!r} (declared: {listed})",
            kind="unknown_ref",
        )
        return None
    return ref
