"""Parse accuracy: the built tables against the generator's ground truth.

A *fact* is one checked field of one truth record (a project header field, a
fund amount, an indicator's level-1 label, a score component's points...).
Accuracy = facts the tables hold exactly right / facts generated, where a
record the parser invented (an indicator or fund row with amounts that the
report does not have, a project that is not there) adds its fields to the
denominator as wrong facts.

Comparison rules, kept deliberately strict:

* numbers compare as exact decimals (``9.00`` equals ``9``, ``8.86`` never equals ``8.87``);
* text compares after nothing but treating ``""`` and null alike (the truth is already clean);
* units fold ``百分比`` / ``％`` to ``%`` (the data dictionary treats them as one unit);
* ``source_line`` is not a fact here; its agreement is reported on its own.

Records are matched by position: projects by their order in the file,
indicators by a longest-common-subsequence alignment of names (so one missing
or extra row does not make every later row wrong), funds by (source, year),
scores by component.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.records import COMPONENT_BUDGET, COMPONENT_TOTAL, ProjectReport
from pipeline.synthetic.corpus import GeneratedFile
from pipeline.vocabulary import TEMPLATE_CURRENT, TEMPLATE_LEGACY, TEMPLATE_TARGET

_COMMON = ("report_type", "template", "fiscal_year", "project_name", "department", "implementing_unit")
PROJECT_FIELDS = {
    TEMPLATE_CURRENT: _COMMON + ("total_score", "grade", "goal_expected", "goal_actual"),
    TEMPLATE_LEGACY: _COMMON + ("division", "is_recurring", "evaluation_date", "total_score", "grade", "goal_expected",
                                "main_results", "main_problems", "improvement_measures"),
    TEMPLATE_TARGET: _COMMON + ("project_category", "performance_type", "includes_government_purchase",
                                "planned_start_date", "planned_end_date", "project_overview", "legal_basis", "necessity",
                                "implementation_measures", "implementation_plan", "overall_and_phase_goals",
                                "project_total_budget_yuan"),
}
FUND_FIELDS = ("amount_unit", "budget_initial_yuan", "budget_full_year_yuan", "executed_yuan",
               "execution_rate_reported_pct", "weight", "score")
FUND_AMOUNTS = ("budget_initial_yuan", "budget_full_year_yuan", "executed_yuan")
INDICATOR_FIELDS = ("seq", "level1", "level2", "name", "description", "target_raw", "target_operator", "target_value",
                    "target_unit", "actual_raw", "actual_value", "actual_unit", "achievement", "weight", "score",
                    "deviation_reason")


def score_fields(template: str, component: str) -> tuple[str, ...]:
    """The fields of a score component the truth pins (the rest are the parser's business)."""
    if component in (COMPONENT_BUDGET, COMPONENT_TOTAL):
        return ("max_points", "reported_score")
    if template == TEMPLATE_LEGACY:
        return ("max_points", "weight_sum", "score_sum")
    return ("weight_sum", "score_sum")


_PERCENT = {"百分比": "%", "％": "%"}


def _norm(name: str, value):
    if value == "" or value is None:
        return None
    if name.endswith("_unit"):
        return _PERCENT.get(value, value)
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):  # never expected; compare exactly all the same
        return Decimal(str(value)).normalize()
    return value


@dataclass
class Tally:
    """Correct / total facts, by (family, table, field) and by layout quirk, with examples of misses."""

    correct: int = 0
    total: int = 0
    by_field: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_family: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_quirk: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    missing: Counter = field(default_factory=Counter)
    spurious: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    lines: list = field(default_factory=lambda: [0, 0])  # indicator source_line agreement
    rejection_reasons: Counter = field(default_factory=Counter)
    max_examples: int = 3

    def fact(self, family: str, table: str, name: str, expected, got, quirks: set[str], where: str) -> None:
        ok = _norm(name, expected) == _norm(name, got)
        for bucket in (self.by_field[(family, table, name)], self.by_family[family]):
            bucket[0] += ok
            bucket[1] += 1
        for quirk in quirks or {"(none)"}:
            self.by_quirk[quirk][0] += ok
            self.by_quirk[quirk][1] += 1
        self.correct += ok
        self.total += 1
        if not ok:
            found = self.examples.setdefault((family, table, name), [])
            if len(found) < self.max_examples:
                found.append({"where": where, "expected": _show(expected), "got": _show(got)})

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


