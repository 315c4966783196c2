"""Expected facts of seed 004 (two 项目绩效自我评价, markdown pipe tables), written by hand from the raw text.

Decimals are strings; dates ISO strings.

A (社区服务热线管理): 6 + 4 + 2 + 3 = 15 indicators; the table is split by a page
break after line 23 (empty header row + separator). Scores 33 + 32 + 13 + 14 = 92.

B (社区服务体系管理): 8 + 3 + 1 + 1 = 13 indicator rows as printed under the labels,
but lines 63-64 (weights 6 + 7) sit above the 产出目标 (34分) label (line 69) and
belong to it by the declared points: 投入与管理 6+8+5+8+5+4 = 36,
产出目标 6+7+7+8+6 = 34. Line 64 '整理及编撰形成社区服' is continued on line 68
'务案例' after the page break. Scores 30 + 32 + 15 + 12 = 89.
"""

from .legacy_helpers import fund, indicator, score

SOURCE_FILE = "004_c0a410eeb195f151.txt"

NOTES_TEXT = (
    "说明：1、依据本项目应实现的绩效目标或工作计划，对照已完成的情况，进行绩效自评。\n"
    "2、绩效等级说明：自评分合计90（含）-100分为优秀，75（含）-90分为良好，60（含）-75分为合格，0-60分为不合格。\n"
    "3、产出目标、效果目标和影响力目标可根据项目情况自行增加绩效指标。"
)
BANDS = "优秀>=90;良好>=75;合格>=60;不合格>=0"

INPUT = "投入与管理"
INPUT_RAW = "投入与管理 (36分)"  # printed 投入与管理<br>(36分)
OUTPUT = "产出目标"
OUTPUT_RAW = "产出目标 (34分)"
EFFECT = "效果目标"
EFFECT_RAW = "效果目标 (15分)"
IMPACT = "影响力目标"
IMPACT_RAW = "影响力目标 (15分)"

D_COMPLIANCE = "项目资金使用是否符合相关法律法规、制度和规定，项目资金使用是否规范和安全。"
D_GOALS = "项目所设定的绩效目标是否依据充分，是否符合客观实际，绩效目标与预算是否匹配。"
D_SETUP = "项目的申请、设立过程是否符合相关要求，用以反映和考核项目立项的规范情况。"
D_EXECUTION = "反映项目预算执行的进度"
D_FINANCE = (
    "项目的财务制度是否健全、完善、有效，用以反映和考核财务管理制度对资金规范、安全运行的保障情况，"
    "以及反映和考核项目实施单位对资金运行的控制情况。"
)
D_MANAGEMENT = (
    "与项目直接相关的业务管理制度是否健全、完善和有效，项目实施是否符合相关业务管理规定，"
    "是否为达到项目质量要求而采取了必需的措施。"
)


# raw line 9
A_GOAL = '上海社区服务热线管理项目，通过政府购买服务形式，确保该热线365天*24小时全年无休运作，提供民政业务咨询并做好数据分析，为局领导决策发挥辅助参考作用，充分展现“民政为民，民政爱民”服务理念；根据“12345”市热办的工作要求，认真做好市民服务热线各项承接工作，不断完善热线服务人员的培训及日常管理，提升市民诉求办理案件的解决率；力争“12345”年度绩效考核在同类部门中的等次为“良好”。加强热线宣传，不断提高热线的知晓度和美誉度。'

# raw line 12
A_RESULTS = '年度预算执行力≥95%。较好完成2019年度项目预算工作，实现预算时的即定目标。1、“962200”热线始终保持365*24小时为市民服务，全年共处理话务总量18.5万个，市民满意率为98.6%，热线接通率达94.3%。全年完成“12345”转派工单和电话13778个，先行联系率98.9%，按时办结率100%，三方转接成功率92.49%，市民满意度94.7%。2019年在市热线办绩效考核中，位居经济社会管理部门类第三名，继续保持在优秀行列。2.全年参与“空中一门式——直通990”直播累计近216期，回应市民近千个咨询。借势开展热线宣传，拓展为民服务渠道，提升热线知晓度，赢得较好的美誉度3.持续挖掘数据潜能，形成数据分析报告一份。对16个区，30个业务处室和直属单位开展效能分析，分析潜藏的民政服务短板，剖析热线服务瓶颈，为热线转型发展寻求突破点和发力点。'

# raw line 13
A_PROBLEMS = '1.项目预算编制需要进一步量化，使设置更合理；2.话务坐席人员用工年龄不合理；尚存在3名年龄超过45岁的用工人员；3.上海市社区服务热线质量管理提升研究的成果需要进一步完善；4.效果指标中，热线接通率和“12345”实际解决率指标设置偏低；5.直通990节目直播同时段节目收听排名缺少数据支撑。'

