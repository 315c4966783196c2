"""The data dictionary: every warehouse table and column, defined once.

From this single definition come the pyarrow schemas the Parquet files are
written with, the DuckDB ``COMMENT ON`` statements, the Dagster column schema
and ``docs/data-dictionary.md``. Add a column here and everything follows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

MONEY = pa.decimal128(20, 2)  # 元, exact
PERCENT = pa.decimal128(12, 4)  # percent as printed (99.84 means 99.84 %)
RATE = pa.decimal128(16, 8)  # computed percent, 8 decimals (documented rounding)
POINTS = pa.decimal128(12, 4)  # weights and scores
VALUE = pa.decimal128(28, 8)  # indicator target / actual numbers
CATEGORY = pa.dictionary(pa.int32(), pa.string())
TEXT = pa.string()
LINE = pa.int32()


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str  # English
    label_zh: str  # the Chinese label used in the reports
    unit: str = ""
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    label_zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        fields = []
        for col in self.columns:
            meta = {"meaning": col.meaning, "label_zh": col.label_zh, "unit": col.unit}
            fields.append(
                pa.field(col.name, col.type, nullable=col.nullable, metadata={k: v.encode() for k, v in meta.items()})
            )
        return pa.schema(fields, metadata={"table": self.name, "meaning": self.meaning, "label_zh": self.label_zh})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column

_PROVENANCE = (
    C("source_file", TEXT, "raw file the row was parsed from, relative to data/raw/", "来源文件", nullable=False),
    C("source_line", LINE, "1-based line of the raw file the row starts on", "来源行号", nullable=False),
)

PROJECTS = Table(
    "projects",
    "one row per project report (self-evaluation or performance target table)",
    "项目",
    ("project_id",),
    (
        C("project_id", TEXT, "stable identifier of the project report", "项目标识", nullable=False),
        C("report_type", CATEGORY, "self_evaluation or performance_target", "报告类型", nullable=False),
        C("template", CATEGORY, "report template family", "模板", nullable=False),
        C("fiscal_year", pa.int16(), "fiscal year the report covers", "年度", "year"),
        C("fiscal_year_source", CATEGORY, "where fiscal_year came from: document, manifest or evaluation_date", "年度来源"),
        C("agency", TEXT, "publishing agency (manifest)", "发布部门"),
        C("source_url", TEXT, "where the raw report was downloaded (manifest)", "来源网址"),
        C("title", TEXT, "report title as printed", "标题"),
        C("project_name", TEXT, "project name", "项目名称", nullable=False),
        C("department", TEXT, "supervising department", "主管部门"),
        C("implementing_unit", TEXT, "implementing / budget / applying unit", "实施单位/预算单位/申报单位名称"),
        C("division", TEXT, "division inside the unit", "具体实施处（科室）"),
        C("is_recurring", pa.bool_(), "recurring project", "是否为经常性项目"),
        C("project_category", TEXT, "project category", "项目类别"),
        C("performance_type", TEXT, "performance type", "绩效类型"),
        C("includes_government_purchase", pa.bool_(), "includes government-purchased services", "是否含有政府购买服务"),
        C("planned_start_date", pa.date32(), "planned start date", "计划开始日期"),
        C("planned_end_date", pa.date32(), "planned completion date", "计划完成日期"),
        C("evaluation_date", pa.date32(), "date of the self-evaluation", "自评时间"),
        C("total_score", POINTS, "total score as printed", "总分/合计得分", "points"),
        C("total_score_raw", TEXT, "total score, raw text", "总分（原文）"),
        C("total_max_points", POINTS, "points available in total as printed", "总分值", "points"),
        C("grade", CATEGORY, "grade as printed", "评分等级/绩效等级"),
        C("grade_bands", TEXT, "grade bands printed in the report", "等级说明"),
        C("goal_expected", TEXT, "annual goal: expected", "年度总体目标-预期目标/项目年度总目标"),
        C("goal_actual", TEXT, "annual goal: actually achieved", "年度总体目标-实际完成情况"),
        C("main_results", TEXT, "main results", "主要绩效"),
        C("main_problems", TEXT, "main problems", "主要问题"),
        C("improvement_measures", TEXT, "improvement measures", "改进措施"),
        C("project_overview", TEXT, "project overview", "项目概况"),
        C("legal_basis", TEXT, "basis for setting up the project", "立项依据"),
        C("necessity", TEXT, "why the project is needed", "项目设立的必要性"),
        C("implementation_measures", TEXT, "rules and measures that secure implementation", "保证项目实施的制度、措施"),
        C("implementation_plan", TEXT, "implementation plan", "项目实施计划"),
        C("overall_and_phase_goals", TEXT, "overall and phase goals", "总目标及阶段性目标"),
        C("project_total_budget_yuan", MONEY, "total project budget", "项目总预算", "元"),
        C("project_total_budget_raw", TEXT, "total project budget, raw text", "项目总预算（原文）"),
        C("notes", TEXT, "notes printed with the report", "说明"),
        *_PROVENANCE,
    ),
)

FUNDS = Table(
    "funds",
    "one row per project x fiscal year x fund source",
    "项目资金",
    ("project_id", "fiscal_year", "fund_source"),
    (
        C("project_id", TEXT, "project report the row belongs to", "项目标识", nullable=False),
        C("fiscal_year", pa.int16(), "fiscal year of the amounts (last year's figures: report year - 1)", "年度", "year"),
        C("fund_source", CATEGORY, "total, current_appropriation, prior_carryover or other", "资金来源", nullable=False),
        C("label_raw", TEXT, "row label as printed", "资金来源（原文）"),
        C("amount_unit", CATEGORY, "unit the amounts were printed in (converted to 元 here)", "原文金额单位"),
        C("budget_initial_yuan", MONEY, "initial budget", "年初预算数", "元"),
        C("budget_initial_raw", TEXT, "initial budget, raw text", "年初预算数（原文）"),
        C("budget_full_year_yuan", MONEY, "full-year (adjusted) budget", "全年预算数/当年预算数", "元"),
        C("budget_full_year_raw", TEXT, "full-year budget, raw text", "全年预算数（原文）"),
        C("executed_yuan", MONEY, "amount executed", "全年执行数/预算执行数", "元"),
        C("executed_raw", TEXT, "amount executed, raw text", "全年执行数（原文）"),
        C("execution_rate_reported_pct", PERCENT, "execution rate as printed", "执行率", "%"),
        C("execution_rate_raw", TEXT, "execution rate, raw text", "执行率（原文）"),
        C("execution_rate_pct", RATE, "execution rate computed = executed / full-year budget x 100, rounded half-even to 8 decimals", "执行率（计算）", "%"),
        C("weight", POINTS, "points available for budget execution", "分数/分值", "points"),
        C("weight_raw", TEXT, "points available, raw text", "分值（原文）"),
        C("score", POINTS, "points earned for budget execution", "得分", "points"),
        C("score_raw", TEXT, "points earned, raw text", "得分（原文）"),
        *_PROVENANCE,
    ),
)

INDICATORS = Table(
    "indicators",
    "one row per performance indicator",
    "绩效指标",
    ("project_id", "seq"),
    (
        C("project_id", TEXT, "project report the indicator belongs to", "项目标识", nullable=False),
        C("seq", pa.int16(), "position of the indicator in its report, from 1", "序号", nullable=False),
        C("level1", CATEGORY, "level-1 category (canonical)", "一级指标/一级目标"),
        C("level2", CATEGORY, "level-2 category (canonical); empty in the older self-evaluation template, "
          "and where a report prints no level-2 label (parse note level2_missing)", "二级指标/二级目标"),
        C("level1_raw", TEXT, "level-1 label as printed", "一级指标（原文）"),
        C("level2_raw", TEXT, "level-2 label as printed", "二级指标（原文）"),
        C("name", TEXT, "indicator name", "三级指标/指标名称", nullable=False),
        C("description", TEXT, "indicator definition", "指标解释"),
        C("target_raw", TEXT, "target value as printed", "年度指标值/指标目标值"),
        C("target_operator", CATEGORY, "target operator: ≥ ≤ = > < or null", "目标运算符"),
        C("target_value", VALUE, "target number", "目标数值"),
        C("target_unit", CATEGORY, "target unit", "目标单位"),
        C("actual_raw", TEXT, "actual value as printed", "实际完成值"),
        C("actual_operator", CATEGORY, "operator printed with the actual value", "实际值运算符"),
        C("actual_value", VALUE, "actual number", "实际数值"),
        C("actual_unit", CATEGORY, "actual unit", "实际单位"),
        C("achievement", CATEGORY, "status phrase of the actual: achieved, partially_achieved, not_achieved", "完成状态"),
        C("weight", POINTS, "points available", "分值/权重", "points"),
        C("weight_raw", TEXT, "points available, raw text", "分值（原文）"),
        C("score", POINTS, "points earned", "得分/自评分", "points"),
        C("score_raw", TEXT, "points earned, raw text", "得分（原文）"),
        C("deviation_reason", TEXT, "reason for deviation", "偏差原因分析"),
        C("remark", TEXT, "remarks", "备注"),
        *_PROVENANCE,
        C("source_line_end", LINE, "last raw line of the indicator when it wrapped or broke across a page", "结束行号"),
    ),
)

SCORES = Table(
    "scores",
    "one row per project x scoring component (budget_execution, each level-1 group, total)",
    "评分",
    ("project_id", "component"),
    (
        C("project_id", TEXT, "project report", "项目标识", nullable=False),
        C("component", CATEGORY, "budget_execution, a level-1 group, or total", "评分项", nullable=False),
        C("max_points", POINTS, "points declared for the component", "分值", "points"),
        C("weight_sum", POINTS, "sum of the weights of the component's rows", "权重合计", "points"),
        C("score_sum", POINTS, "sum of the scores of the component's rows", "得分合计", "points"),
        C("reported_score", POINTS, "score printed for the component", "得分（报告）", "points"),
        C("reported_score_raw", TEXT, "printed score, raw text", "得分（原文）"),
        *_PROVENANCE,
    ),
)

SOURCE_FILES = Table(
    "source_files",
    "one row per raw file found under data/raw/",
    "源文件",
    ("source_file",),
    (
        C("source_file", TEXT, "path relative to data/raw/", "来源文件", nullable=False),
        C("sha256", TEXT, "SHA-256 of the raw bytes", "哈希"),
        C("bytes", pa.int64(), "file size", "字节数", "bytes"),
        C("encoding", CATEGORY, "text encoding detected", "编码"),
        C("report_family", CATEGORY, "report family detected", "报告类型"),
        C("status", CATEGORY, "parsed, quarantined or duplicate", "状态", nullable=False),
        C("reason", TEXT, "why the file was quarantined, or which file it duplicates", "原因"),
        C("reason_line", LINE, "line the reason refers to", "原因行号"),
        C("duplicate_of", TEXT, "the file this one repeats", "重复于"),
        C("projects", pa.int32(), "how many project reports the file gave", "项目数"),
        C("rejected_projects", pa.int32(), "how many project reports in the file were rejected", "拒收项目数"),
    ),
)

REJECTIONS = Table(
    "rejections",
    "one row per project report inside a file that could not be parsed",
    "拒收记录",
    ("source_file", "source_line"),
    (
        C("source_file", TEXT, "raw file", "来源文件", nullable=False),
        C("source_line", LINE, "line where the rejected report starts", "来源行号", nullable=False),
        C("report_family", CATEGORY, "report family detected", "报告类型"),
        C("reason", TEXT, "why it was rejected", "原因", nullable=False),
        C("reason_line", LINE, "line the reason refers to", "原因行号"),
    ),
)

PARSE_NOTES = Table(
    "parse_notes",
    "layout repairs and observations made while parsing, one row each",
    "解析说明",
    ("project_id", "code", "source_line"),
    (
        C("project_id", TEXT, "project report", "项目标识", nullable=False),
        C("code", CATEGORY, "what was repaired or noticed", "代码", nullable=False),
        C("message", TEXT, "explanation", "说明"),
        *_PROVENANCE,
    ),
)

QUALITY_FINDINGS = Table(
    "quality_findings",
    "row-level findings of the source-consistency checks: where a report does not add up",
    "质量检查结果",
    ("check_name", "project_id", "table_name", "row_key"),
    (
        C("check_name", CATEGORY, "stable snake_case name of the check", "检查项", nullable=False),
        C("severity", CATEGORY, "error, warning or info", "严重程度", nullable=False),
        C("table_name", CATEGORY, "table the finding concerns", "表名", nullable=False),
        C("project_id", TEXT, "project report concerned", "项目标识"),
        C("row_key", TEXT, "key of the row concerned inside table_name", "行键"),
        C("observed", TEXT, "what the report says", "实际值"),
        C("expected", TEXT, "what it should say", "期望值"),
        C("message", TEXT, "explanation", "说明"),
        C("source_file", TEXT, "raw file", "来源文件"),
        C("source_line", LINE, "raw line", "来源行号"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (PROJECTS, FUNDS, INDICATORS, SCORES, SOURCE_FILES, REJECTIONS, PARSE_NOTES, QUALITY_FINDINGS)
}
