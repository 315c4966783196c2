"""Expected facts of seed 002 (two 财政项目支出绩效目标表, 2020), written by hand
from the raw text of data/raw/002_7afd7b1555bf85c6.txt.

Text rule applied by hand: cells of one printed line are joined by one space
(the double space on line 37 becomes one), wrapped lines are joined with no
space. Decimals are strings. Line numbers are 1-based lines of the raw file.

Indicator rows: (seq, source_line, source_line_end, level1, level2, name,
target_raw, target_operator, target_value, target_unit). In this seed every
printed level label is the canonical label, so level1_raw == level1 and
level2_raw == level2.
"""

SOURCE_FILE = "002_7afd7b1555bf85c6.txt"

UNIT = "上海市人力资源和社会保障局咨询服务中心"

_NO_SELF_EVALUATION = {
    "department": None,
    "division": None,
    "is_recurring": None,
    "evaluation_date": None,
    "total_score": None,
    "total_score_raw": None,
    "total_max_points": None,
    "grade": None,
    "grade_bands": None,
    "goal_expected": None,
    "goal_actual": None,
    "main_results": None,
    "main_problems": None,
    "improvement_measures": None,
    "notes": None,
}

PROJECT_A = {
    "report_type": "performance_target",
    "template": "performance_target",
    "project_name": "12333热线咨询平台项目经费",  # lines 8-9: '12333热线咨询平台项' + '目经费'
    "source_line": 2,
    "title": "财政项目支出绩效目标表",
    "fiscal_year": 2020,
    "fiscal_year_source": "document",
    "implementing_unit": UNIT,
    "project_category": "经常性专项业务费",
    "performance_type": "事业/专业类",
    "includes_government_purchase": False,
    "planned_start_date": "2020-01-01",
    "planned_end_date": "2020-12-31",
    "project_overview": (
        "建设上海市人社局 12333热线咨询平台，一、从“一口咨询”服务角度出发，一号对外实现社会保障的统一咨询服务窗口，"
        "真正达到便民利民。二、从智能化角度出发，优化资源配置，整合多部门服务全资源，调动政府服务潜力，"
        "覆盖群众社会化全媒体渠道，实现智能化服务管理。三、从精细化服务角度出发，统一服务规范流程，通过业务细化分类，"
        "实现由总到分、由粗到细的服务引导。形成上下一体、标准一致的咨询服务体系，推进 12333热线咨询服务科学化、"
        "规范化发展，促进上海人社局依法行政和科学决策。"
    ),
    # lines 27 and 29 (a page break between): '《上海市' + '市 本级…' -> 上海市市 本级
    "legal_basis": (
        "1、《2017 年 12333 热线全媒体智能咨询平台项目评审报告》 2、《上海市市 本级项目支出预算管理办法》 "
        "3、《中华人民共和国政府采购法》"
    ),
    "necessity": (
        "项目绩效目标 （1）项目总目标 面向社会实行 365天 24小时提供人力资源和社会保障政策咨询、办事指南、信息查询、"
        "投诉举报服务，并及时收集和整理各种信息和问题并及时反馈各级领导及政策研究、制定部门为领导决策提供客观、公正的参考。"
        " （2）年度绩效目标 产出目标 按照预算金额及相关法律法规，完成 12333热线咨询平台组建，提高咨询服务质量，"
        "实现接通率提升。 效果目标①提升 12333热线智能化技术水平； ②丰富群众的移动化服务受理渠道； "
        "③提升平台的精细化、移动化、智能化运营管理； ④建立高效的业务协同模式，提升业务管理服务能力。 "
        "⑤维持 12333热线整体平台的系统稳定； ⑥维持服务人员队伍的人员稳定； ⑦通过培训和考核，确保服务人员的咨询服务质量；"
        " ⑧提高 12333热线整体接通率，提升群众服务的满意度；"
    ),
    "implementation_measures": (
        "此项目是由上海市人力资源和社会保障局主管，由上海市人力资源和社会保障局咨询服务中心负责实施。"
        "其中：由上海市人力资源和社会保障咨询服务中心与外包服务方签订合作协议，外包服务方根据要求提供基础语音平台建设及维护、"
        "全媒体智能叠加功能的建设和热线整体运营管理。项目资金申请及拨付、对项目供应商、咨询平台指导和监督以及项目考核和审计稽核"
        "由上海市人力资源和社会保障局咨询服务中心负责具体实施。"
    ),
    "implementation_plan": (
        "此项目的实施贯穿 2020年全年度，其相关费用按季进行结算。上海市人力资源和社会保障局咨询服务中心每季度按服务细则"
        "对热线运营质量、平台系统使用情况进行考核，每季度考核一次，若考核不合格，上海市人力资源和社会保障局咨询服务中心"
        "应向外包服务方提出整改措施，相关费用在下一季度项目管理费中扣减。"
    ),
    "overall_and_phase_goals": (
        "预算编制依据：根据《2017年 12333热线全媒体智能咨询平台项目评审报告》预算分为坐席租赁费和管理费两部分，"
        "坐席租赁费包含坐席人员费和系统运行费，经测算全年预算为 5093.26万元，管理费主要包括项目管理费等，全年预算 413.77万元。"
        "资金管理方式：根据合同按季与外包服务方结算服务费，向财政申请付款，财政审核后由国库收付中心统一拨付。"
    ),
    "project_total_budget_yuan": "55070152",
    "project_total_budget_raw": "55070152",
    **_NO_SELF_EVALUATION,
}

