-- Views for the common questions. Stored inside warehouse.duckdb; no file paths.
--
-- Documentation: every view has a COMMENT ON VIEW. A view column that passes a
-- table column through keeps that column's meaning from the data dictionary
-- (pipeline/schema.py): the first table named in the view's FROM / JOIN clauses
-- that has a column of that name. Columns a view computes, or whose source is not
-- the first such table, get their own COMMENT ON COLUMN below the view.
-- docs/data-dictionary.md is generated from these rules (pipeline/dictionary_docs.py).
--
-- Precomputed: the views named in pipeline/warehouse.py PRECOMPUTED_VIEWS (indicators_in_context,
-- project_lineage, project_budget_history) are computed once per published build and stored as
-- tables precomputed_<view> (same columns and comments); in warehouse.duckdb the view reads that
-- table. The definitions below stay the reference and still compute live on any other database.

-- Percentages, exact and rounded half-even to 2 decimals (in DuckDB a DECIMAL divided by a
-- DECIMAL is a DOUBLE): computed as quotients of whole numbers.
-- half_even_quotient(a, b): the whole number nearest to a / b, ties to the even one.
CREATE OR REPLACE MACRO half_even_quotient(a, b) AS
    sign(a) * sign(b) * (abs(a) // abs(b)
        + CASE WHEN 2 * (abs(a) % abs(b)) > abs(b)
                 OR (2 * (abs(a) % abs(b)) = abs(b) AND (abs(a) // abs(b)) % 2 = 1) THEN 1 ELSE 0 END);

-- part / whole x 100 of two whole numbers (e.g. counts); null when whole is 0 or either is null.
CREATE OR REPLACE MACRO percent_of(part, whole) AS
    CAST(half_even_quotient(part * 10000, nullif(whole, 0)) AS DECIMAL(38, 0)) * 0.01;

-- (new - old) / old x 100 of two amounts in 元 (at most 2 decimals: whole numbers of 分).
CREATE OR REPLACE MACRO percent_change(new_amount, old_amount) AS
    percent_of(CAST((new_amount - old_amount) * 100 AS HUGEINT), CAST(old_amount * 100 AS HUGEINT));

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
COMMENT ON COLUMN project_overview.quality_findings IS '质量问题数 | number of rows in quality_findings for the project (any severity)';
COMMENT ON COLUMN project_overview.quality_errors IS '质量错误数 | number of quality findings of severity error for the project';

CREATE OR REPLACE VIEW indicators_in_context AS
WITH judged AS (
    SELECT
        i.*,
        -- percent and 百分比 are the same unit; a missing unit on either side does not block the comparison
        coalesce(replace(i.target_unit, '百分比', '%'), '') = coalesce(replace(i.actual_unit, '百分比', '%'), '')
            OR i.target_unit IS NULL OR i.actual_unit IS NULL AS units_comparable
    FROM indicators i
)
SELECT
    p.fiscal_year, p.agency, p.department, p.implementing_unit, p.project_name, p.report_type, p.template,
    j.* EXCLUDE (units_comparable),
    CASE
        WHEN j.achievement IS NOT NULL THEN j.achievement = 'achieved'
        WHEN j.target_value IS NULL OR j.actual_value IS NULL OR NOT j.units_comparable THEN
            CASE WHEN j.actual_raw IS NULL AND j.target_raw IS NULL AND j.weight IS NOT NULL AND j.score IS NOT NULL
                 THEN j.score >= j.weight END
        WHEN j.target_operator IN ('≥', '>', '=') THEN j.actual_value >= j.target_value
        WHEN j.target_operator IN ('≤', '<') THEN j.actual_value <= j.target_value
    END AS target_met,
    CASE
        WHEN j.achievement IS NOT NULL THEN 'status_phrase'
        WHEN j.target_value IS NULL OR j.actual_value IS NULL OR NOT j.units_comparable THEN
            CASE WHEN j.actual_raw IS NULL AND j.target_raw IS NULL AND j.weight IS NOT NULL AND j.score IS NOT NULL
                 THEN 'score_vs_weight' END
        WHEN j.target_operator IN ('≥', '>', '=', '≤', '<') THEN 'actual_vs_target'
    END AS target_met_basis,
    j.weight - j.score AS points_lost
FROM judged j JOIN projects p USING (project_id);
-- Precomputed, the indicators not met are stored first, in the order of docs/queries/03, the
-- others after them (pipeline/warehouse.py STORED_FIRST): that question reads a few row groups
-- and sorts rows already in order.

COMMENT ON VIEW indicators_in_context IS '指标明细 | indicators with their project''s context, and whether each target was met';
COMMENT ON COLUMN indicators_in_context.target_met IS '是否达成 | whether the indicator reached its target: from the printed status phrase (达成指标 = true, 部分达成/未达成 = false); else actual vs target by the operator (≥ > = are met when actual >= target, ≤ < when actual <= target; units must agree, % = 百分比); else, for reports that print no target and no actual (older template), score >= weight; null when none applies (e.g. target tables)';
COMMENT ON COLUMN indicators_in_context.target_met_basis IS '判断依据 | how target_met was decided: status_phrase, actual_vs_target or score_vs_weight';
COMMENT ON COLUMN indicators_in_context.points_lost IS '失分 | weight - score: points the report deducted [points]';

CREATE OR REPLACE VIEW findings_in_context AS
SELECT
    p.fiscal_year, p.agency, p.implementing_unit, p.project_name, p.grade, p.total_score,
    q.*
FROM quality_findings q LEFT JOIN projects p USING (project_id);

COMMENT ON VIEW findings_in_context IS '质量问题明细 | quality findings with their project''s context';

-- The same project across years. Names drift (2019 '12333热线全媒体智能咨询平台项目经费',
-- 2020 and 2023 '12333热线咨询平台项目经费'), so reports are linked pairwise, each
-- report to at most one predecessor: an earlier report of the same implementing unit
-- (the same agency when a unit is missing). A target table comes before the
-- self-evaluation of the same year. Evidence, strongest first:
--   printed_last_year_figures  the later report prints last year's budget (同名项目上年预算额 /
--                              上年预算金额) equal to the earlier report's own full-year budget
--                              (and the executed amounts agree when both are printed);
--   same_name                  equal name stems (name without spaces and a trailing
--                              项目/专项 + 经费/资金);
--   same_goal_text             the same stated goal text (at least 20 characters);
--   similar_name               at least 80 % of the shorter stem's character pairs occur in
--                              the other stem (stems of 4+ characters).
-- The nearest earlier report wins, then the strongest evidence, then the most similar name;
-- a link is kept only when each side is the other's best choice. Lineages are the chains
-- of links; lineage_id is the first report's project_id.
-- Evaluation: candidate pairs come from equi-joins on the unit (on the agency only for reports
-- without a unit), never from comparing every report with every other; shared character pairs
-- are counted by joining the character pairs of one unit's reports, not pair by pair.
CREATE OR REPLACE VIEW project_lineage AS
WITH RECURSIVE reports AS MATERIALIZED (
    SELECT
        p.project_id,
        p.fiscal_year,
        p.report_type,
        p.project_name,
        p.implementing_unit,
        coalesce(p.agency, p.department) AS agency,
        regexp_replace(coalesce(p.implementing_unit, ''), '\s+', '', 'g') AS unit,
        regexp_replace(regexp_replace(p.project_name, '\s+', '', 'g'), '(项目|专项)?(经费|资金)?$', '') AS stem,
        regexp_replace(coalesce(p.goal_expected, p.overall_and_phase_goals, ''), '\s+', '', 'g') AS goal,
        p.fiscal_year * 2 + CASE WHEN p.report_type = 'self_evaluation' THEN 1 ELSE 0 END AS position,
        f.budget_full_year_yuan AS budget,
        f.executed_yuan AS executed
    FROM projects p
    LEFT JOIN funds f
        ON f.project_id = p.project_id AND f.fund_source = 'total' AND f.fiscal_year = p.fiscal_year
),
positions AS (  -- one row per character pair of each stem (no lambdas: older DuckDB clients bind this too)
    SELECT project_id, stem, unnest(range(length(stem) - 1)) AS k FROM reports
),
grams AS MATERIALIZED (  -- the distinct character pairs of each stem
    SELECT DISTINCT r.project_id, r.unit, r.position, substr(r.stem, k + 1, 2) AS gram
    FROM positions JOIN reports r USING (project_id)
),
stems AS MATERIALIZED (
    SELECT r.*, coalesce(b.bigrams, []) AS bigrams
    FROM reports r
    LEFT JOIN (SELECT project_id, list(gram) AS bigrams FROM grams GROUP BY project_id) b USING (project_id)
),
shared_grams AS (  -- character pairs two reports of the same unit share (pairs sharing none are absent)
    SELECT later.project_id AS later_id, earlier.project_id AS earlier_id, count(*) AS shared
    FROM grams later
    JOIN grams earlier ON earlier.unit = later.unit AND earlier.gram = later.gram AND earlier.position < later.position
    WHERE later.unit <> ''
    GROUP BY ALL
),
blocked AS MATERIALIZED (  -- candidate pairs: equi-joins on the unit (or the agency when a unit is missing)
    SELECT later.project_id AS later_id, earlier.project_id AS earlier_id
    FROM reports later JOIN reports earlier ON earlier.unit = later.unit AND earlier.position < later.position
    WHERE later.unit <> ''
    UNION ALL
    SELECT later.project_id, earlier.project_id
    FROM reports later JOIN reports earlier ON earlier.agency = later.agency AND earlier.position < later.position
    WHERE later.unit = ''
    UNION ALL
    SELECT later.project_id, earlier.project_id
    FROM reports later JOIN reports earlier ON earlier.agency = later.agency AND earlier.position < later.position
    WHERE later.unit <> '' AND earlier.unit = ''
),
printed AS (
    SELECT f.project_id, f.fiscal_year, f.budget_full_year_yuan AS budget, f.executed_yuan AS executed
    FROM funds f JOIN projects p ON p.project_id = f.project_id
    WHERE f.fund_source = 'total' AND f.fiscal_year < p.fiscal_year
),
pairs AS (
    SELECT
        later.project_id,
        later.position AS later_position,
        earlier.project_id AS predecessor_id,
        earlier.position AS earlier_position,
        coalesce(pr.budget = earlier.budget
                 AND (pr.executed IS NULL OR earlier.executed IS NULL OR pr.executed = earlier.executed), false)
            AS figures_match,
        earlier.stem = later.stem AS same_stem,
        length(earlier.goal) >= 20 AND earlier.goal = later.goal AS same_goal,
        CASE WHEN least(len(earlier.bigrams), len(later.bigrams)) >= 3
             THEN CASE WHEN later.unit <> '' AND earlier.unit <> '' THEN coalesce(sg.shared, 0)
                       ELSE len(list_intersect(earlier.bigrams, later.bigrams)) END
                  / least(len(earlier.bigrams), len(later.bigrams))
        END AS name_overlap
    FROM blocked b
    JOIN stems later ON later.project_id = b.later_id
    JOIN stems earlier ON earlier.project_id = b.earlier_id
    LEFT JOIN printed pr ON pr.project_id = later.project_id AND pr.fiscal_year = earlier.fiscal_year
    LEFT JOIN shared_grams sg ON sg.later_id = b.later_id AND sg.earlier_id = b.earlier_id
),
candidates AS (
    SELECT
        *,
        CASE
            WHEN figures_match THEN 'printed_last_year_figures'
            WHEN same_stem THEN 'same_name'
            WHEN same_goal THEN 'same_goal_text'
            WHEN name_overlap >= 0.8 THEN 'similar_name'
        END AS link_rule,
        CASE WHEN figures_match THEN 1 WHEN same_stem THEN 2 WHEN same_goal THEN 3 ELSE 4 END AS strength
    FROM pairs
    WHERE figures_match OR same_stem OR same_goal OR name_overlap >= 0.8
),
links AS MATERIALIZED (
    SELECT project_id, predecessor_id, link_rule, name_overlap
    FROM candidates
    QUALIFY
        row_number() OVER (PARTITION BY project_id
                           ORDER BY earlier_position DESC, strength, name_overlap DESC NULLS LAST, predecessor_id) = 1
        AND row_number() OVER (PARTITION BY predecessor_id, later_position
                               ORDER BY strength, name_overlap DESC NULLS LAST, project_id) = 1
),
chains(project_id, lineage_id) AS (
    SELECT project_id, project_id FROM reports WHERE project_id NOT IN (SELECT project_id FROM links)
    UNION ALL
    SELECT l.project_id, c.lineage_id FROM links l JOIN chains c ON l.predecessor_id = c.project_id
),
names AS (
    -- the name in the latest report; two reports at the same position (a lineage that
    -- branched): the greater project_id, so every build names the lineage the same way
    -- (an aggregate, not a window over every row: it runs in parallel)
    SELECT c.lineage_id, arg_max(r.project_name, (coalesce(r.position, -1), r.project_id)) AS lineage_name
    FROM chains c JOIN reports r USING (project_id)
    GROUP BY c.lineage_id
)
SELECT
    c.lineage_id,
    n.lineage_name,
    r.project_id,
    r.fiscal_year,
    r.report_type,
    r.project_name,
    r.agency,
    r.implementing_unit,
    l.predecessor_id,
    l.link_rule,
    l.name_overlap
FROM chains c
JOIN reports r USING (project_id)
JOIN names n USING (lineage_id)
LEFT JOIN links l USING (project_id);

COMMENT ON VIEW project_lineage IS '项目沿革 | one row per project report: which lineage (the same project across years, under changing names) it belongs to and why it was linked to its predecessor';
COMMENT ON COLUMN project_lineage.lineage_id IS '沿革标识 | project_id of the first report of the lineage';
COMMENT ON COLUMN project_lineage.lineage_name IS '沿革名称 | project name in the latest report of the lineage';
COMMENT ON COLUMN project_lineage.agency IS '发布部门 | publishing agency (manifest), else the supervising department';
COMMENT ON COLUMN project_lineage.predecessor_id IS '上一期报告 | project_id of the earlier report this one continues; null for the first of a lineage';
COMMENT ON COLUMN project_lineage.link_rule IS '关联依据 | why the report was linked to its predecessor: printed_last_year_figures, same_name, same_goal_text or similar_name';
COMMENT ON COLUMN project_lineage.name_overlap IS '名称相似度 | share of the shorter name stem''s character pairs found in the other stem (0-1); null for stems under 4 characters';

CREATE OR REPLACE VIEW project_budget_history AS
WITH own AS (
    SELECT
        l.lineage_id, l.lineage_name, p.fiscal_year, 'own_report' AS figure_source,
        p.project_id, p.report_type, p.project_name, p.implementing_unit,
        f.budget_full_year_yuan, f.executed_yuan, f.execution_rate_pct,
        p.project_id AS figures_from, l.link_rule
    FROM project_lineage l
    JOIN projects p ON p.project_id = l.project_id
    LEFT JOIN funds f
        ON f.project_id = p.project_id AND f.fund_source = 'total' AND f.fiscal_year = p.fiscal_year
),
printed AS (
    SELECT
        l.lineage_id, l.lineage_name, f.fiscal_year, 'printed_as_last_year' AS figure_source,
        NULL AS project_id, NULL AS report_type, NULL AS project_name, p.implementing_unit,
        f.budget_full_year_yuan, f.executed_yuan, f.execution_rate_pct,
        p.project_id AS figures_from, NULL AS link_rule
    FROM project_lineage l
    JOIN projects p ON p.project_id = l.project_id
    JOIN funds f ON f.project_id = p.project_id AND f.fund_source = 'total' AND f.fiscal_year < p.fiscal_year
    WHERE NOT EXISTS (SELECT 1 FROM own o WHERE o.lineage_id = l.lineage_id AND o.fiscal_year = f.fiscal_year)
    QUALIFY row_number() OVER (PARTITION BY l.lineage_id, f.fiscal_year ORDER BY p.fiscal_year, p.project_id) = 1
),
years AS (
    SELECT * FROM own
    UNION ALL BY NAME
    SELECT * FROM printed
)
SELECT
    *,
    count(DISTINCT fiscal_year) OVER (PARTITION BY lineage_id) AS lineage_years,
    percent_change(budget_full_year_yuan, lag(budget_full_year_yuan) OVER (
        PARTITION BY lineage_id ORDER BY fiscal_year, report_type NULLS FIRST, project_id)) AS budget_change_pct
FROM years
-- Stored in this order when precomputed (the order of docs/queries/05).
ORDER BY lineage_name, lineage_id, fiscal_year, report_type NULLS FIRST, project_id;

COMMENT ON VIEW project_budget_history IS '项目预算沿革 | the budget and executed amount of each project lineage per year: from the year''s own report, or, for years without one, as printed as last year''s figures in the next report';
COMMENT ON COLUMN project_budget_history.lineage_id IS '沿革标识 | project_id of the first report of the lineage (see project_lineage)';
COMMENT ON COLUMN project_budget_history.lineage_name IS '沿革名称 | project name in the latest report of the lineage';
COMMENT ON COLUMN project_budget_history.fiscal_year IS '年度 | fiscal year of the amounts';
COMMENT ON COLUMN project_budget_history.figure_source IS '数据来源 | own_report (the year''s own report) or printed_as_last_year (last year''s figures printed in a later report)';
COMMENT ON COLUMN project_budget_history.project_id IS '项目标识 | the year''s own report; null for printed_as_last_year rows';
COMMENT ON COLUMN project_budget_history.project_name IS '项目名称 | project name as printed in the year''s own report; null for printed_as_last_year rows';
COMMENT ON COLUMN project_budget_history.implementing_unit IS '实施单位 | implementing unit of the report the figures come from';
COMMENT ON COLUMN project_budget_history.figures_from IS '数据出处 | project_id of the report the amounts were read from';
COMMENT ON COLUMN project_budget_history.link_rule IS '关联依据 | why the year''s report was linked to the previous one (see project_lineage); null for the first report and for printed rows';
COMMENT ON COLUMN project_budget_history.lineage_years IS '沿革年数 | number of fiscal years the lineage has a row for (own reports and printed last-year figures)';
COMMENT ON COLUMN project_budget_history.budget_change_pct IS '预算变动率 | change of budget_full_year_yuan against the lineage''s previous row (in this view''s order: year, target table before self-evaluation, project_id): (this - previous) / previous x 100, exact, half-even to 2 decimals; null for the first row of a lineage and when either budget is missing or the previous one is 0 [%]';