def _show(value) -> str:
    text = "null" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def rows_for(tables: dict[str, pa.Table], source_files: list[str]) -> dict[str, list[dict]]:
    """The rows of the tidy tables (and rejections) that came from ``source_files``."""
    wanted = pa.array(source_files, type=pa.string())
    out = {}
    for name in ("projects", "funds", "indicators", "scores", "rejections"):
        table = tables.get(name)
        if table is None:
            out[name] = []
            continue
        mask = pc.is_in(table.column("source_file"), value_set=wanted)
        out[name] = table.filter(mask).to_pylist()
    return out


def compare(files: list[GeneratedFile], tables: dict[str, pa.Table], max_examples: int = 3,
            exclude_quirks: frozenset[str] = frozenset()) -> Tally:
    """Tally every generated fact of ``files`` against the built tables.

    Reports carrying one of ``exclude_quirks`` are left out (to measure the rest apart from a known gap).
    """
    rows = rows_for(tables, [f.source_file for f in files])
    projects = defaultdict(list)
    for p in rows["projects"]:
        projects[p["source_file"]].append(p)
    children = {name: defaultdict(list) for name in ("funds", "indicators", "scores")}
    for name, by_pid in children.items():
        for r in rows[name]:
            by_pid[r["project_id"]].append(r)
    tally = Tally(max_examples=max_examples)
    for generated in files:
        parsed = sorted(projects.get(generated.source_file, []), key=lambda p: p["source_line"])
        for truth, quirks, got in _pair_projects(generated, parsed, tally):
            if quirks & exclude_quirks:
                continue
            where = f"{generated.source_file}:{truth.project.source_line}"
            if got is None:
                _tally_report(tally, truth, quirks, None, {}, where)
            else:
                kids = {name: by_pid.get(got["project_id"], []) for name, by_pid in children.items()}
                _tally_report(tally, truth, quirks, got, kids, where)
    tally.rejection_reasons = Counter(r["reason"] for r in rows["rejections"])
    return tally


def _pair_projects(generated: GeneratedFile, parsed: list[dict], tally: Tally):
    """(truth report, quirks, parsed project row or None); extra parsed projects are tallied as spurious."""
    truths = list(zip(generated.reports, generated.quirks))
    if len(parsed) == len(truths):
        return [(t, q, p) for (t, q), p in zip(truths, parsed)]
    matcher = difflib.SequenceMatcher(None, [t.project.project_name for t, _ in truths],
                                      [p["project_name"] for p in parsed], autojunk=False)
    pairs: dict[int, dict] = {}
    used = set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            pairs[block.a + k] = parsed[block.b + k]
            used.add(block.b + k)
    for j, p in enumerate(parsed):
        if j not in used:
            tally.spurious["projects"] += 1
            family = p.get("template") or "?"
            for name in PROJECT_FIELDS.get(family, _COMMON):
                tally.fact(family, "projects", name, None, p.get(name), {"spurious_project"}, generated.source_file)
    return [(t, q, pairs.get(i)) for i, (t, q) in enumerate(truths)]


def _tally_report(tally: Tally, truth: ProjectReport, quirks: set[str], got: dict | None, kids: dict, where: str) -> None:
    family = truth.project.template
    if got is None:
        tally.missing["projects"] += 1
    for name in PROJECT_FIELDS[family]:
        tally.fact(family, "projects", name, getattr(truth.project, name), (got or {}).get(name), quirks, where)
    _tally_funds(tally, truth, quirks, kids.get("funds", []), where)
    _tally_indicators(tally, truth, quirks, kids.get("indicators", []), where)
    _tally_scores(tally, truth, quirks, kids.get("scores", []), where)


def _tally_funds(tally: Tally, truth: ProjectReport, quirks: set[str], parsed: list[dict], where: str) -> None:
    family, year = truth.project.template, truth.project.fiscal_year
    by_key = {(r["fund_source"], r["fiscal_year"]): r for r in parsed}
    for fund in truth.funds:
        key = (fund.fund_source, year + fund.fiscal_year_offset)
        got = by_key.pop(key, None)
        if got is None:
            tally.missing["funds"] += 1
        for name in FUND_FIELDS:
            tally.fact(family, "funds", name, getattr(fund, name), (got or {}).get(name), quirks, f"{where} fund {key}")
    for key, extra in by_key.items():
        if any(extra.get(name) is not None for name in FUND_AMOUNTS):
            tally.spurious["funds"] += 1
            for name in FUND_FIELDS:
                tally.fact(family, "funds", name, None, extra.get(name), quirks, f"{where} spurious fund {key}")


