"""Read and check a scorecard, YAML or an Excel workbook (docs/inputs.md, docs/commands.md).

:func:`load_scorecard` returns a frozen :class:`~bms_eval.inputs.model.Scorecard`
or raises :class:`~bms_eval.foundation.problems.InputError` carrying *every* problem found,
each with the file, the YAML line and the key path. Unknown keys are warnings
(the contract allows additions, and a typo should not pass unseen).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from pathlib import Path

from bms_eval.foundation.problems import ProblemList
from bms_eval.inputs.model import (
    DIRECTIONS,
    EFFECTS,
    ESTIMANDS,
    INDICATOR_KINDS,
    LANGUAGES,
    MAX_BOOTSTRAP_DRAWS,
    MAX_LAG,
    MIN_BOOTSTRAP_DRAWS,
    RESULT_LEVELS,
    SIGNS,
    TRANSFORMS,
    Ambition,
    AnalysisOptions,
    Goal,
    Indicator,
    Link,
    Perspective,
    Scorecard,
    SuccessFactor,
    expects_worse,
)
from bms_eval.inputs.scorecard_reader import Reader, reference, unique_ids
from bms_eval.inputs.text_files import bytes_to_text, read_bytes
from bms_eval.inputs.workbook import read_workbook
from bms_eval.inputs.yaml_tree import YNode, parse_yaml


def _perspectives(r: Reader, root: YNode) -> dict[str, Perspective]:
    items = r.sequence(root.value.get("perspectives"), "perspectives")
    if "perspectives" not in root.value or not items:
        r.p.error(
            root.where,
            "'perspectives' is required: list the perspectives in use, each with an id "
            + ("(a sheet 'perspectives', one per row)" if root.place else "(e.g. - id: users)"),
            kind="missing",
        )
    out: list[tuple[str, YNode]] = []
    result: dict[str, Perspective] = {}
    for node in items:
        if r.mapping(node, "a perspective") is None:
            continue
        r.known_keys(node, "perspectives")
        ident = r.text(node, "id", required=True)
        if not ident:
            continue
        out.append((ident, node))
        if ident not in result:
            result[ident] = Perspective(ident, r.text(node, "name") or ident, node.line)
    unique_ids(r, out, "perspective")
    return result


def _goals(r: Reader, root: YNode, perspectives: dict[str, Perspective]) -> dict[str, Goal]:
    result: dict[str, Goal] = {}
    out: list[tuple[str, YNode]] = []
    for node in r.sequence(root.value.get("goals"), "goals"):
        if r.mapping(node, "a goal") is None:
            continue
        r.known_keys(node, "goals")
        ident = r.text(node, "id", required=True)
        persp = reference(r, node, "perspective", perspectives, "perspective", required=True)
        level = _result_level(r, node)
        if not ident:
            continue
        out.append((ident, node))
        if ident not in result:
            text = r.text(node, "text") or r.text(node, "name") or ""
            result[ident] = Goal(ident, persp or "", text, level, node.line)
    unique_ids(r, out, "goal")
    return result


def _success_factors(r: Reader, root: YNode, goals: dict[str, Goal]) -> dict[str, SuccessFactor]:
    result: dict[str, SuccessFactor] = {}
    out: list[tuple[str, YNode]] = []
    for node in r.sequence(root.value.get("success_factors"), "success_factors"):
        if r.mapping(node, "a success factor") is None:
            continue
        r.known_keys(node, "success_factors")
        ident = r.text(node, "id", required=True)
        goal = reference(r, node, "goal", goals, "goal", required=False)
        if not ident:
            continue
        out.append((ident, node))
        if ident not in result:
            text = r.text(node, "text") or r.text(node, "name") or ""
            result[ident] = SuccessFactor(ident, goal, text, node.line)
    unique_ids(r, out, "success factor")
    return result


def _result_level(r: Reader, node: YNode) -> int | None:
    level_node = node.value.get("result_level")
    if level_node is None or level_node.is_null:
        return None
    level = r.integer(level_node, "result_level")
    if level is not None and level not in RESULT_LEVELS:
        r.p.error(
            level_node.where, f"result_level must be 0, 1, 2, 3 or 4, not {level}", kind="range"
        )
        return None
    return level


def _scale(r: Reader, node: YNode, ident: str) -> tuple[float, float] | None:
    scale_node = node.value.get("scale")
    if scale_node is None or scale_node.is_null:
        return None
    if (
        scale_node.kind != "seq"
        or len(scale_node.value) != 2
        or all(b.is_null for b in scale_node.value)
    ):
        r.p.error(
            scale_node.where,
            f"indicator {ident!r}: scale must be two numbers [lowest, highest], e.g. [1, 6]; "
            "leave one open with null, e.g. [0, null] for a count",
            kind="scale",
        )
        return None
    bounds = [
        (-math.inf if i == 0 else math.inf) if b.is_null else r.number_of(b, "a scale bound")
        for i, b in enumerate(scale_node.value)
    ]
    low, high = bounds
    if low is None or high is None:
        return None
    if low >= high:
        r.p.error(
            scale_node.where,
            f"indicator {ident!r}: scale bounds reversed or equal "
            f"([{low:g}, {high:g}]); write [lowest, highest]",
            kind="scale",
        )
        return None
    return (low, high)


def _ambition(
    r: Reader, node: YNode, ident: str, direction: str, scale: tuple[float, float] | None
) -> Ambition | None:
    amb = node.value.get("ambition")
    if amb is None or amb.is_null:
        return None
    if r.mapping(amb, f"indicator {ident!r}: ambition") is None:
        return None
    r.known_keys(amb, "ambition")
    target = r.number(amb, "target")
    threshold = r.number(amb, "threshold")
    if "target" not in amb.value:
        r.p.error(
            amb.where,
            f"indicator {ident!r}: ambition needs a target (e.g. {{target: 5.0, threshold: 4.5}})",
            kind="missing",
        )
    if target is None:
        return None
    ok = True
    if threshold is not None:
        wrong = threshold > target if direction == "up" else threshold < target
        if wrong:
            side = "at or below" if direction == "up" else "at or above"
            r.p.error(
                amb.value["threshold"].where,
                f"indicator {ident!r}: threshold {threshold:g} is on the wrong side of "
                f"target {target:g} for direction {direction!r}; the yellow threshold "
                f"must be {side} the target",
                kind="ambition",
            )
            ok = False
    if scale is not None:
        for key, value in (("target", target), ("threshold", threshold)):
            if value is not None and not scale[0] <= value <= scale[1]:
                r.p.error(
                    amb.value[key].where,
                    f"indicator {ident!r}: ambition {key} {value:g} lies outside the "
                    f"scale [{scale[0]:g}, {scale[1]:g}]",
                    kind="ambition",
                )
                ok = False
    return Ambition(target, threshold) if ok else None


def _indicators(
    r: Reader,
    root: YNode,
    perspectives: dict[str, Perspective],
    goals: dict[str, Goal],
    factors: dict[str, SuccessFactor],
) -> dict[str, Indicator]:
    items = r.sequence(root.value.get("indicators"), "indicators")
    if "indicators" not in root.value or not items:
        r.p.error(
            root.where,
            "'indicators' is required: list the measured indicators, each with an id, a "
            "name and a perspective"
            + (" (a sheet 'indicators', one per row)" if root.place else ""),
            kind="missing",
        )
    result: dict[str, Indicator] = {}
    out: list[tuple[str, YNode]] = []
    for node in items:
        if r.mapping(node, "an indicator") is None:
            continue
        r.known_keys(node, "indicators")
        ident = r.text(node, "id", required=True)
        if ident and ">" in ident:
            r.p.error(
                node.value["id"].where,
                f"indicator id {ident!r} must not contain '>': "
                "it separates the ids in link names (FROM>TO>LAG)",
                kind="id",
            )
            ident = None
        persp = reference(r, node, "perspective", perspectives, "perspective", required=True)
        factor = reference(r, node, "success_factor", factors, "success factor", required=False)
        goal = reference(r, node, "goal", goals, "goal", required=False)
        if goal and factor and factors[factor].goal != goal:
            r.p.error(
                node.value["goal"].where,
                f"goal {goal!r} differs from the goal of success factor {factor!r} "
                f"({factors[factor].goal!r}); give one of them, or make them agree",
                kind="goal",
            )
        column = r.text(node, "column") or None
        direction = r.choice(node, "direction", DIRECTIONS, "up")
        scale = _scale(r, node, ident or "?")
        ambition = _ambition(r, node, ident or "?", direction, scale)
        level = _result_level(r, node)
        transform = r.choice(node, "transform", TRANSFORMS, "none")
        kind = r.choice(node, "kind", INDICATOR_KINDS, "level")
        if kind == "reform" and transform == "log":
            r.p.error(
                node.value["transform"].where,
                f"indicator {ident!r} is a reform (0 before adoption, 1 after): it cannot "
                "take 'transform: log'; leave the transform out",
                kind="transform",
            )
        if not ident:
            continue
        out.append((ident, node))
        if ident not in result:
            result[ident] = Indicator(
                id=ident,
                name=r.text(node, "name") or ident,
                perspective=persp or "",
                direction=direction,
                success_factor=factor,
                scale=scale,  # type: ignore[arg-type]
                ambition=ambition,
                result_level=level,
                transform=transform,
                kind=kind,  # type: ignore[arg-type]
                line=node.line,
                goal=goal,
                column=column,
                place=node.spot,
            )
    unique_ids(r, out, "indicator")
    _unique_columns(r, out, result)
    return result


def _unique_columns(
    r: Reader, nodes: list[tuple[str, YNode]], indicators: dict[str, Indicator]
) -> None:
    """Every indicator's data name (``column``, else its id) names one indicator only."""
    owner: dict[str, str] = {}
    for ident, node in nodes:
        ind = indicators.get(ident)
        if ind is None or (ind.data_name in owner and owner[ind.data_name] == ident):
            continue
        if ind.data_name in owner:
            where = node.value["column"].where if "column" in node.value else node.where
            r.p.error(
                where,
                f"indicator {ident!r} reads the data's {ind.data_name!r}, which indicator "
                f"{owner[ind.data_name]!r} reads too; each data name may belong to one "
                "indicator (set column: to tell them apart)",
                kind="column",
            )
        else:
            owner[ind.data_name] = ident


