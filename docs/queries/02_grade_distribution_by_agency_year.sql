-- Question: How are self-evaluation grades distributed, by agency and year?
-- 问题：各部门各年度的绩效自评等级分布如何？
--
-- Only self-evaluations carry a grade. The two templates name their grades differently:
-- 优/良/中/差 (template from 2021 on) and 优秀/良好/合格/不合格 (up to 2020); grade_rank puts
-- both on one scale, 1 = top grade. The grades are those printed by the reporting unit.
--
-- Columns:
--   agency        publishing agency (manifest), else the supervising department (主管部门)
--   fiscal_year   fiscal year of the reports (年度)
--   grade         grade as printed (评分等级 / 绩效等级)
--   grade_rank    1 = 优/优秀, 2 = 良/良好, 3 = 中/合格, 4 = 差/不合格, null = unknown grade
--   projects      number of self-evaluated projects with that grade (项目数)
--   share_pct     share of the agency's self-evaluated projects of that year, in % (占比),
--                 exact, half-even to 2 decimals (percent_of, views.sql)
--   min_score     lowest total score with that grade (最低分)
--   max_score     highest total score with that grade (最高分)
WITH graded AS (
    SELECT
        coalesce(p.agency, p.department) AS agency,
        p.fiscal_year,
        p.grade,
        CASE
            WHEN p.grade IN ('优', '优秀') THEN 1
            WHEN p.grade IN ('良', '良好') THEN 2
            WHEN p.grade IN ('中', '合格') THEN 3
            WHEN p.grade IN ('差', '不合格') THEN 4
        END AS grade_rank,
        p.total_score
    FROM projects p
    WHERE p.report_type = 'self_evaluation'
)
SELECT
    agency,
    fiscal_year,
    grade,
    grade_rank,
    count(*) AS projects,
    percent_of(count(*), sum(count(*)) OVER (PARTITION BY agency, fiscal_year))::DECIMAL(5, 2) AS share_pct,
    min(total_score) AS min_score,
    max(total_score) AS max_score
FROM graded
GROUP BY agency, fiscal_year, grade, grade_rank
ORDER BY agency, fiscal_year, grade_rank NULLS LAST, grade;
