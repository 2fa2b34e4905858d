"""What the demo cases say: places, firms, and a table of case texts per category.

Data only, kept apart from the simulation in `cases.py` that uses it.
"""

from dataclasses import dataclass

from zongzhi.cases.models import Case, ClockPause
from zongzhi.units.models import Unit

K = Unit.Kind

# --- Words ----------------------------------------------------------------------------

FIRMS = [
    "鑫源",
    "兴华",
    "宏达",
    "盛泰",
    "金盘",
    "龙泉",
    "佳和",
    "恒通",
    "瑞丰",
    "锦程",
    "万家",
    "福康",
    "永盛",
    "广源",
    "顺达",
    "华通",
    "益康",
    "天润",
    "滇南",
    "宁兴",
]
STREETS = ["建设路", "文化路", "人民路", "新华路", "团结路", "兴华路", "环城路", "振兴街"]
ESTATES = [
    "阳光花园",
    "金城新苑",
    "玉泉小区",
    "盘江名城",
    "华溪佳苑",
    "宁州春城",
    "柑橘园小区",
    "龙泉雅居",
]
PROJECTS = (
    "华宁至弥勒高速公路",
    "盘溪柑橘产业园",
    "宁州老城片区城市更新",
    "县城污水处理厂配套管网",
    "青龙集镇道路提升改造",
    "南盘江河道治理",
    "华宁陶瓷文化产业园",
)
GOODS = ("冰箱", "电动自行车", "手机", "空调", "洗衣机", "热水器", "智能门锁")
INJURIES = ("右腿胫骨骨折", "左臂骨折及多处软组织挫伤", "肋骨骨折", "轻度颅脑损伤")
VEHICLES = ("小型轿车", "农用三轮车", "轻型货车", "摩托车")
ROADS = ("华盘公路", "县道X204线", "宁州至青龙公路", "盘江大桥路口")
ILLNESSES = ("高血压", "糖尿病", "类风湿关节炎", "慢性支气管炎")
MATTERS = ("民间借贷", "买卖合同", "房屋租赁", "承揽合同")

# Organisations, by the kind a text names as the respondent.
ORGS = {
    "builder": ("华宁县{f}建筑工程有限公司", "云南{f}建设工程有限公司", "玉溪{f}劳务有限公司"),
    "developer": ("华宁{f}房地产开发有限公司", "云南{f}置业有限公司"),
    "property": ("华宁县{f}物业服务有限公司", "{f}物业管理有限公司"),
    "factory": ("华宁县{f}陶瓷厂", "华宁{f}建材有限公司", "华宁县{f}果品加工厂"),
    "farm": ("华宁县{f}柑橘种植专业合作社", "华宁{f}农业开发有限公司"),
    "piggery": ("{f}生猪养殖场", "华宁县{f}养殖专业合作社"),
    "shop": ("{f}家电城", "{f}购物中心", "{f}家电商场"),
    "fitness": ("{f}健身会所", "{f}教育培训中心", "{f}美容养生馆"),
    "decorator": ("华宁县{f}装饰工程有限公司", "{f}装修工作室"),
    "clinic": ("华宁县人民医院", "华宁县中医医院", "{f}诊所"),
    "hq": ("{project}建设指挥部",),
    "investment": ("华宁{f}投资咨询有限公司", "云南{f}农业科技有限公司"),
    "eatery": ("{f}餐馆", "{f}农家乐", "{f}果园"),
    "company": ("华宁县{f}商贸有限公司", "华宁{f}运输有限公司"),
}


