-- Question: Which indicators were not fully achieved, and what reasons do the reports give?
-- 问题：哪些绩效指标未完全达成？报告给出的原因是什么？
--
-- "Not fully achieved" (target_met = false in the view indicators_in_context) is decided,
-- in this order, from:
--   status_phrase     the printed status: 部分达成指标并具有一定效果 / 未达成指标且效果较差;
--   actual_vs_target  a numeric actual that misses a numeric target by its operator
--                     (≥ > =: actual below target; ≤ <: actual above target; same unit);
--   score_vs_weight   for reports that print neither target nor actual (the template up to
--                     2020), the report's own score below the indicator's weight.
-- Indicators whose target was met but which still lost points are not listed.
-- The reason is 偏差原因分析 (template from 2021 on), else 备注; null when none is printed.
--
-- Columns:
--   agency            publishing agency (manifest), else the supervising department
--   fiscal_year       fiscal year of the report (年度)
--   project_name      project name (项目名称)
--   seq               position of the indicator in its report (序号)
--   level1, level2    level-1 / level-2 category (一级指标 / 二级指标)
--   indicator         indicator name (三级指标 / 指标名称)
--   target_raw        target as printed (年度指标值)
--   actual_raw        actual as printed (实际完成值)
--   weight            points available (分值 / 权重)
--   score             points earned (得分 / 自评分)
--   points_lost       weight - score (失分)
--   basis             how "not achieved" was decided (see above)
--   reason            the stated reason (偏差原因分析 / 备注)
SELECT
    coalesce(i.agency, i.department) AS agency,
    i.fiscal_year,
    i.project_name,
    i.seq,
    i.level1,
    i.level2,
    i.name AS indicator,
    i.target_raw,
    i.actual_raw,
    i.weight,
    i.score,
    i.points_lost,
    i.target_met_basis AS basis,
    coalesce(i.deviation_reason, i.remark) AS reason
FROM indicators_in_context i
WHERE i.target_met = false
ORDER BY agency, i.fiscal_year, i.project_name, i.project_id, i.seq;
