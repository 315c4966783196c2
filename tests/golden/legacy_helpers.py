"""Builders for the hand-written golden data of the older self-evaluation template.

Each builder returns a dict naming EVERY field of its record; the fields the
older template never fills are pinned to None here, explicitly.
"""


def fund(line, offset, label, *, budget, budget_raw, executed=None, executed_raw=None, rate=None, rate_raw=None):
    return {
        "fund_source": "total",
        "source_line": line,
        "fiscal_year_offset": offset,
        "amount_unit": "元",
        "budget_initial_yuan": None,
        "budget_initial_raw": None,
        "budget_full_year_yuan": budget,
        "budget_full_year_raw": budget_raw,
        "executed_yuan": executed,
        "executed_raw": executed_raw,
        "execution_rate_reported_pct": rate,
        "execution_rate_raw": rate_raw,
        "weight": None,
        "weight_raw": None,
        "score": None,
        "score_raw": None,
        "label_raw": label,
    }


def indicator(seq, line, level1, level1_raw, name, description, weight, score, *, line_end=None, remark=None):
    return {
        "seq": seq,
        "name": name,
        "source_line": line,
        "level1": level1,
        "level2": None,
        "level1_raw": level1_raw,
        "level2_raw": None,
        "description": description,
        "target_raw": None,
        "target_operator": None,
        "target_value": None,
        "target_unit": None,
        "actual_raw": None,
        "actual_operator": None,
        "actual_value": None,
        "actual_unit": None,
        "achievement": None,
        "weight": weight,
        "weight_raw": weight,
        "score": score,
        "score_raw": score,
        "deviation_reason": None,
        "remark": remark,
        "source_line_end": line_end,
    }


def score(component, line, *, max_points, weight_sum, score_sum, reported=None, reported_raw=None):
    return {
        "component": component,
        "source_line": line,
        "max_points": max_points,
        "weight_sum": weight_sum,
        "score_sum": score_sum,
        "reported_score": reported,
        "reported_score_raw": reported_raw,
    }