FUNDS_A = [
    {
        "fund_source": "total",
        "source_line": 68,
        "fiscal_year_offset": 0,
        "amount_unit": "元",
        "budget_full_year_yuan": "55070152",
        "budget_full_year_raw": "55070152",
        "label_raw": "项目当年预算（元）",
    },
    {
        "fund_source": "total",
        "source_line": 70,
        "fiscal_year_offset": -1,
        "amount_unit": "元",
        "budget_full_year_yuan": "70785200",
        "budget_full_year_raw": "70785200",
        "executed_yuan": "70784807",
        "executed_raw": "70784807",
        "label_raw": "同名项目上年预算额（元） / 同名项目上年预算执行数（元）",
    },
]

_IM, _OUT, _EFF, _IMP = "投入与管理", "产出目标", "效果目标", "影响力目标"
_FAULT = "响应时间：≤10分钟内，故障处理时间≤"

INDICATORS_A = [
    (1, 148, None, _IM, "投入管理", "系统建设完成率", "=1", "=", "1", None),
    (2, 150, None, _IM, "财务管理", "专款专用率", "=1", "=", "1", None),
    (3, 152, None, _IM, "实施管理", "预算执行率", ">98%", ">", "98", "%"),
    (4, 154, None, _IM, "资产管理", "资产管理制度建全", "建全", None, None, None),
    (5, 159, None, _OUT, "数量", "综合接通率", ">80%", ">", "80", "%"),
    (6, 161, None, _OUT, "数量", "绩效考核次数", "=4", "=", "4", None),
    (7, 164, None, _OUT, "质量", "校验合格率", ">98%", ">", "98", "%"),
    (8, 166, None, _OUT, "质量", "培训准确性", "=100%", "=", "100", "%"),
    (9, 168, None, _OUT, "质量", "不满意电话当月抽检率", "=100%", "=", "100", "%"),
    (10, 172, 173, _OUT, "时效", "一级故障", _FAULT + "90分钟", None, None, None),
    (11, 175, 176, _OUT, "时效", "二级故障", _FAULT + "180分钟", None, None, None),
    (12, 178, 179, _OUT, "时效", "三级故障", _FAULT + "24小时", None, None, None),
    (13, 181, None, _OUT, "时效", "培训及时性", "=100%", "=", "100", "%"),
    (14, 184, None, _EFF, "社会效益", "公众投诉率", "<0.01%", "<", "0.01", "%"),
    (15, 186, None, _EFF, "满意度", "综合满意度", ">97%", ">", "97", "%"),
    (16, 189, None, _IMP, "长效管理", "对项目的长期发展应该有相应的管理措施", "建立", None, None, None),
    (17, 191, 194, _IMP, "人力资源", "人力资源配备和培训应该满足可持续发展的需求", "建立", None, None, None),
]

NOTES_A = [
    ("header_value_wrapped", 9),
    ("misspelling_normalized", 154),
    ("target_split_across_lines", 173),
    ("target_split_across_lines", 176),
    ("target_split_across_lines", 179),
    ("name_split_across_lines", 192),
]