@dataclass(frozen=True)
class _Text:
    """A plausible case of one second-level category. Placeholders in braces are filled
    per case: {a} the applicant, {b} the respondent, {v} the village, {grp} the address
    within it, {n} how many people, {amt} the amount, {k} {k2} {m} {y} small numbers …"""

    code: str
    weight: int
    title: str
    description: str
    respondent: str = "person"  # "person", "relative", "none" or a key of ORGS
    people: tuple[int, int] = (1, 1)
    amount: tuple[int, int] | None = None
    # mediate: a dispute between parties; handle: a department acts; advise: a request.
    kind: str = "mediate"
    terms: str = ""  # what an agreement says (mediate)
    handled: str = ""  # what was done (handle, advise)
    risk: str = ""  # why it is risky, beyond the size of the group or the sum
    urgent: str = ""  # "violence" or "self_harm"
    details: tuple[str, ...] = ("",)
    pause: str = ""  # a reason the clock may stop (ClockPause.Reason)
    lead: str = ""  # a unit kind the intake officer prefers to the routing suggestion
    escalate: float = 0.02  # how likely the township passes it up to the county
    whistle: float = 0.03  # how likely the township summons county departments


TEXTS = [
    # 婚姻家庭
    _Text(
        "HYJT01",
        10,
        "{a}与丈夫{b}婚姻家庭纠纷",
        "{a}反映，其与丈夫{b}结婚{k}年，{detail}双方多次争吵，{a}提出离婚，"
        "要求分割共同财产并由其抚养子女。",
        details=(
            "近年来{b}长期在外务工、很少顾家，",
            "{b}沉迷赌博，欠下外债{amt}，",
            "{b}经常酒后吵闹、摔砸家具，",
        ),
        amount=(20_000, 150_000),
        terms="双方同意暂不离婚，{b}承诺戒除不良习惯，每月按时交付家庭生活费{small}元；"
        "如再次违反，{a}可依法起诉离婚",
    ),
    _Text(
        "HYJT01",
        2,
        "{a}遭丈夫{b}家庭暴力求助",
        "{a}来电求助，丈夫{b}酒后多次对其殴打，昨晚再次动手并扬言“要同归于尽”，"
        "{a}已带孩子躲到娘家，身上有多处淤伤，请求帮助。",
        urgent="violence",
        risk="存在家庭暴力情节，加害人扬言报复，有“民转刑”风险",
        lead=K.POLICE,
        terms="{b}书面保证不再实施家庭暴力，搬离共同住所三个月冷静期，每月支付子女生活费{small}元",
    ),
    _Text(
        "HYJT02",
        7,
        "{a}反映子女不履行赡养义务",
        "{a}（{age}岁）反映，其育有{k}个子女，均已成家，近年来子女以各种理由相互推诿，"
        "不支付赡养费，{a}年老体弱、患有{illness}，独自居住，生活困难。",
        respondent="relative",
        terms="{k}名子女轮流照顾老人生活起居，每人每月支付赡养费{small}元，医疗费用凭票据按份分担",
    ),
    _Text(
        "HYJT03",
        5,
        "{a}兄妹遗产继承纠纷",
        "{a}反映，父亲去世后留下位于{v}{grp}的房屋{k}间及承包地{area}亩，"
        "其兄{b}独自占用，拒绝分割，兄妹间矛盾激化。",
        respondent="relative",
        amount=(80_000, 400_000),
        terms="老宅归{b}所有，{b}补偿{a}{amt}；承包地按约定由双方分别耕种",
    ),
    # 邻里纠纷
    _Text(
        "LLJF01",
        9,
        "{a}与邻居{b}相邻排水纠纷",
        "{a}反映，邻居{b}翻建房屋时抬高地基，雨季排水直接流入其院内，"
        "导致墙体受潮开裂，多次协商未果。{detail}",
        details=("", "双方曾为此发生口角。", "{a}要求{b}修建排水沟并赔偿损失。"),
        terms="{b}在两家之间修建排水沟，费用由{b}承担，{a}配合施工，双方互谅互让",
    ),
    _Text(
        "LLJF01",
        6,
        "{a}反映邻居{b}搭建彩钢棚影响通行采光",
        "{a}反映，邻居{b}在两家共用通道上搭建彩钢棚并堆放杂物，影响通行和采光，"
        "{a}多次要求拆除未果。",
        terms="{b}于十日内拆除占用共用通道部分的彩钢棚并清理杂物，保持通道畅通",
    ),
    _Text(
        "LLJF02",
        7,
        "{a}与{b}宅基地界址纠纷",
        "{a}反映，邻居{b}建房时越界占用其宅基地约{k}平方米，双方发生争执，村组干部调解未果。",
        terms="以村委会和自然资源所现场确认的界址为准，{b}拆除越界部分围墙，{a}不再追究其他责任",
        pause=ClockPause.Reason.OTHER,
    ),
    _Text(
        "LLJF02",
        1,
        "{a}与{b}因宅基地争执持械对峙",
        "网格员发现，{a}与{b}两家因宅基地界址问题发生激烈争吵，{b}手持锄头扬言“谁敢动土就拼命”，"
        "现场情绪激动，已劝离双方。",
        urgent="violence",
        risk="双方已持械对峙，有发生肢体冲突的现实危险",
        terms="双方同意以村委会现场确认的界址为准，{b}停止施工并向{a}赔礼道歉",
    ),
    _Text(
        "LLJF03",
        7,
        "{a}与{b}因琐事发生口角",
        "{a}反映，{detail}双方发生口角并互相推搡，需调解。",
        details=(
            "{b}家饲养的鸡鸭多次进入其菜地啄食蔬菜，",
            "{b}家的狗咬伤其家中山羊，",
            "{b}在其门口倾倒生活垃圾，",
        ),
        terms="{b}赔偿{a}损失{small}元，双方互相道歉，今后和睦相处",
    ),
    # 劳资纠纷/欠薪
    _Text(
        "LZJF01",
        8,
        "{n}名农民工被拖欠工资",
        "{a}等{n}名工人反映，其在{b}承建的{project}项目务工，工程完工后公司以工程款未结清为由"
        "拖欠工资共计{amt}，多次讨要无果。",
        respondent="builder",
        people=(6, 45),
        amount=(80_000, 900_000),
        risk="群体性讨薪，工人曾到项目部聚集",
        terms="{b}于{deadline}前分两次付清拖欠工资{amt}，由人社部门监督发放",
        handled="经人社部门督促，{b}已将拖欠工资{amt}全额发放至工人账户",
        lead=K.JUSTICE,
        escalate=0.25,
        whistle=0.45,
    ),
    _Text(
        "LZJF01",
        1,
        "{a}讨薪无果扬言轻生",
        "{a}在{b}承建的{project}项目务工，被拖欠工资{amt}，今日上午爬上项目塔吊，"
        "扬言不结清工资就跳下，现场已有群众围观。",
        respondent="builder",
        amount=(15_000, 60_000),
        urgent="self_harm",
        risk="当事人扬言轻生，需立即稳控并做好心理疏导",
        terms="{b}当场支付{a}工资{amt}的一半，余款于{deadline}前付清",
        whistle=0.5,
    ),
    _Text(
        "LZJF01",
        6,
        "{a}被拖欠工资",
        "{a}反映，其在{b}务工{m}个月，老板以生意不好为由拖欠工资{amt}，多次讨要无果。",
        respondent="eatery",
        amount=(3_000, 30_000),
        terms="{b}于{deadline}前一次性支付{a}工资{amt}",
    ),
    _Text(
        "LZJF02",
        4,
        "{a}与{b}劳动合同纠纷",
        "{a}反映，其在{b}工作{k}年，公司未签订书面劳动合同，也未缴纳社会保险，"
        "近日被无故辞退，要求支付经济补偿。",
        respondent="company",
        amount=(8_000, 40_000),
        terms="{b}支付{a}经济补偿{amt}，双方解除劳动关系，补缴在职期间社会保险",
    ),
    _Text(
        "LZJF03",
        3,
        "{a}与{b}工伤待遇纠纷",
        "{a}在{b}务工期间，因操作设备受伤，造成{injury}，经鉴定为{grade}级伤残，"
        "双方就工伤待遇赔偿金额分歧较大。",
        respondent="factory",
        amount=(50_000, 260_000),
        pause=ClockPause.Reason.APPRAISAL,
        terms="{b}一次性支付{a}一次性伤残补助金、医疗补助金等各项工伤待遇共计{amt}",
    ),
    # 征地拆迁
    _Text(
        "ZDCQ01",
        4,
        "{v}{n}户村民对征地补偿有异议",
        "{v}{grp}{n}户村民反映，{project}征收其承包地共{area}亩，认为青苗及地上附着物"
        "补偿标准偏低、测量面积有误，要求重新丈量并提高补偿。",
        respondent="hq",
        people=(8, 40),
        amount=(300_000, 3_000_000),
        kind="handle",
        risk="涉及征地补偿，村民曾聚集到镇政府",
        handled="会同自然资源、住建部门重新丈量，更正面积差错{k}亩并补发补偿款，"
        "对补偿标准逐户进行政策解释",
        escalate=0.4,
        whistle=0.6,
        pause=ClockPause.Reason.OTHER,
    ),
    _Text(
        "ZDCQ02",
        2,
        "{a}对房屋拆迁评估价格不满",
        "{a}反映，其位于{v}{grp}的砖混房屋纳入{project}拆迁范围，评估价格明显低于周边"
        "市场价，拒绝签订拆迁协议。",
        respondent="hq",
        amount=(200_000, 800_000),
        kind="handle",
        handled="委托第三方评估机构复核评估，依法调增部分补偿，{a}已签订拆迁补偿协议",
        pause=ClockPause.Reason.APPRAISAL,
        escalate=0.3,
        whistle=0.4,
    ),
    _Text(
        "ZDCQ03",
        2,
        "{a}等{n}户拆迁户安置房逾期未交付",
        "{a}等{n}户拆迁户反映，{project}安置房原定去年年底交付，至今仍未完工，"
        "过渡费也已停发{m}个月。",
        respondent="hq",
        people=(6, 30),
        amount=(100_000, 600_000),
        kind="handle",
        risk="拆迁户情绪激动，酝酿集体上访",
        handled="督促指挥部补发过渡费，明确安置房交付时间表并向拆迁户公开",
        escalate=0.5,
        whistle=0.5,
    ),
    # 山林土地
    _Text(
        "SLTD01",
        6,
        "{a}与{b}承包地边界纠纷",
        "{a}反映，其承包的{place}地块与{b}家相邻，{b}种植柑橘时将界桩外移约{k}米，侵占其承包地。",
        terms="双方按土地承包经营权证四至重新埋设界桩，{b}移栽越界柑橘树",
        pause=ClockPause.Reason.OTHER,
    ),
    _Text(
        "SLTD02",
        2,
        "{v}两个村民小组林地权属争议",
        "{v}第{k}村民小组与第{k2}村民小组因{place}一片约{area}亩林地权属发生争议，"
        "双方均称拥有林权，近日因砍伐林木发生冲突。",
        respondent="none",
        people=(10, 60),
        kind="handle",
        risk="两个村民小组之间的纠纷，已发生推搡",
        handled="经县自然资源局调取林权档案，确认争议林地权属，组织两组签订界址确认书",
        escalate=0.3,
        whistle=0.7,
    ),
    _Text(
        "SLTD03",
        4,
        "{n}户农户土地流转租金被拖欠",
        "{a}等{n}户农户反映，{b}流转其土地{area}亩种植柑橘，约定每亩每年租金{rent}元，"
        "已拖欠{y}年租金共计{amt}。",
        respondent="farm",
        people=(5, 25),
        amount=(50_000, 400_000),
        terms="{b}于{deadline}前付清拖欠租金{amt}，今后租金每年三月底前支付",
        whistle=0.2,
    ),
    # 房产物业
    _Text(
        "FCWY01",
        5,
        "{xq}业主与物业服务纠纷",
        "{a}等业主反映，{b}服务质量差，电梯经常停运、垃圾清运不及时，却要求上调物业费，"
        "业主拒缴后物业以停水相威胁。",
        respondent="property",
        people=(2, 12),
        terms="{b}于一个月内修复电梯、整改保洁，物业费维持原标准，业主补缴欠费",
    ),
    _Text(
        "FCWY02",
        3,
        "{a}反映新购住房墙体开裂渗水",
        "{a}反映，其购买{b}开发的{xq}{k}栋住房，入住不到两年即出现墙体开裂、卫生间渗水，"
        "开发商推诿维修。",
        respondent="developer",
        amount=(10_000, 60_000),
        terms="{b}于三十日内完成维修，并补偿{a}损失{small}元",
    ),
    _Text(
        "FCWY03",
        2,
        "{xq}{n}名购房户逾期交房",
        "{a}等{n}名购房户反映，{b}开发的{xq}二期合同约定的交房日期已过{m}个月，"
        "项目停工，开发商以资金困难为由拒绝支付违约金。",
        respondent="developer",
        people=(20, 80),
        amount=(500_000, 4_000_000),
        kind="handle",
        risk="购房户情绪激动，有组织集体上访迹象",
        handled="住建部门约谈开发商，督促复工并明确交房时间，违约金按合同分期支付",
        escalate=0.5,
        whistle=0.6,
    ),
    # 医疗纠纷
    _Text(
        "YLJF01",
        3,
        "{a}家属对{b}诊疗结果有异议",
        "{a}反映，其父亲在{b}住院治疗期间病情加重，转院后去世，家属认为医院存在延误诊治，"
        "要求赔偿，并在医院门口拉横幅。",
        respondent="clinic",
        people=(2, 6),
        amount=(100_000, 500_000),
        risk="家属情绪激动，有“医闹”苗头",
        pause=ClockPause.Reason.APPRAISAL,
        terms="{b}一次性补偿{a}家属{amt}，家属撤除横幅，今后不再以此事主张权利",
        whistle=0.3,
    ),
    _Text(
        "YLJF02",
        2,
        "{a}对{b}医疗收费有异议",
        "{a}反映，其在{b}就诊，认为收取的检查费用过高且存在重复收费，要求退还。",
        respondent="clinic",
        amount=(2_000, 20_000),
        kind="handle",
        handled="经卫生健康部门核查，退还重复收取的检查费{small}元，并向{a}说明收费依据",
    ),
    # 环境保护
    _Text(
        "HJBH01",
        4,
        "{xq}附近夜间施工噪声扰民",
        "{a}等居民反映，{b}在{xq}附近施工，经常夜间施工至凌晨，噪声严重影响休息。",
        respondent="builder",
        people=(2, 10),
        kind="handle",
        handled="经现场检查，责令施工单位夜间停止高噪声作业，已调整作业时间",
    ),
    _Text(
        "HJBH02",
        3,
        "{b}排放废水污染农田",
        "{v}村民反映，{b}将未经处理的生产废水排入灌溉沟渠，下游约{area}亩农田受到污染，"
        "柑橘树出现落叶。",
        respondent="factory",
        people=(6, 30),
        amount=(30_000, 300_000),
        kind="handle",
        risk="涉及群众切身利益，村民曾堵厂门",
        handled="生态环境部门现场取样监测，责令停产整改并依法处罚，企业赔偿受损农户{amt}",
        whistle=0.7,
        escalate=0.2,
    ),
    _Text(
        "HJBH03",
        3,
        "{b}养殖粪污直排",
        "{a}等村民反映，{b}养殖粪污未经处理直排，臭味熏天，下游水源受到影响。",
        respondent="piggery",
        people=(3, 12),
        kind="handle",
        handled="责令养殖场建设粪污处理设施、限期整改，整改完成前削减存栏量",
        whistle=0.6,
    ),
    # 经济金融
    _Text(
        "JJJR01",
        7,
        "{a}与{b}民间借贷纠纷",
        "{a}反映，{y}年前{b}因做生意向其借款{amt}，约定一年归还，现已逾期{m}个月，"
        "{b}以资金周转困难为由拒不归还。",
        amount=(20_000, 300_000),
        terms="{b}分{k}期归还借款{amt}，每月{day}日前支付，逾期未付{a}可就余款申请强制执行",
    ),
    _Text(
        "JJJR02",
        1,
        "{b}涉嫌非法吸收公众存款",
        "{a}等{n}名群众反映，{b}以“投资柑橘基地、月息两分”为名吸收资金，现无法兑付本息，"
        "涉及金额约{amt}。",
        respondent="investment",
        people=(10, 60),
        amount=(1_000_000, 8_000_000),
        kind="handle",
        risk="涉众型经济犯罪线索，群众情绪激动",
        handled="公安机关已立案侦查，冻结涉案账户，登记受损群众{n}人并做好解释",
        escalate=0.9,
    ),
    _Text(
        "JJJR03",
        4,
        "{a}与{b}买卖合同纠纷",
        "{a}反映，其向{b}出售柑橘{k}吨，货款{amt}，{b}仅支付部分货款，余款拖欠至今。",
        respondent="farm",
        amount=(20_000, 200_000),
        terms="{b}于{deadline}前付清余下货款{amt}",
    ),
    # 涉法涉诉
    _Text(
        "SFSS01",
        3,
        "{a}反映生效判决长期未执行",
        "{a}与{b}{matter}纠纷一案经华宁县人民法院判决，{b}应支付{amt}，判决生效已{m}个月，"
        "{b}一直未履行，{a}申请执行后仍未执行到位。",
        amount=(20_000, 200_000),
        kind="handle",
        handled="协调人民法院加大执行力度，{b}已履行部分款项，余款与{a}达成执行和解",
        escalate=0.3,
    ),
    _Text(
        "SFSS02",
        2,
        "{a}不服法院判决反映诉求",
        "{a}对华宁县人民法院作出的{matter}纠纷判决不服，认为判决不公，多次到镇政府反映。",
        kind="advise",
        handled="已向{a}释法明理，引导其依法向上级人民法院申请再审",
    ),
    # 消费
    _Text(
        "XF01",
        5,
        "{a}购买的{goods}存在质量问题",
        "{a}反映，在{b}购买的{goods}（价格{amt}）使用不到一个月即出现故障，商家拒绝退换。",
        respondent="shop",
        amount=(800, 9_000),
        terms="{b}为{a}更换同型号新品并承担往返运费",
    ),
    _Text(
        "XF02",
        3,
        "{a}与{b}装修服务纠纷",
        "{a}反映，其委托{b}装修住房，合同价{amt}，装修公司偷工减料，工期拖延{m}个月。",
        respondent="decorator",
        amount=(30_000, 150_000),
        terms="{b}于一个月内返工整改，减免装修款{small}元",
    ),
    _Text(
        "XF03",
        2,
        "{b}关门停业，{n}名会员预付卡无法退费",
        "{a}等{n}名会员反映，{b}突然关门停业，其办理的预付卡余额无法使用，"
        "涉及金额约{amt}，经营者联系不上。",
        respondent="fitness",
        people=(10, 60),
        amount=(50_000, 400_000),
        kind="handle",
        risk="涉及人数较多，会员在门店聚集",
        handled="市场监管部门找到经营者，督促制定退费方案，已分批退还会员余额",
        whistle=0.6,
    ),
    # 交通事故
    _Text(
        "JTSG01",
        7,
        "{a}与{b}交通事故赔偿纠纷",
        "{b}驾驶{vehicle}在{road}与{a}驾驶的电动自行车相撞，造成{a}{injury}，"
        "交警认定{b}负主要责任，双方就赔偿金额协商不成。",
        amount=(20_000, 200_000),
        pause=ClockPause.Reason.APPRAISAL,
        terms="{b}及其投保的保险公司赔偿{a}医疗费、误工费等各项损失共计{amt}",
    ),
    # 其他
    _Text(
        "QT01",
        4,
        "{v}自来水管网老化经常停水",
        "{a}反映，{v}{grp}自来水管网老化，近一个月已停水{k}次，群众生活用水困难。",
        respondent="none",
        people=(1, 8),
        kind="advise",
        handled="协调供水公司更换老化管段{k}百米，已恢复正常供水",
    ),
    _Text(
        "QT02",
        4,
        "建议在{v}路口增设减速带和路灯",
        "{a}反映，{v}{road}路口车流量大、夜间无照明，近期发生多起交通事故，建议增设减速带和路灯。",
        respondent="none",
        kind="advise",
        handled="已协调交通运输部门设置减速带和警示标志，路灯纳入年度建设计划",
    ),
]