def _lags(r: Reader, node: YNode) -> tuple[int, ...] | None:
    lag_node = node.value.get("lag")
    if lag_node is None or lag_node.is_null:
        return (0,)
    items = lag_node.value if lag_node.kind == "seq" else [lag_node]
    if not items:
        r.p.error(
            lag_node.where, "lag must be an integer or a non-empty list of integers", kind="lag"
        )
        return None
    lags: list[int] = []
    for item in items:
        lag = r.integer(item, "lag")
        if lag is None:
            continue
        if lag > MAX_LAG:
            r.p.error(
                item.where,
                f"lag {lag} is too long: a lag counts periods (years) from cause to effect, "
                f"at most {MAX_LAG}",
                kind="lag",
            )
        elif lag < 0:
            r.p.error(
                item.where,
                f"lag {lag} is negative: a lag counts periods from cause to "
                "effect and must be 0 or more",
                kind="lag",
            )
        elif lag in lags:
            r.p.error(item.where, f"lag {lag} is listed twice", kind="lag")
        else:
            lags.append(lag)
    if len(lags) != len(items):
        return None
    return tuple(sorted(lags))


def _check_side_effect(
    r: Reader, node: YNode, cause: Indicator, effect: Indicator, sign: str
) -> None:
    """Warn where ``side_effect: true`` meets a sign that expects an improvement."""
    if not expects_worse(cause, effect, sign):
        r.p.warning(
            node.value["side_effect"].where,
            f"side_effect: true, yet sign {sign!r} expects that improving {cause.id!r} "
            f"(direction {cause.direction}) improves {effect.id!r} (direction "
            f"{effect.direction}); a side effect makes its target worse: check the sign "
            "or the key",
            kind="side_effect_sign",
        )