PROJECT_B = {
    "report_type": "performance_target",
    "template": "performance_target",
    "project_name": "12345服务热线专项经费",  # lines 274-275: '12345服务热线专项经' + '费'
    "source_line": 268,
    "title": "财政项目支出绩效目标表",
    "fiscal_year": 2020,
    "fiscal_year_source": "document",
    "implementing_unit": UNIT,
    "project_category": "经常性专项业务费",
    "performance_type": "事业/专业类",
    "includes_government_purchase": True,
    "planned_start_date": "2020-01-01",
    "planned_end_date": "2020-12-31",
    "project_overview": (
        "为全面对接“12345”市民服务热线，我局成立了“局热线办”，并由局咨询服务中心承担相应职能，"
        "“一口对接”“12345”市民服务热线各项工作，该项目以政府购买服务的方式进行，预计共需服务人员 50名，"
        "由咨询服务中心负责项目实施和对人员进行管理。"
    ),
    "legal_basis": (
        "1.《上海市人民政府办公厅关于印发<“12345”市民服务热线工作绩效考核办法>的通知》（沪府办[2018]61号） "
        "2.《上海市人民政府办公厅关于转发市信访办制定的<“12345”市民服务热线工作管理办法>的通知》（沪府办[2018]62号） "
        "3.《关于成立上海市人力资源和社会保障局“12345”市民服务热线领导小组的通知》（沪人社党委[2016]84号） "
        "4.《关于印发<关于做好“12345”市民服务热线工作的实施意见>的通知》（沪人社办[2017]10号）"
    ),
    "necessity": (
        "为全面对接“12345”市民服务热线，负责接收、办理市政府“12345”市民服务热线转办的事项；"
        "办理、督办、反馈局系统各部门的具体承办工作和办理结果；负责市人力资源和社会保障局市民服务热线工作领导小组办公室的日常工作。"
        " 本中心进行前期调研和分析研究，明确了项目实施方法和工作内容，并联系相关业务单位确定了项目人数，"
        "取得编报项目所需的政策依据和基础数据，确定了实施方案。"
    ),
    "implementation_measures": (
        "年初预算经财政批复后，由中心委托第三方劳务派遣单位进行人员招聘录用、合同签订等工作，"
        "局热线办负责人员的现场管理及具体工作安排和工作考核，中心办公室对相应结算单据审核完成后，"
        "与劳务派遣单位进行项目款结算，资金拨付根据财政统一规定。"
    ),
    "implementation_plan": (
        "（1）编制年初预算，经财政审批后，项目实施并按季结算。 （2）每季季初由人力资源科负责编制用款计划，报中心办公室。"
        " （3）每季由人力资源科负责编制人员工资清单交由劳务派遣单位确认，中心办公室根据确定无误的工资单，经中心领导审批后，"
        "通过政府采购相应程序拨付相应的项目款。"
    ),
    "overall_and_phase_goals": (
        "为全面对接“12345”市民服务热线各项工作，及时处理工单和提供知识库内容、转接座席设置、政策培训、派驻指导老师等工作，"
        "努力完成“12345”市民热线的各项考核指标，使“12345”市民服务热线满意、使人民群众满意。"
    ),
    "project_total_budget_yuan": "6836000",
    "project_total_budget_raw": "6,836,000",
    **_NO_SELF_EVALUATION,
}

# 同名项目上年预算额 / 上年预算执行数 are printed empty (line 331): no prior-year row.
FUNDS_B = [
    {
        "fund_source": "total",
        "source_line": 329,
        "fiscal_year_offset": 0,
        "amount_unit": "元",
        "budget_full_year_yuan": "6836000",
        "budget_full_year_raw": "6,836,000",
        "label_raw": "项目当年预算（元）",
    },
]

INDICATORS_B = [
    (1, 414, None, _IM, "投入管理", "预算编制合理性", "合理", None, None, None),
    (2, 416, None, _IM, "投入管理", "预算执行率", ">95%", ">", "95", "%"),
    (3, 418, None, _IM, "投入管理", "预算资金到位率", "=100%", "=", "100", "%"),
    (4, 421, None, _IM, "财务管理", "财务管理制度健全性", "健全", None, None, None),
    (5, 423, None, _IM, "财务管理", "财务监控有效性", "有效", None, None, None),
    (6, 425, None, _IM, "财务管理", "资金使用规范性", "规范", None, None, None),
    (7, 429, None, _IM, "实施管理", "项目管理制度健全性", "健全", None, None, None),
    (8, 431, None, _IM, "实施管理", "政府采购规范性", "合规", None, None, None),
    (9, 433, None, _IM, "实施管理", "合同管理完备性", "完备", None, None, None),
    (10, 435, None, _IM, "实施管理", "项目质量可控性", "可控", None, None, None),
    (11, 438, None, _OUT, "数量", "转接接通率", ">86%", ">", "86", "%"),
    (12, 440, None, _OUT, "质量", "先行联系率", "=100%", "=", "100", "%"),
    (13, 442, None, _OUT, "时效", "工单办理及时情况", "及时", None, None, None),
    (14, 447, None, _EFF, "社会效益", "按时办结率", "=100%", "=", "100", "%"),
    (15, 449, None, _EFF, "社会效益", "诉求解决率", ">98%", ">", "98", "%"),
    (16, 451, None, _EFF, "满意度", "市民满意率", ">98%", ">", "98", "%"),
    (17, 454, None, _IMP, "长效管理", "长效管理制度建设", "制定并执行", None, None, None),
    (18, 456, None, _IMP, "人力资源", "人员流失率", "<20%", "<", "20", "%"),
]

NOTES_B = [("header_value_wrapped", 275)]

#: Hand count: 17 indicators in A (lines 148-194), 18 in B (lines 414-456).
INDICATOR_COUNTS = (17, 18)

EXPECTED = [
    {"project": PROJECT_A, "funds": FUNDS_A, "indicators": INDICATORS_A, "notes": NOTES_A},
    {"project": PROJECT_B, "funds": FUNDS_B, "indicators": INDICATORS_B, "notes": NOTES_B},
]
