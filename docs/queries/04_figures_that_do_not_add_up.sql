-- Question: Where do a report's own figures not add up?
-- 问题：哪些报告自报的数字对不上（执行率、合计、权重、得分、等级相互矛盾）？
--
-- The source-consistency checks (pipeline/quality) recompute what a report prints from
-- the report's own numbers; a finding of severity 'error' means the printed figure is
-- arithmetically inconsistent with the others: the execution rate against the amounts,
-- the execution score against points x rate, fund rows against their total, weights
-- against 100 or against a group's declared points, an indicator's score against its weight
-- or its achievement, the total against its parts, the grade against the total. Printed
-- values are accepted when they equal the exact value rounded or truncated to the printed
-- precision. Warnings and notes (e.g. points deducted although the target was met) are in
-- findings_in_context too; this question lists errors only.
--
-- Columns:
--   agency        publishing agency (manifest), else the supervising department (主管部门)
--   fiscal_year   fiscal year of the report (年度)
--   project_name  project name (项目名称)
--   check_name    which check failed (检查项)
--   table_name    table the inconsistent row is in (表名)
--   row_key       the row inside that table (行键), e.g. fiscal_year=2019;fund_source=total
--   observed      what the report prints (实际值)
--   expected      what the report's other figures imply (期望值)
--   message       explanation (说明)
--   source_file   raw file (来源文件)
--   source_line   line of the raw file (来源行号)
SELECT
    coalesce(f.agency, p.department) AS agency,
    f.fiscal_year,
    f.project_name,
    f.check_name,
    f.table_name,
    f.row_key,
    f.observed,
    f.expected,
    f.message,
    f.source_file,
    f.source_line
FROM findings_in_context f
LEFT JOIN projects p USING (project_id)
WHERE f.severity = 'error'
ORDER BY agency, f.fiscal_year, f.project_name, f.project_id, f.check_name, f.row_key;