def _links(r: Reader, root: YNode, indicators: dict[str, Indicator]) -> list[Link]:
    result: list[Link] = []
    seen: dict[tuple[str, str], YNode] = {}
    for node in r.sequence(root.value.get("links"), "links"):
        if r.mapping(node, "a link") is None:
            continue
        r.known_keys(node, "links")
        source = reference(r, node, "from", indicators, "indicator", required=True)
        target = reference(r, node, "to", indicators, "indicator", required=True)
        lags = _lags(r, node)
        sign = r.choice(node, "sign", SIGNS, "+")
        rationale = r.text(node, "rationale") or ""
        side_effect = r.flag(node, "side_effect")
        if source is None or target is None or lags is None:
            continue
        if source == target:
            r.p.error(
                node.where,
                f"link from {source!r} to itself: a link joins two different indicators",
                kind="self_link",
            )
            continue
        if (source, target) in seen:
            r.p.error(
                node.where,
                f"duplicate link {source} → {target} (first at "
                f"{seen[(source, target)].spot}); give several lags as a list instead, "
                "lag: [0, 1]",
                kind="duplicate_link",
            )
            continue
        seen[(source, target)] = node
        if side_effect:
            _check_side_effect(r, node, indicators[source], indicators[target], sign)
        result.append(
            Link(source, target, lags, sign, rationale, node.line, side_effect)  # type: ignore[arg-type]
        )
    return result