CHANNEL_WEIGHTS = {
    Case.Channel.VISIT: 24,
    Case.Channel.PHONE: 12,
    Case.Channel.LETTER: 3,
    Case.Channel.GRID: 20,
    Case.Channel.HOTLINE: 16,
    Case.Channel.ONLINE: 7,
    Case.Channel.TRANSFER: 5,
    Case.Channel.SCREENING: 7,
    Case.Channel.PETITION: 4,
    Case.Channel.API: 2,
}
# Channels through which people come to the office, or which the office itself works.
OFFICE_CHANNELS = {
    Case.Channel.VISIT,
    Case.Channel.LETTER,
    Case.Channel.TRANSFER,
    Case.Channel.SCREENING,
    Case.Channel.PETITION,
}
# The county departments a township summons (吹哨), by top-level category.
WHISTLE_KINDS = {
    "HYJT": [K.CIVIL_AFFAIRS],
    "LLJF": [K.JUSTICE],
    "LZJF": [K.HUMAN_RESOURCES],
    "ZDCQ": [K.NATURAL_RESOURCES, K.HOUSING],
    "SLTD": [K.NATURAL_RESOURCES],
    "FCWY": [K.HOUSING],
    "YLJF": [K.HEALTH],
    "HJBH": [K.ENVIRONMENT],
    "JJJR": [K.POLICE, K.MARKET_REGULATION],
    "SFSS": [K.COURT],
    "XF": [K.MARKET_REGULATION],
    "JTSG": [K.POLICE],
    "QT": [K.PETITION],
}
NOTICES = ("当面告知并送达不予受理告知书", "电话告知", "书面告知", "短信告知")
REJECTIONS: dict[str, str] = {
    "SFSS": "该事项已进入诉讼程序，依法不予受理，已告知当事人向人民法院了解案件进展。",
    "LZJF": "该事项属于劳动人事争议仲裁受理范围，已引导当事人向县劳动人事争议仲裁委员会申请仲裁。",
    "JJJR": "双方借贷关系已由人民法院作出生效判决，告知当事人依法申请强制执行。",
    "": "该纠纷已由人民法院立案受理，正在诉讼中，不再重复受理，已告知当事人等待法院处理。",
}
ACCEPT_NOTES = ("", "", "材料齐全，予以受理。", "已告知反映人受理结果和办理时限。")
PROGRESS_NOTES = (
    "已电话联系申请人，了解具体诉求。",
    "已约谈被申请人，释法明理，对方同意配合处理。",
    "会同村（社区）干部到现场实地查看，拍照留存。",
    "已调取相关合同、收据等材料，正在核实。",
    "分别走访双方当事人及周边群众，了解纠纷来龙去脉。",
)
SESSION_RECORDS = (
    "分别听取双方陈述，释明相关法律规定，双方分歧较大，约定下次继续调解。",
    "组织背对背调解，{b}态度有所松动，同意在金额上作出让步。",
    "邀请村组干部和双方亲属参加，双方就主要事实达成共识，具体金额仍有分歧。",
)
SESSION_DONE = "经耐心调解，双方达成一致意见，当场签订调解协议。"
SUPERVISION_TEXTS = (
    "该事项涉及人数较多，请主办单位加大工作力度，及时反馈化解进展。",
    "群众多次来电催办，请加快办理，按期办结。",
    "请主办单位制定化解方案，落实稳控措施，防止矛盾激化。",
)
SUPERVISION_ANSWERS = (
    "已组织双方再次协商，预计本周内办结。",
    "已召开协调会，化解方案正在落实，每周报告进展。",
    "已落实专人稳控，正在等待相关部门答复，将按期办结。",
)
EXTENSION_REASONS = (
    "需等待鉴定结论，申请延长办理期限。",
    "当事人外出务工，无法按期到场调解，申请延期。",
    "涉及多个部门协调，需延长办理期限。",
)
WHISTLE_REASONS = (
    "该事项涉及{dept}职责，需到场核实情况、参与化解。",
    "乡镇层面协调未果，请{dept}到场指导并依法处理。",
)
WHISTLE_ANSWERS = (
    "已派员到现场核实，提出处理意见。",
    "已参加现场协调会，将依职责跟进处理。",
    "已调取相关档案资料，出具书面意见。",
)
ESCALATE_REASONS = (
    "涉及人数多、金额大，乡镇层面难以化解，提请县综治中心统筹协调。",
    "需县级职能部门依法处理，报请县综治中心派单。",
    "多次调处未果，群众情绪激动，提请县级层面化解。",
)
RETURN_REASONS: dict[str, str] = {
    K.POLICE: "经核实，该事项系民事纠纷，不属于公安机关管辖范围，退回重新派单。",
    K.JUSTICE: "该事项需专业部门依职责处理，不属于本所职责，退回重新派单。",
}
TRANSFER_NOTES: dict[str, str] = {
    K.POLICE: "调查中发现涉嫌违反治安管理，转派出所依法处理。",
    K.JUSTICE: "纠纷较为复杂，转司法所组织专业调解。",
}
VISIT_NOTES = {
    Case.Satisfaction.SATISFIED: ("电话回访，当事人对处理结果满意。", "上门回访，当事人表示满意。"),
    Case.Satisfaction.BASICALLY: (
        "电话回访，当事人表示基本满意。",
        "当事人基本满意，对办理时间较长有意见。",
    ),
}
# A return visit, and what is done after it, for outcomes that promised something (an
# agreement, an action) and for those that did not.
PROMISED = {Case.Outcome.MEDIATED, Case.Outcome.PARTLY, Case.Outcome.HANDLED}
UNSATISFIED = {
    True: (
        "当事人反映对方未按约定履行，要求继续处理。",
        "再次约谈被申请人，督促其按约定履行。",
        "经再次督促，对方已履行完毕，申请人诉求已解决。",
    ),
    False: (
        "当事人认为处理结果不公，要求重新办理。",
        "再次组织双方协商，并向申请人详细说明处理依据。",
        "经再次协商仍未达成一致，已向当事人释法明理并告知其依法维权的途径。",
    ),
}
PAUSE_NOTES: dict[str, str] = {
    ClockPause.Reason.APPRAISAL: "已委托鉴定机构进行鉴定，等待鉴定结论。",
    ClockPause.Reason.HEARING: "依法组织听证，听证期间中止计时。",
    ClockPause.Reason.OTHER: "等待相关部门出具测量、确权意见。",
}
# How an agreement is carried out: paying, or doing something.
PAYING = (
    "协议签订之日起{k}日内一次性履行完毕。",
    "分{k}期履行，每月{day}日前支付，{deadline}前全部履行完毕。",
    "签订协议时当场履行完毕。",
)
DOING = (
    "自协议签订之日起履行，{deadline}前履行完毕，由村（居）委会监督。",
    "协议签订之日起{k}日内履行完毕。",
)
# How likely a return visit finds the person satisfied rather than basically satisfied.
SATISFIED_SHARE: dict[str, int] = {
    Case.Outcome.MEDIATED: 80,
    Case.Outcome.HANDLED: 75,
    Case.Outcome.PARTLY: 55,
    Case.Outcome.EXPLAINED: 50,
    Case.Outcome.NOT_MEDIATED: 30,
    Case.Outcome.UNFOUNDED: 35,
}
