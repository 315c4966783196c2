-- Question: Which projects executed less than 90 % of their budget?
-- 问题：哪些项目的预算执行率低于 90%？
--
-- The rate is recomputed from the amounts: executed / full-year (adjusted) budget x 100
-- (全年执行数 / 全年预算数), the denominator the rules prescribe, not the initial budget.
-- Reports print the rate truncated or rounded to 2 decimals; both are shown.
-- Target tables (绩效目标表) have no executed amount and never appear here.
--
-- Columns:
--   agency                       publishing agency (manifest), else the supervising department (主管部门)
--   fiscal_year                  fiscal year of the report (年度)
--   implementing_unit            implementing / budget unit (实施单位 / 预算单位)
--   project_name                 project name as printed (项目名称)
--   budget_full_year_yuan        full-year budget in 元 (全年预算数)
--   executed_yuan                amount executed in 元 (全年执行数)
--   execution_rate_pct           executed / budget x 100, 8 decimals (执行率, computed)
--   execution_rate_reported_pct  execution rate as printed (执行率, as printed)
--   total_score                  total self-evaluation score (总分)
--   grade                        grade as printed (评分等级 / 绩效等级)
SELECT
    coalesce(o.agency, o.department) AS agency,
    o.fiscal_year,
    o.implementing_unit,
    o.project_name,
    o.budget_full_year_yuan,
    o.executed_yuan,
    o.execution_rate_pct,
    o.execution_rate_reported_pct,
    o.total_score,
    o.grade
FROM project_overview o
WHERE o.execution_rate_pct < 90
ORDER BY o.execution_rate_pct, o.fiscal_year, o.project_name, o.project_id;