def _analysis(r: Reader, root: YNode, indicators: dict[str, Indicator]) -> AnalysisOptions:
    node = r.mapping(root.value.get("analysis"), "analysis")
    if node is None:
        return AnalysisOptions()
    r.known_keys(node, "analysis")
    default = AnalysisOptions()
    effects = r.choice(node, "effects", EFFECTS, default.effects)
    estimand = r.choice(node, "estimand", ESTIMANDS, default.estimand)
    alpha = r.number(node, "alpha")
    if alpha is not None and not 0 < alpha < 1:
        r.p.error(
            node.value["alpha"].where,
            f"alpha must lie between 0 and 1, not {alpha:g}",
            kind="range",
        )
    min_effect = r.number(node, "min_effect")
    if min_effect is not None and min_effect <= 0:
        r.p.error(
            node.value["min_effect"].where,
            f"min_effect must be positive (in standard deviations), not {min_effect:g}",
            kind="range",
        )
    controls: list[str] = []
    for item in r.sequence(node.value.get("controls"), "analysis.controls"):
        ident = item.raw.strip() if item.kind == "scalar" else ""
        if ident not in indicators:
            r.p.error(
                item.where,
                f"unknown control indicator {item.raw!r}: controls must be "
                "indicator ids declared under indicators",
                kind="unknown_ref",
            )
        elif ident not in controls:
            controls.append(ident)
    draws = default.bootstrap_draws
    if "bootstrap_draws" in node.value:
        value = r.integer(node.value["bootstrap_draws"], "bootstrap_draws")
        if value is not None and not MIN_BOOTSTRAP_DRAWS <= value <= MAX_BOOTSTRAP_DRAWS:
            r.p.error(
                node.value["bootstrap_draws"].where,
                f"bootstrap_draws must lie between {MIN_BOOTSTRAP_DRAWS} and "
                f"{MAX_BOOTSTRAP_DRAWS}, not {value} (more draws change a p-value only in "
                "digits no one reads, and cost memory and time)",
                kind="range",
            )
        elif value is not None:
            draws = value
    seed = default.seed
    if "seed" in node.value:
        value = r.integer(node.value["seed"], "seed")
        if value is not None and not 0 <= value < 2**63:
            r.p.error(
                node.value["seed"].where,
                "seed must be a whole number from 0 to 2^63 − 1",
                kind="range",
            )
        elif value is not None:
            seed = value
    return AnalysisOptions(
        effects=effects,  # type: ignore[arg-type]
        alpha=alpha if alpha is not None and 0 < alpha < 1 else default.alpha,
        min_effect=min_effect if min_effect is not None and min_effect > 0 else default.min_effect,
        controls=tuple(controls),
        bootstrap_draws=draws,
        seed=seed,
        estimand=estimand,  # type: ignore[arg-type]
    )


