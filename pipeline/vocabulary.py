"""The closed vocabularies of the report templates (see shared DOMAIN-RULES §3).

Labels are matched on ``label_key`` so full-width/half-width and spacing
variants fold together; the canonical Chinese label is what gets stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.text import label_key

# --- templates -------------------------------------------------------------

TEMPLATE_CURRENT = "self_evaluation_2021"
TEMPLATE_LEGACY = "self_evaluation_legacy"
TEMPLATE_TARGET = "performance_target"

REPORT_SELF_EVALUATION = "self_evaluation"
REPORT_PERFORMANCE_TARGET = "performance_target"

# --- level-1 / level-2 categories -----------------------------------------

#: Current (2021+) self-evaluation template: level-1 -> its level-2 labels.
CURRENT_TREE: dict[str, tuple[str, ...]] = {
    "产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}

#: Shanghai template up to 2020 (older self-evaluation and target tables).
LEGACY_TREE: dict[str, tuple[str, ...]] = {
    "投入与管理": ("投入管理", "财务管理", "实施管理", "资产管理"),
    "产出目标": ("数量", "质量", "时效", "成本"),
    "效果目标": ("社会效益", "经济效益", "生态效益", "满意度"),
    "影响力目标": ("长效管理", "人力资源"),
}

#: Target tables print either vocabulary: Shanghai's up to 2020 or the national one.
TARGET_TREE: dict[str, tuple[str, ...]] = {**LEGACY_TREE, **CURRENT_TREE}

TREES = {TEMPLATE_CURRENT: CURRENT_TREE, TEMPLATE_LEGACY: LEGACY_TREE, TEMPLATE_TARGET: TARGET_TREE}


def only_level2(tree: dict[str, tuple[str, ...]], level1: str) -> str | None:
    """The level-2 category of ``level1`` when it has exactly one (what a row printed with
    that level-1 label and no level-2 label can only be), else None: nothing is guessed."""
    children = tree.get(level1, ())
    return children[0] if len(children) == 1 else None


def level2_paths(template: str) -> tuple[str, ...]:
    """Every ``level1|level2`` the template's indicators may carry. The older self-evaluation
    template has no level 2 (``level1|``). The others print a level-2 label under each
    level-1 label; an indicator whose row prints none keeps level 2 empty (``level1|``,
    noted ``level2_missing`` by the parse): nothing is guessed."""
    tree = TREES[template]
    if template == TEMPLATE_LEGACY:
        return tuple(f"{level1}|" for level1 in tree)
    return tuple(f"{level1}|{level2}" for level1, children in tree.items() for level2 in (*children, ""))


def _aliases(label: str, tree_is_current: bool) -> set[str]:
    keys = {label_key(label)}
    if tree_is_current and label.endswith("指标"):
        keys.add(label_key(label[: -len("指标")]))
    return keys


def _build_index(tree: dict[str, tuple[str, ...]], current: bool) -> tuple[dict[str, str], dict[str, str]]:
    level1: dict[str, str] = {}
    level2: dict[str, str] = {}
    for parent, children in tree.items():
        for key in _aliases(parent, current):
            level1[key] = parent
        for child in children:
            for key in _aliases(child, current):
                level2[key] = child
    return level1, level2


_INDEX = {name: _build_index(tree, name == TEMPLATE_CURRENT) for name, tree in TREES.items()}
_GROUP_POINTS = re.compile(r"^(?P<label>.+?)[(（]\s*(?P<points>\d+(?:\.\d+)?)\s*分\s*[)）]$")


#: The lookups below are pure and asked again for every row: cached per distinct text.
_CACHE_SIZE = 1 << 15


@lru_cache(maxsize=_CACHE_SIZE)
def level1_label(text: str, template: str) -> str | None:
    """The canonical level-1 label ``text`` names in ``template``, if any."""
    return _INDEX[template][0].get(label_key(split_group_points(text)[0]))


@lru_cache(maxsize=_CACHE_SIZE)
def level2_label(text: str, template: str) -> str | None:
    """The canonical level-2 label ``text`` names in ``template``, if any."""
    return _INDEX[template][1].get(label_key(text))


def parent_of(level2: str, template: str) -> str | None:
    """The level-1 category a canonical level-2 label belongs to."""
    for parent, children in TREES[template].items():
        if level2 in children:
            return parent
    return None


@lru_cache(maxsize=_CACHE_SIZE)
def split_group_points(text: str) -> tuple[str, str | None]:
    """``投入与管理 (36分)`` -> (``投入与管理``, ``36``); other text unchanged."""
    match = _GROUP_POINTS.match(label_key(text))
    if not match:
        return text, None
    return match.group("label"), match.group("points")


# --- actual-value status phrases --------------------------------------------

ACHIEVED = "achieved"
PARTIALLY_ACHIEVED = "partially_achieved"
NOT_ACHIEVED = "not_achieved"

#: score/weight band of each status (DOMAIN-RULES §1), as (low, high, high_inclusive).
STATUS_BANDS = {
    ACHIEVED: ("0.8", "1", True),
    PARTIALLY_ACHIEVED: ("0.6", "0.8", False),
    NOT_ACHIEVED: ("0", "0.6", False),
}


@lru_cache(maxsize=_CACHE_SIZE)
def achievement_status(text: str | None) -> str | None:
    """Normalize 达成(年度)指标 / 部分达成… / 未达成… to a status code."""
    key = label_key(text)
    if not key:
        return None
    if key.startswith("未达成"):
        return NOT_ACHIEVED
    if key.startswith("部分达成"):
        return PARTIALLY_ACHIEVED
    if key in {"达成指标", "达成年度指标", "已达成", "达成"}:
        return ACHIEVED
    return None


# --- operators, units, misspellings ------------------------------------------

OPERATORS = ("≥", "≤", "=", ">", "<")

KNOWN_UNITS = {
    "%", "百分比", "人", "件", "次", "份", "本", "期次", "小时", "分钟", "万元",
    "元", "天", "个", "人次", "户", "台", "套", "平方米", "公里", "亩", "分",
}

#: Misspellings seen in the wild and their standard form (kept raw beside it).
MISSPELLINGS = {"建全": "健全"}

# --- grades -------------------------------------------------------------------

#: National bands for templates from 2021 on: (lower bound inclusive, grade).
NATIONAL_GRADE_BANDS = (("90", "优"), ("80", "良"), ("60", "中"), ("0", "差"))
#: Shanghai bands printed on the template up to 2020.
LEGACY_GRADE_BANDS = (("90", "优秀"), ("75", "良好"), ("60", "合格"), ("0", "不合格"))
