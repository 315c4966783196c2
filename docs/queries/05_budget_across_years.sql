-- Question: How did the same project's budget develop across years?
-- 问题：同一项目历年的预算和执行情况如何变化？
--
-- Matching rule (the view project_lineage): project names drift between years, e.g.
-- 2019 '12333热线全媒体智能咨询平台项目经费' and 2020 '12333热线咨询平台项目经费'. A report
-- is linked to an earlier report of the same implementing unit (same agency when a unit is
-- missing) on the strongest evidence found:
--   printed_last_year_figures  it prints last year's budget (同名项目上年预算额 / 上年预算金额)
--                              equal to the earlier report's own budget (2020 target table:
--                              70,785,200 元 = the 2019 self-evaluation's 当年预算数);
--   same_name                  the same name once spaces and a trailing 项目/专项 + 经费/资金
--                              are dropped;
--   same_goal_text             the same stated annual goal, word for word;
--   similar_name               80 % of the shorter name's character pairs occur in the other.
-- Only the nearest earlier report is linked, and only when each is the other's best match.
-- Years without a report of their own come from the next report's printed last-year figures
-- (figure_source = printed_as_last_year). Only lineages covering two or more years are listed.
-- Two reports of one lineage with the same year and type are taken in project_id order.
-- The view holds both a lineage's year count (lineage_years) and each row's change against the
-- previous one (budget_change_pct), so the question only filters and orders it.
--
-- Columns:
--   lineage_name           project name in the latest report of the lineage (沿革名称)
--   fiscal_year            fiscal year of the amounts (年度)
--   figure_source          own_report or printed_as_last_year (数据来源)
--   report_type            self_evaluation or performance_target (报告类型); null for printed rows
--   project_name           name as printed that year (项目名称); null for printed rows
--   budget_full_year_yuan  full-year budget in 元 (全年预算数 / 项目当年预算 / 上年预算金额)
--   executed_yuan          amount executed in 元 (全年执行数), when printed
--   budget_change_pct      change of the budget against the previous row of the lineage, in %
--                          (预算变动率; exact, half-even to 2 decimals; null after a budget of 0)
--   link_rule              why this year's report was linked to the previous one (关联依据)
SELECT
    h.lineage_name,
    h.fiscal_year,
    h.figure_source,
    h.report_type,
    h.project_name,
    h.budget_full_year_yuan,
    h.executed_yuan,
    h.budget_change_pct,
    h.link_rule
FROM project_budget_history h
WHERE h.lineage_years >= 2
ORDER BY h.lineage_name, h.lineage_id, h.fiscal_year, h.report_type NULLS FIRST, h.project_id;