def parse_scorecard(text: str, file: str) -> tuple[Scorecard | None, ProblemList]:
    """Check scorecard YAML text and build the model.

    Parameters
    ----------
    text : str
        The YAML document.
    file : str
        Name of the file, used in problem messages.

    Returns
    -------
    scorecard : Scorecard or None
        The model, or ``None`` if any error was found.
    problems : ProblemList
        Every problem found, errors and warnings.
    """
    problems = ProblemList(file)
    root = parse_yaml(text, problems)
    if root is None:
        return None, problems
    return build_scorecard(root, problems, file)


def build_scorecard(
    root: YNode, problems: ProblemList, file: str
) -> tuple[Scorecard | None, ProblemList]:
    """Check a scorecard's value tree (from YAML or from an Excel workbook,
    :mod:`bms_eval.inputs.workbook`) and build the model, recording every problem."""
    r = Reader(problems)
    if root.kind != "map":
        problems.error(
            root.where,
            "the scorecard must be a mapping with the keys scorecard, "
            "perspectives, indicators and links",
            kind="type",
        )
        return None, problems
    r.known_keys(root, "")
    head = r.mapping(root.value.get("scorecard"), "scorecard")
    name, language = Path(file).stem, "en"
    if head is None:
        problems.error(
            root.where,
            "the 'scorecard' block with a name is required "
            + (
                "(a sheet 'scorecard' with a row: name, and the scorecard's name)"
                if root.place
                else '(scorecard: {name: "…"})'
            ),
            kind="missing",
        )
    else:
        r.known_keys(head, "scorecard")
        name = r.text(head, "name", required=True) or name
        language = r.choice(head, "language", LANGUAGES, "en")
    perspectives = _perspectives(r, root)
    goals = _goals(r, root, perspectives)
    factors = _success_factors(r, root, goals)
    indicators = _indicators(r, root, perspectives, goals, factors)
    links = _links(r, root, indicators)
    if not links and "links" not in root.value:
        problems.warning(
            root.where,
            "no links: there are no assumed cause-and-effect arrows to test",
            kind="no_links",
        )
    analysis = _analysis(r, root, indicators)
    if problems.has_errors:
        return None, problems
    card = Scorecard(
        name=name,
        language=language,  # type: ignore[arg-type]
        perspectives=tuple(perspectives.values()),
        indicators=tuple(indicators.values()),
        links=tuple(links),
        goals=tuple(goals.values()),
        success_factors=tuple(factors.values()),
        analysis=analysis,
        source=file,
    )
    return card, problems


def load_scorecard(path: str | Path) -> Scorecard:
    """Read a scorecard file: YAML, or an Excel workbook (``.xlsx``).

    Parameters
    ----------
    path : str or Path
        The ``.yaml``/``.yml`` or ``.xlsx`` file.

    Returns
    -------
    Scorecard
        The checked, frozen model.

    Raises
    ------
    bms_eval.foundation.problems.InputError
        With every problem found (each naming the file, line and key).
    """
    card, problems = check_scorecard(path)
    problems.raise_if_errors()
    assert card is not None
    return card


def check_scorecard(path: str | Path) -> tuple[Scorecard | None, ProblemList]:
    """Read a scorecard file and return the model (or ``None``) with every problem found."""
    file = str(path)
    problems = ProblemList(file)
    suffix = Path(path).suffix.lower()
    if suffix in (".xls", ".xlsm", ".ods"):
        problems.error(
            "",
            f"a {suffix} file cannot be read: save the scorecard as an Excel workbook (.xlsx) "
            "or write it in YAML (bms-eval template scorecard.xlsx gives a starter)",
            kind="io",
        )
        return None, problems
    data = read_bytes(Path(path), problems)
    if data is not None and suffix == ".xlsx":
        root = read_workbook(data, problems)
        if root is None:
            return None, problems
        card, problems = build_scorecard(root, problems, file)
        if card is not None:
            card = dataclasses.replace(card, sha256=hashlib.sha256(data).hexdigest())
        return card, problems
    text = None if data is None else bytes_to_text(data, problems)
    if text is None:
        return None, problems
    card, problems = parse_scorecard(text, file)
    if card is not None:
        card = dataclasses.replace(card, sha256=hashlib.sha256(data).hexdigest())
    return card, problems
