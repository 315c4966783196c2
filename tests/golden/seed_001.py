"""Expected facts of seed 001 (one 项目绩效自我评价, tab-separated), written by hand from the raw text.

Decimals are strings; dates ISO strings. Indicators: 6 + 6 + 3 + 2 = 17 rows
(lines 16-18 and 20-33); the 投入与管理 (36分) label is printed on the 4th of its
6 rows (line 20). Group sums: weights 36/34/15/15, scores 35 + 26.22 + 15 + 15 = 91.22.
"""

from .legacy_helpers import fund, indicator, score

SOURCE_FILE = "001_63f17e4ebc71a82a.txt"

NOTES_TEXT = (
    "说明：1、依据本项目应实现的绩效目标或工作计划，对照已完成的情况，进行绩效自评。\n"
    "2、绩效等级说明：自评分合计90（含）-100分为优秀，75（含）-90分为良好，60（含）-75分为合格，0-60分为不合格。\n"
    "3、产出目标、效果目标和影响力目标可根据项目情况自行增加绩效指标。"
)

# raw line 8
GOAL_EXPECTED = '项目绩效目标（1）项目总目标 面向社会实行365天24小时提供人力资源和社会保障政策咨询、办事指南、信息查询、投诉举报、12345工单处理等服务，并及时收集和整理各种信息和问题并及时反馈各级领导及政策研究、制定部门为领导决策提供客观、公正的参考。'

# raw line 11
MAIN_RESULTS = '2018年7月初，中心正式启动“12333热线全媒体智能咨询平台”项目工作，项目总经费10,460万元，外包中标单位为上海电信百事应公司，项目期限从2018年7月1日至2019年12月31日共一年半时间。电信百事应公司管理团队正式入驻12333平台后，全面接管平台管理工作，一是系统顺利割接运行。2018年11月30日，全媒体智能联络中心系统第一阶段（基础功能）开发完毕并顺利割接，实现12333热线原有功能全部无缝衔接。新系统上线后，整体运行效果稳定，彻底杜绝了以往因两个平台系统严重老化突然瘫痪而无法提供咨询服务的情况。二是开通线上客服。为了适应新时代咨询服务“移动化”、“互联网化”的大趋势，中心已于6月18日正式开通多渠道线上客服，届时将通过局官网、官微和上海人社APP“智询通”服务接口提供“一对多”的线上文字咨询服务。开通线上客服坐席10席，月均服务量占总服务量的10%左右，随着在线客服操作系统的不断完善和人员补充，在线客服将继续提高服务占比，并成为热线服务的重要补充。三是智能化应用开发。经中心专业编辑团队的辛勤付出，平台智能化工作已完成需求收集，下半年已将进入开发实施阶段，其中：智能知识库与智能机器人将与人工在线客服无缝对接，通过机器学习机制，深入了解人社政策咨询业务场景，为市民提供解答；智能质检系统采用语音分析引擎，对来电录音进行分析、挖掘，提升质检效率和精准度；培训考试一体化系统支持学员在线学习培训课件，在线考试评分，将提升培训效率，也可作为局系统人社知识题库支持各类知识竞赛、业务培训等。优化后的自助服务于5月31日上线后，吸引了大量来电者通过自助方式解决咨询问题，自助服务的占比由原来的18%剧增至40%以上，综合接通率也由50%左右提升至70%左右，效果十分显著。2018年7月，中心于公布了人员转型工作方案，本着“平稳、平移”的原则，引导原政府购买服务合同咨询员进行劳动合同集中改签。半年后，集中改签工作基本结束，大部分员工选择改签新劳动合同。目前，项目在册总人数为411人，改签新合同233人，维持原合同79人，新招聘员工99人。优化后的自助服务于5月31日上线后，吸引了大量来电者通过自助方式解决咨询问题，自助服务的占比由原来的18%剧增至40%以上，综合接通率也由50%左右提升至70%左右，效果十分显著。综合接通率也由50%左右提升至70%左右，效果十分显著。'

# raw line 12
MAIN_PROBLEMS = '1.项目管理制度应根据项目推进情况及时修订和完善。2.2019年二季度实施考核以来，项目接通率有大幅度提高，但整体不够稳定。'

# raw line 13
IMPROVEMENT_MEASURES = '1.根据项目的推进情况，及时修订和完善项目的相关管理制度和项目考核办法。2.督促电信应用全媒体、智能化、多媒体手段稳定项目整体接通率。'

INPUT = "投入与管理"
INPUT_RAW = "投入与管理 (36分)"
OUTPUT = "产出目标"
OUTPUT_RAW = "产出目标 (34分)"
EFFECT = "效果目标"
EFFECT_RAW = "效果目标 (15分)"
IMPACT = "影响力目标"
IMPACT_RAW = "影响力目标 (15分)"

