-- Views for the common questions. Stored inside warehouse.duckdb; no file paths.

CREATE OR REPLACE VIEW project_overview AS
SELECT
    p.project_id,
    p.report_type,
    p.template,
    p.fiscal_year,
    p.agency,
    p.department,
    p.implementing_unit,
    p.project_name,
    f.budget_full_year_yuan,
    f.executed_yuan,
    f.execution_rate_reported_pct,
    f.execution_rate_pct,
    p.total_score,
    p.grade,
    coalesce(q.findings, 0) AS quality_findings,
    coalesce(q.errors, 0) AS quality_errors,
    p.source_file,
    p.source_line
FROM projects p
LEFT JOIN funds f
    ON f.project_id = p.project_id AND f.fund_source = 'total' AND f.fiscal_year = p.fiscal_year
LEFT JOIN (
    SELECT project_id, count(*) AS findings, count(*) FILTER (WHERE severity = 'error') AS errors
    FROM quality_findings GROUP BY project_id
) q ON q.project_id = p.project_id;

COMMENT ON VIEW project_overview IS '项目概览 | one row per project: budget, executed, execution rate, total score, grade, number of quality findings';

CREATE OR REPLACE VIEW indicators_in_context AS
SELECT
    p.fiscal_year, p.agency, p.implementing_unit, p.project_name, p.report_type, p.template,
    i.*
FROM indicators i JOIN projects p USING (project_id);

COMMENT ON VIEW indicators_in_context IS '指标明细 | indicators with their project''s context';

CREATE OR REPLACE VIEW findings_in_context AS
SELECT
    p.fiscal_year, p.agency, p.implementing_unit, p.project_name, p.grade, p.total_score,
    q.*
FROM quality_findings q LEFT JOIN projects p USING (project_id);

COMMENT ON VIEW findings_in_context IS '质量问题明细 | quality findings with their project''s context';