# raw line 14
A_MEASURES = '项目预算编制进一步细化量化，设置更合理:主要是优化话务坐席人员年龄结构，加强热线人员梯队建设；热线接通率提升为90%；优化了直通990节目直播的绩效考核指标。'

# raw line 48
B_GOAL = '通过实体化服务和信息化服务两种方式的结合，指导全市各区、街镇通过多种手段和渠道，整合公共、公益和便民利民社区服务资源，以需求和问题为导向，有效地组织开展各类社区服务项目，逐步构建多元主体共建共享共治格局。发挥政府治理的主导作用，创新城乡社区治理，完善城乡社区服务体系，发挥城乡居民在基层社会治理中的主体作用。'

# raw line 51
B_RESULTS = '预算执行率超过99%；项目管理、资金使用、采购过程等符合规范；上海社区服务网年发布新闻条数达到2.5万条左右，社区服务商家年提供服务次数达到3万次以上，上海市社区服务微信公众号年度发布信息推送达到33期，热线分派工单数达到3万单以上，公众号关注人数达到2000人以上，回访满意率达90%以上。'

# raw line 52
B_PROBLEMS = '绩效目标的合理性有待完善，与预算项目的匹配性有待提高，部分绩效目标不够细化和量化；个别项目事前缺少专家论证和风险评估，项目设立的规范性需进一步加强；财务管理制度方面缺少项目的成本核算和成本控制；项目管理制度方面重验收轻过程管理，项目推进缺少必要的控制措施；上海市社区服务微信公众号年度发布信息推送达到33期，完成度90%以上，但未达到36期的产出目标。'

# raw line 53
B_MEASURES = '合理设定产出目标，完善投入与产出的匹配性、逻辑性，进一步细化和量化各项目标；进一步加强项目设立的规范性，完善项目的可行性论证和风险评估；规范财务管理制度，增加项目成本核算和成本控制；加强项目执行的过程性管理，细化和明确项目时间节点，增加项目阶段性总结。'


def _project(name, title_line, division, date, total, grade, goal, results, problems, measures):
    return {
        "report_type": "self_evaluation",
        "template": "self_evaluation_legacy",
        "project_name": name,
        "source_line": title_line,
        "title": "项目绩效自我评价",
        "fiscal_year": None,
        "fiscal_year_source": None,
        "department": None,
        "implementing_unit": "上海市社区服务中心",
        "division": division,
        "is_recurring": False,
        "project_category": None,
        "performance_type": None,
        "includes_government_purchase": None,
        "planned_start_date": None,
        "planned_end_date": None,
        "evaluation_date": date,
        "total_score": total,
        "total_score_raw": total,
        "total_max_points": "100",
        "grade": grade,
        "grade_bands": BANDS,
        "goal_expected": goal,
        "goal_actual": None,
        "main_results": results,
        "main_problems": problems,
        "improvement_measures": measures,
        "project_overview": None,
        "legal_basis": None,
        "necessity": None,
        "implementation_measures": None,
        "implementation_plan": None,
        "overall_and_phase_goals": None,
        "project_total_budget_yuan": None,
        "project_total_budget_raw": None,
        "notes": NOTES_TEXT,
    }