PROJECTS = [
    {
        "indicator_count": 17,
        "project": {
            "report_type": "self_evaluation",
            "template": "self_evaluation_legacy",
            "project_name": "12333热线全媒体智能咨询平台项目经费",
            "source_line": 3,
            "title": "项目绩效自我评价",
            "fiscal_year": None,
            "fiscal_year_source": None,
            "department": None,
            # spilled cell repaired: '…咨询服务' + '中心' | '中心12333项目考核领导小组'
            "implementing_unit": "上海市人力资源和社会保障局咨询服务中心",
            "division": "12333项目考核领导小组",
            "is_recurring": True,
            "project_category": None,
            "performance_type": None,
            "includes_government_purchase": None,
            "planned_start_date": None,
            "planned_end_date": None,
            "evaluation_date": "2020-04-10",
            "total_score": "91.22",
            "total_score_raw": "91.22",
            "total_max_points": "100",
            "grade": "优秀",
            "grade_bands": "优秀>=90;良好>=75;合格>=60;不合格>=0",
            "goal_expected": GOAL_EXPECTED,
            "goal_actual": None,
            "main_results": MAIN_RESULTS,
            "main_problems": MAIN_PROBLEMS,
            "improvement_measures": IMPROVEMENT_MEASURES,
            "project_overview": None,
            "legal_basis": None,
            "necessity": None,
            "implementation_measures": None,
            "implementation_plan": None,
            "overall_and_phase_goals": None,
            "project_total_budget_yuan": None,
            "project_total_budget_raw": None,
            "notes": NOTES_TEXT,
        },
        "funds": [
            fund(6, 0, "当年预算数（元）", budget="70785200.00", budget_raw="70,785,200.00",
                 executed="70784807.00", executed_raw="70,784,807.00", rate="100.00", rate_raw="100.00%"),
            fund(6, -1, "上年预算金额（元）", budget="33513600.00", budget_raw="33,513,600.00"),
        ],
        "indicators": [
            indicator(1, 16, INPUT, INPUT_RAW, "资金使用的合规性",
                      "项目资金使用是否符合相关法律法规、制度和规定，项目资金使用是否规范和安全。", "6", "6"),
            indicator(2, 17, INPUT, INPUT_RAW, "绩效目标合理性",
                      "项目所设定的绩效目标是否依据充分，是否符合客观实际，绩效目标与预算是否匹配。", "8", "8"),
            indicator(3, 18, INPUT, INPUT_RAW, "项目设立的规范性",
                      "项目的申请、设立过程是否符合相关要求，用以反映和考核项目立项的规范情况。", "5", "5"),
            indicator(4, 20, INPUT, INPUT_RAW, "预算执行率", "反映项目预算执行的进度", "8", "8"),
            indicator(5, 21, INPUT, INPUT_RAW, "财务（资产）管理制度的健全性和执行的有效性",
                      "项目的财务制度是否健全、完善、有效，用以反映和考核财务管理制度对资金规范、安全运行的保障情况，"
                      "以及反映和考核项目实施单位对资金运行的控制情况。", "5", "5"),
            indicator(6, 22, INPUT, INPUT_RAW, "项目管理制度的健全性和执行的有效性",
                      "与项目直接相关的业务管理制度是否健全、完善和有效，项目实施是否符合相关业务管理规定，"
                      "是否为达到项目质量要求而采取了必需的措施。", "4", "3"),
            indicator(7, 23, OUTPUT, OUTPUT_RAW, "综合接通率", "反映中心接听总量与来电总量之间的比值", "10", "2.22"),
            indicator(8, 24, OUTPUT, OUTPUT_RAW, "质量控制合格率", "反映中心接听来电的服务质量完成情况指标", "10", "10"),
            indicator(9, 25, OUTPUT, OUTPUT_RAW, "三级故障解决时间", "反映项目三级故障解决时效指标", "3", "3"),
            indicator(10, 26, OUTPUT, OUTPUT_RAW, "一级故障解决时间", "反映项目一级故障解决时效指标", "3", "3"),
            indicator(11, 27, OUTPUT, OUTPUT_RAW, "二级故障解决时间", "反映项目二级故障解决时效指标", "3", "3"),
            indicator(12, 28, OUTPUT, OUTPUT_RAW, "成本控制情况",
                      "反映成本控制情况指标（项目投入总量/热线接听总时间）", "5", "5"),
            indicator(13, 29, EFFECT, EFFECT_RAW, "社会认可度", "有正面报道、获得奖励、表彰等", "5", "5"),
            indicator(14, 30, EFFECT, EFFECT_RAW, "投诉率",
                      "反映中心服务质量效果指标，成立的投诉电话数与接听总量的比例", "4", "4"),
            indicator(15, 31, EFFECT, EFFECT_RAW, "综合满意率", "反映中心服务质量效果指标，为话为确认的满意度指标", "6", "6"),
            indicator(16, 32, IMPACT, IMPACT_RAW, "人力资源对项目可持续影响",
                      "人力资源配备和培训应该满足可持续发展的需求", "7", "7"),
            indicator(17, 33, IMPACT, IMPACT_RAW, "长效管理情况", "对项目的长期发展应该有相应的管理措施", "8", "8"),
        ],
        "scores": [
            score(INPUT, 20, max_points="36", weight_sum="36", score_sum="35"),
            score(OUTPUT, 23, max_points="34", weight_sum="34", score_sum="26.22"),
            score(EFFECT, 29, max_points="15", weight_sum="15", score_sum="15"),
            score(IMPACT, 32, max_points="15", weight_sum="15", score_sum="15"),
            score("total", 34, max_points="100", weight_sum="100", score_sum="91.22",
                  reported="91.22", reported_raw="91.22"),
        ],
        "notes": [
            ("value_spilled_into_next_cell", 5),
            ("orphan_rows_assigned_by_declared_points", 16),
        ],
    },
]