def _tally_indicators(tally: Tally, truth: ProjectReport, quirks: set[str], parsed: list[dict], where: str) -> None:
    family = truth.project.template
    parsed = sorted(parsed, key=lambda r: r["seq"])
    if len(parsed) == len(truth.indicators):
        pairs = list(zip(truth.indicators, parsed))
        extras: list[dict] = []
    else:
        pairs, extras = _align_indicators(truth, parsed)
    for ind, got in pairs:
        if got is None:
            tally.missing["indicators"] += 1
        else:
            tally.lines[0] += ind.source_line == got.get("source_line")
            tally.lines[1] += 1
        for name in INDICATOR_FIELDS:
            tally.fact(family, "indicators", name, getattr(ind, name), (got or {}).get(name), quirks,
                       f"{where} indicator {ind.seq} (line {ind.source_line})")
    for extra in extras:
        tally.spurious["indicators"] += 1
        for name in INDICATOR_FIELDS:
            tally.fact(family, "indicators", name, None, extra.get(name), quirks,
                       f"{where} spurious indicator (line {extra.get('source_line')})")


def _align_indicators(truth: ProjectReport, parsed: list[dict]) -> tuple[list, list[dict]]:
    """Pairs (truth, parsed or None) by a name alignment; rows between matches pair up in order."""
    matcher = difflib.SequenceMatcher(None, [i.name for i in truth.indicators], [p["name"] for p in parsed],
                                      autojunk=False)
    matched: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            matched[block.a + k] = block.b + k
    free = sorted(set(range(len(parsed))) - set(matched.values()))
    for i in range(len(truth.indicators)):
        if i in matched:
            continue
        lower = max((b for a, b in matched.items() if a < i), default=-1)
        upper = min((b for a, b in matched.items() if a > i), default=len(parsed))
        between = [j for j in free if lower < j < upper]
        if between:
            matched[i] = between[0]
            free.remove(between[0])
    pairs = [(ind, parsed[matched[i]] if i in matched else None) for i, ind in enumerate(truth.indicators)]
    return pairs, [parsed[j] for j in free]


def _tally_scores(tally: Tally, truth: ProjectReport, quirks: set[str], parsed: list[dict], where: str) -> None:
    family = truth.project.template
    by_component = {r["component"]: r for r in parsed}
    for score in truth.scores:
        got = by_component.get(score.component)
        if got is None:
            tally.missing["scores"] += 1
        for name in score_fields(family, score.component):
            tally.fact(family, "scores", name, getattr(score, name), (got or {}).get(name), quirks,
                       f"{where} score {score.component}")


def summary(tally: Tally, limit: int = 25) -> dict:
    """A JSON-ready digest: overall and per-family accuracy, the worst fields and quirks, examples."""
    def frac(pair):
        return round(pair[0] / pair[1], 6) if pair[1] else None

    fields = sorted(((k, v) for k, v in tally.by_field.items() if v[0] < v[1]), key=lambda kv: kv[1][0] / kv[1][1])
    return {
        "accuracy": round(tally.accuracy, 6),
        "facts": tally.total,
        "facts_correct": tally.correct,
        "by_family": {k: frac(v) for k, v in sorted(tally.by_family.items())},
        "by_quirk": {k: frac(v) for k, v in sorted(tally.by_quirk.items(), key=lambda kv: kv[1][0] / kv[1][1])},
        "missing_records": dict(tally.missing),
        "spurious_records": dict(tally.spurious),
        "indicator_source_line_agreement": frac(tally.lines),
        "rejection_reasons": dict(tally.rejection_reasons.most_common(10)),
        "worst_fields": [
            {"family": f, "table": t, "field": n, "accuracy": frac(v), "wrong": v[1] - v[0],
             "examples": tally.examples.get((f, t, n), [])}
            for (f, t, n), v in fields[:limit]
        ],
    }