PROJECT_A = {
    "indicator_count": 15,
    "project": _project("社区服务热线管理", 3, "热线部", "2020-03-12", "92", "优秀",
                        A_GOAL, A_RESULTS, A_PROBLEMS, A_MEASURES),
    "funds": [
        fund(7, 0, "当年预算数（元）", budget="2730460.00", budget_raw="2,730,460.00",
             executed="2719852.00", executed_raw="2,719,852.00", rate="100.00", rate_raw="100.00%"),
        fund(7, -1, "上年预算金额（元）", budget="2266180.00", budget_raw="2,266,180.00"),
    ],
    "indicators": [
        indicator(1, 18, INPUT, INPUT_RAW, "资金使用的合规性", D_COMPLIANCE, "6", "6"),
        indicator(2, 19, INPUT, INPUT_RAW, "绩效目标合理性", D_GOALS, "8", "6"),
        indicator(3, 20, INPUT, INPUT_RAW, "项目设立的规范性", D_SETUP, "5", "4"),
        indicator(4, 21, INPUT, INPUT_RAW, "预算执行率", D_EXECUTION, "8", "8"),
        indicator(5, 22, INPUT, INPUT_RAW, "财务（资产）管理制度的健全性和执行的有效性", D_FINANCE, "5", "5"),
        indicator(6, 23, INPUT, INPUT_RAW, "项目管理制度的健全性和执行的有效性", D_MANAGEMENT, "4", "4"),
        indicator(7, 27, OUTPUT, OUTPUT_RAW, "直通990节目宣传", None, "8", "8"),
        indicator(8, 28, OUTPUT, OUTPUT_RAW, "12345承接工作1", None, "10", "10"),
        indicator(9, 29, OUTPUT, OUTPUT_RAW, "962200热线数据分析", None, "8", "7"),
        indicator(10, 30, OUTPUT, OUTPUT_RAW, "热线服务1", None, "8", "7"),
        indicator(11, 31, EFFECT, EFFECT_RAW, "热线服务2", None, "7", "6"),
        indicator(12, 32, EFFECT, EFFECT_RAW, "12345承接工作2", None, "8", "7"),
        indicator(13, 33, IMPACT, IMPACT_RAW, "直通990节目直播", None, "5", "4"),
        indicator(14, 34, IMPACT, IMPACT_RAW, "12345承接工作3", None, "5", "5"),
        indicator(15, 35, IMPACT, IMPACT_RAW, "热线服务3", None, "5", "5"),
    ],
    "scores": [
        score(INPUT, 18, max_points="36", weight_sum="36", score_sum="33"),
        score(OUTPUT, 27, max_points="34", weight_sum="34", score_sum="32"),
        score(EFFECT, 31, max_points="15", weight_sum="15", score_sum="13"),
        score(IMPACT, 33, max_points="15", weight_sum="15", score_sum="14"),
        score("total", 36, max_points="100", weight_sum="100", score_sum="92", reported="92", reported_raw="92"),
    ],
    "notes": [],
}

PROJECT_B = {
    "indicator_count": 13,
    "project": _project("社区服务体系管理", 42, "计划部", "2020-03-12", "89", "良好",
                        B_GOAL, B_RESULTS, B_PROBLEMS, B_MEASURES),
    "funds": [
        fund(46, 0, "当年预算数（元）", budget="1813200.00", budget_raw="1,813,200.00",
             executed="1812276.00", executed_raw="1,812,276.00", rate="100.00", rate_raw="100.00%"),
        fund(46, -1, "上年预算金额（元）", budget="1221000.00", budget_raw="1,221,000.00"),
    ],
    "indicators": [
        indicator(1, 57, INPUT, INPUT_RAW, "资金使用的合规性", D_COMPLIANCE, "6", "6"),
        indicator(2, 58, INPUT, INPUT_RAW, "绩效目标合理性", D_GOALS, "8", "5"),
        indicator(3, 59, INPUT, INPUT_RAW, "项目设立的规范性", D_SETUP, "5", "4"),
        indicator(4, 60, INPUT, INPUT_RAW, "预算执行率", D_EXECUTION, "8", "8"),
        indicator(5, 61, INPUT, INPUT_RAW, "财务（资产）管理制度的健全性和执行的有效性", D_FINANCE, "5", "4"),
        indicator(6, 62, INPUT, INPUT_RAW, "项目管理制度的健全性和执行的有效性", D_MANAGEMENT, "4", "3"),
        indicator(7, 63, OUTPUT, OUTPUT_RAW, "形成社区服务模式研究", None, "6", "6"),
        indicator(8, 64, OUTPUT, OUTPUT_RAW, "整理及编撰形成社区服务案例", None, "7", "7", line_end=68),
        indicator(9, 69, OUTPUT, OUTPUT_RAW, "微信公众号及时推送社区信息", None, "7", "5"),
        indicator(10, 70, OUTPUT, OUTPUT_RAW, "服务商家服务质量有保证", None, "8", "8"),
        indicator(11, 71, OUTPUT, OUTPUT_RAW, "社区网信息及时准确", None, "6", "6"),
        indicator(12, 72, EFFECT, EFFECT_RAW, "市民对社区服务满意", None, "15", "15"),
        indicator(13, 73, IMPACT, IMPACT_RAW, "社区生活服务中心、网站、热线、APP及公众号具有一定社会影响力", None, "15", "12"),
    ],
    "scores": [
        score(INPUT, 57, max_points="36", weight_sum="36", score_sum="30"),
        score(OUTPUT, 69, max_points="34", weight_sum="34", score_sum="32"),
        score(EFFECT, 72, max_points="15", weight_sum="15", score_sum="15"),
        score(IMPACT, 73, max_points="15", weight_sum="15", score_sum="12"),
        score("total", 74, max_points="100", weight_sum="100", score_sum="89", reported="89", reported_raw="89"),
    ],
    "notes": [
        ("orphan_rows_assigned_by_declared_points", 63),
        ("name_split_across_page_break", 68),
    ],
}

PROJECTS = [PROJECT_A, PROJECT_B]
