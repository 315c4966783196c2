"""Building blocks shared by the hand-written goldens of the current template (seeds 000, 003)."""

OUT, EFF, SAT = "产出指标", "效益指标", "满意度指标"
QTY, QUA, TIM, COST = "数量指标", "质量指标", "时效指标", "成本指标"
SOC, SUS, SRV = "社会效益指标", "可持续影响指标", "服务对象满意度指标"
A, P = "achieved", "partially_achieved"
MET = "达成指标"
PART = "部分达成指标并具有一定效果"


def project(*, title, department, unit, fiscal_year, fiscal_year_source, name, line, total, expected, actual):
    """The project fields a current-template self-evaluation prints (the rest are None)."""
    return {
        "report_type": "self_evaluation",
        "template": "self_evaluation_2021",
        "project_name": name,
        "source_line": line,
        "title": title,
        "fiscal_year": fiscal_year,
        "fiscal_year_source": fiscal_year_source,
        "department": department,
        "implementing_unit": unit,
        "total_score": total,
        "total_score_raw": total,
        "total_max_points": "100",
        "grade": "优",
        "goal_expected": expected,
        "goal_actual": actual,
    }
