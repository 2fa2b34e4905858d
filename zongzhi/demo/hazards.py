"""The demo county's risk-hazard register (风险隐患台账): about sixty hazards, at every
level and in every status, each with its plan (一事一策), reviews and timeline.

Some were found in screening: demo/screening.py files the reports whose findings register
them. The rest are registered here directly by the people whose places they lie in, and
then every hazard is kept through the services, by the unit answering for it (or the
township's centre where the demo has nobody in that unit): measures planned and carried
out, reviews, and some resolved, eliminated or turned into a case.

The services date every step today. The demo's history is back-dated only where no
timeline is rewritten: the day each hazard was found (given to the service), and, for the
hazards left without a review, the review date that passed unattended (an update of
`next_review_on`); the sweep then warns their owners as the scheduled task would.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from zongzhi.accounts.actors import SYSTEM, Actor
from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.categories.models import Category
from zongzhi.demo.case_texts import ESTATES, FIRMS, PROJECTS
from zongzhi.demo.people import money, phone, resident_name
from zongzhi.hazards import services
from zongzhi.hazards.models import Hazard
from zongzhi.hazards.rules import Status
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

TOTAL = 60  # hazards in the demo register, those found in screening included
K = Unit.Kind
L = Hazard.Level


# --- What a hazard says -----------------------------------------------------------------


@dataclass(frozen=True)
class HazardText:
    title: str
    description: str
    category: str  # a second-level category code
    levels: tuple[str, ...]  # the levels it may have; high and major give `reasons`
    reasons: str
    owner: tuple[str, str]  # the answering unit: ("county" | "township" | "village", kind)
    people: tuple[int, int]
    measures: tuple[tuple[str, str], ...]  # (what, who carries it out)
    reviews: tuple[str, ...]
    resolved: str  # 已化解
    eliminated: str  # 已消除
    amount: tuple[int, int] | None = None


TEXTS = [
    HazardText(
        title="{firm}建筑公司{project}工地拖欠农民工工资",
        description=(
            "{project}项目{v}段工地停工近两个月，{n}名农民工工资约{amt}未结清，"
            "工人多次到项目部讨要未果，有聚集讨薪苗头。"
        ),
        category="LZJF01",
        levels=(L.HIGH, L.MAJOR, L.MEDIUM),
        reasons="涉及人数多、金额较大，临近年底易引发聚集讨薪",
        owner=("county", K.HUMAN_RESOURCES),
        people=(12, 46),
        amount=(180_000, 1_200_000),
        measures=(
            ("约谈施工企业负责人，督促制定工资支付计划并书面承诺支付期限", "县人社局劳动监察大队"),
            ("核查用工实名制和工资专户，督促总包单位先行垫付", "县住建局"),
            ("包保责任人每周到工地了解工人诉求和思想动态", "包保责任人"),
        ),
        reviews=(
            "已支付第一期工资，剩余部分承诺月底前付清，工人情绪平稳。",
            "企业资金仍未到位，工人等待中，已再次约谈企业。",
        ),
        resolved="经人社部门调处，企业与工人签订支付协议并按期履行，矛盾已化解。",
        eliminated="拖欠工资已全部足额支付到工人个人账户，风险已消除。",
    ),
    HazardText(
        title="{xq}物业费纠纷酝酿集体上访",
        description=(
            "{xq}业主因物业服务质量差、公共收益不公开，与物业公司矛盾加剧，"
            "约{n}户业主拒交物业费，业主群内有人串联准备集体到县里上访。"
        ),
        category="FCWY01",
        levels=(L.HIGH, L.MEDIUM),
        reasons="业主串联，酝酿集体上访",
        owner=("county", K.HOUSING),
        people=(30, 120),
        measures=(
            ("组织业主代表、物业公司召开协调会，公开公共收益账目", "社区居委会"),
            ("督促物业公司限期整改电梯维保和环境卫生问题", "县住建局物业股"),
            ("指导业主依法筹备成立业主委员会", "街道综治中心"),
        ),
        reviews=(
            "物业公司已公示公共收益，业主情绪有所缓和。",
            "整改推进较慢，业主仍有意见，已督促物业公司加快进度。",
        ),
        resolved="物业公司整改到位，与业主代表签订服务承诺，纠纷已化解。",
        eliminated="原物业公司退出，业主大会依法选聘新物业，风险已消除。",
    ),
    HazardText(
        title="{project}项目征地补偿款未足额到位",
        description=(
            "{v}{project}项目征地补偿款尚有约{amt}未拨付到户，{n}户群众多次到村委会询问，情绪不满。"
        ),
        category="ZDCQ01",
        levels=(L.MEDIUM, L.HIGH),
        reasons="涉及户数多，群众反复询问未得到答复",
        owner=("county", K.NATURAL_RESOURCES),
        people=(8, 60),
        amount=(300_000, 2_600_000),
        measures=(
            ("核对征地补偿款拨付台账，查明未到位原因", "县自然资源局"),
            ("向群众公开补偿标准和拨付进度", "村委会"),
            ("协调项目业主单位限期拨付剩余补偿款", "乡镇综治中心"),
        ),
        reviews=(
            "补偿款已拨付大部分，剩余部分已列入下月资金计划。",
            "资金仍在审批中，已向群众说明进度，暂未出现聚集。",
        ),
        resolved="补偿款已全部拨付到户，群众签字确认，矛盾已化解。",
        eliminated="补偿款足额到位并公示，风险已消除。",
    ),
    HazardText(
        title="{v}两村民小组山林权属争议",
        description=(
            "{v}第{k}、{k2}村民小组对{place}一片林地的权属各执一词，"
            "双方曾因砍伐发生推搡，涉及{n}户。"
        ),
        category="SLTD02",
        levels=(L.MEDIUM, L.LOW, L.HIGH),
        reasons="双方已发生肢体冲突，存在械斗风险",
        owner=("township", K.JUSTICE),
        people=(10, 40),
        measures=(
            ("调取林权证和历史档案，会同林草部门现场勘界", "司法所"),
            ("争议未解决前暂停在争议林地砍伐", "村委会"),
            ("组织双方代表调解，明确权属界线", "乡镇人民调解委员会"),
        ),
        reviews=(
            "双方同意暂停砍伐，等待勘界结果。",
            "勘界已完成，正在组织双方协商。",
        ),
        resolved="经调解双方签订林地权属协议，树立界桩，纠纷已化解。",
        eliminated="县人民政府已作出权属确权决定并送达双方，风险已消除。",
    ),
    HazardText(
        title="{a}家庭矛盾有激化苗头",
        description=(
            "{v}村民{a}与妻子长期不和，近期多次争吵，{a}酒后扬言要“同归于尽”，邻居反映有激化苗头。"
        ),
        category="HYJT01",
        levels=(L.HIGH, L.MAJOR),
        reasons="当事人有过激言语，存在民转刑风险",
        owner=("township", K.POLICE),
        people=(2, 4),
        measures=(
            ("民警上门对当事人开展法治教育，必要时出具告诫书", "派出所"),
            ("妇联和村调委会入户做双方思想工作", "村调委会"),
            ("网格员每日关注家庭动态，发现异常立即报告", "网格员"),
        ),
        reviews=(
            "近期未再发生争吵，当事人已戒酒，情绪稳定。",
            "双方仍分居，但未发生冲突，继续关注。",
        ),
        resolved="经多次调解夫妻和好，签订家庭和睦承诺，矛盾已化解。",
        eliminated="双方经法院调解离婚，财产分割和子女抚养已落实，风险已消除。",
    ),
    HazardText(
        title="{v}土地流转租金拖欠",
        description=(
            "{v}约{area}亩土地流转给{firm}种植专业合作社，约定租金已拖欠一年，"
            "{n}户农户不满，扬言收回土地。"
        ),
        category="SLTD03",
        levels=(L.MEDIUM, L.LOW),
        reasons="",
        owner=("township", K.CENTRE),
        people=(20, 80),
        amount=(60_000, 400_000),
        measures=(
            ("约谈合作社负责人，核实经营和资金情况", "乡镇综治中心"),
            ("组织农户代表与合作社协商租金支付方案", "村委会"),
        ),
        reviews=(
            "合作社已支付半年租金，农户基本接受分期方案。",
            "合作社经营困难，正在协调引入新的经营主体。",
        ),
        resolved="合作社与农户签订补充协议并付清欠租，矛盾已化解。",
        eliminated="新经营主体接手流转并一次性结清欠租，风险已消除。",
    ),
    HazardText(
        title="{firm}陶瓷厂经营困难可能欠薪",
        description=(
            "{firm}陶瓷厂订单骤减，已连续两个月未足额发放工资，"
            "{n}名职工担心被拖欠，部分职工准备到政府反映。"
        ),
        category="LZJF01",
        levels=(L.MEDIUM, L.HIGH),
        reasons="企业资金链紧张，职工人数较多",
        owner=("county", K.HUMAN_RESOURCES),
        people=(20, 90),
        amount=(150_000, 800_000),
        measures=(
            ("督促企业按月公示工资发放情况", "县人社局"),
            ("协调金融机构为企业办理稳岗贷款", "县工业和信息化部门"),
        ),
        reviews=("企业已补发一个月工资，职工情绪稳定。",),
        resolved="企业恢复生产，拖欠工资已补发，矛盾已化解。",
        eliminated="企业已全额支付工资并缴清社保，风险已消除。",
    ),
    HazardText(
        title="{v}宅基地界址争议反复",
        description="{v}村民{a}与{b}两户因建房宅基地界址多次争吵，{b}已备料准备动工。",
        category="LLJF02",
        levels=(L.LOW, L.MEDIUM),
        reasons="",
        owner=("village", K.MEDIATION_COMMITTEE),
        people=(2, 8),
        measures=(
            ("村调委会到现场丈量，对照宅基地批复核实界址", "村调委会"),
            ("劝导一方暂缓动工，等待界址确认", "网格员"),
        ),
        reviews=("双方同意按批复界址建房，正在等待国土所复核。",),
        resolved="经调解双方按批复界址达成一致，签订协议，纠纷已化解。",
        eliminated="自然资源所复核确认界址并现场定桩，风险已消除。",
    ),
    HazardText(
        title="{v}有人以高息吸收老年人资金",
        description=(
            "有人在{v}以“养老项目”“月息两分”为诱饵吸收老年人资金，"
            "已有{n}名老人投入约{amt}，资金去向不明。"
        ),
        category="JJJR02",
        levels=(L.MAJOR, L.HIGH),
        reasons="涉众型经济风险，参与者多为老年人，资金链断裂可能引发群体事件",
        owner=("county", K.POLICE),
        people=(15, 70),
        amount=(400_000, 3_000_000),
        measures=(
            ("公安机关开展初查，固定相关证据", "县公安局经侦大队"),
            ("入户开展防范非法集资宣传，劝导老人停止投入", "村委会"),
            ("登记参与人员及投入金额，做好稳控工作", "乡镇综治中心"),
        ),
        reviews=(
            "已立案侦查，参与群众情绪基本稳定。",
            "部分资金已冻结，继续做好参与群众的解释工作。",
        ),
        resolved="涉案资金已按比例清退，参与群众表示接受，矛盾已化解。",
        eliminated="相关人员已被依法处理，吸收资金活动已停止，风险已消除。",
    ),
    HazardText(
        title="{v}养猪场粪污直排引发村民不满",
        description=(
            "{v}一养猪场粪污直排沟渠，周边{n}户村民多次反映臭味和农田污染，"
            "有人扬言堵路阻止运猪车辆。"
        ),
        category="HJBH03",
        levels=(L.MEDIUM, L.HIGH),
        reasons="村民扬言堵路，可能发生冲突",
        owner=("county", K.ENVIRONMENT),
        people=(15, 50),
        measures=(
            ("生态环境部门现场取样监测，责令限期整改", "县生态环境分局"),
            ("督促养殖场建设粪污处理设施", "乡镇农业服务中心"),
        ),
        reviews=("养殖场已停止直排，粪污处理设施正在建设。",),
        resolved="养殖场整改到位并对受影响农户给予补偿，矛盾已化解。",
        eliminated="养殖场已关停搬迁，风险已消除。",
    ),
    HazardText(
        title="{xq}二期逾期交房购房者酝酿维权",
        description=(
            "{xq}二期商品房已逾期交付半年，{n}余户购房者组建维权群，酝酿到售楼部和县政府集体维权。"
        ),
        category="FCWY03",
        levels=(L.HIGH, L.MAJOR),
        reasons="涉及购房户多，已组建维权群，可能发生集体上访",
        owner=("county", K.HOUSING),
        people=(60, 200),
        measures=(
            ("约谈开发企业，督促制定复工和交房计划", "县住建局"),
            ("监管预售资金，确保专款用于项目建设", "县住建局房产股"),
            ("组织购房者代表座谈，通报项目进展", "街道综治中心"),
        ),
        reviews=(
            "项目已复工，开发企业承诺年内交房，购房者情绪有所缓和。",
            "复工进度缓慢，已再次约谈开发企业。",
        ),
        resolved="开发企业按承诺交房并支付逾期违约金，矛盾已化解。",
        eliminated="房屋已全部交付并办理入住，风险已消除。",
    ),
    HazardText(
        title="{v}拆迁安置房分配有不同意见",
        description="{v}拆迁安置房分配方案公示后，{n}户群众对选房顺序和面积认定有意见。",
        category="ZDCQ03",
        levels=(L.MEDIUM, L.LOW),
        reasons="",
        owner=("township", K.CENTRE),
        people=(6, 30),
        measures=(
            ("逐户解释安置政策和面积认定依据", "乡镇征拆办"),
            ("邀请群众代表全程监督选房过程", "村委会"),
        ),
        reviews=("已对有异议的群众逐户解释，多数表示理解。",),
        resolved="经解释和复核，群众对分配结果无异议，矛盾已化解。",
        eliminated="选房已完成并公示无异议，风险已消除。",
    ),
    HazardText(
        title="{a}等子女赡养老人相互推诿",
        description="{v}{age}岁老人{b}患病卧床，子女{a}等人因赡养费用分摊相互推诿，老人生活困难。",
        category="HYJT02",
        levels=(L.LOW, L.MEDIUM),
        reasons="",
        owner=("village", K.MEDIATION_COMMITTEE),
        people=(3, 6),
        measures=(
            ("村调委会召集子女协商赡养方案", "村调委会"),
            ("协助申请临时救助，保障老人基本生活", "村委会"),
        ),
        reviews=("子女已轮流照顾老人，赡养费用暂由长子垫付。",),
        resolved="子女签订赡养协议并按月履行，纠纷已化解。",
        eliminated="老人已入住敬老院，费用由子女共同承担，风险已消除。",
    ),
    HazardText(
        title="{firm}健身会所经营异常，会员担心预付卡无法退费",
        description=(
            "{firm}健身会所拖欠房租和员工工资，近期多次闭店，约{n}名会员担心预付卡无法退费。"
        ),
        category="XF03",
        levels=(L.MEDIUM, L.HIGH),
        reasons="涉及会员多，可能发生集中维权",
        owner=("county", K.MARKET_REGULATION),
        people=(40, 150),
        measures=(
            ("市场监管部门约谈经营者，核实预付资金情况", "县市场监督管理局"),
            ("登记会员剩余课时和金额", "街道综治中心"),
        ),
        reviews=("会所已恢复营业，承诺为有需要的会员办理退费。",),
        resolved="会所与会员达成退费和转课方案并落实，矛盾已化解。",
        eliminated="会员预付资金已全部退还，风险已消除。",
    ),
    HazardText(
        title="患者家属对卫生院治疗结果不满",
        description="{v}村民{b}在卫生院治疗后病情加重，家属{a}对治疗结果不满，多次到院吵闹。",
        category="YLJF01",
        levels=(L.MEDIUM, L.LOW),
        reasons="",
        owner=("township", K.HEALTH_CENTRE),
        people=(2, 6),
        measures=(
            ("卫生院封存病历，向家属说明医疗纠纷处理途径", "卫生院"),
            ("引导家属申请医疗纠纷人民调解", "乡镇人民调解委员会"),
        ),
        reviews=("家属已申请医调委调解，未再到院吵闹。",),
        resolved="经医调委调解双方达成协议，纠纷已化解。",
        eliminated="医疗损害鉴定已完成，赔偿已履行，风险已消除。",
    ),
    HazardText(
        title="{a}工伤待遇迟迟未落实",
        description="{a}在{firm}公司务工时受伤，工伤认定已作出，但企业拖延支付一次性伤残补助金约{amt}。",
        category="LZJF03",
        levels=(L.MEDIUM, L.LOW),
        reasons="",
        owner=("county", K.HUMAN_RESOURCES),
        people=(1, 3),
        amount=(30_000, 160_000),
        measures=(("督促企业限期支付工伤待遇", "县人社局"),),
        reviews=("企业已支付部分款项，承诺两个月内付清。",),
        resolved="企业与劳动者签订支付协议并付清，矛盾已化解。",
        eliminated="工伤待遇已足额支付，风险已消除。",
    ),
    HazardText(
        title="{v}通行道路被阻引发邻里纠纷",
        description="{v}村民{b}在自家承包地边修建围墙，阻断了{n}户村民出行的小路，双方多次争吵。",
        category="LLJF01",
        levels=(L.LOW, L.MEDIUM),
        reasons="",
        owner=("village", K.MEDIATION_COMMITTEE),
        people=(4, 12),
        measures=(("村调委会现场调解，协商预留通行道路", "村调委会"),),
        reviews=("已临时恢复通行，正在协商永久通道位置。",),
        resolved="双方协商留出通行道路，纠纷已化解。",
        eliminated="村委会另修通行道路，风险已消除。",
    ),
    HazardText(
        title="{a}民间借贷逾期引发冲突苗头",
        description="{a}借给{b}{amt}逾期未还，{a}多次上门催讨，双方发生口角，有冲突苗头。",
        category="JJJR01",
        levels=(L.LOW, L.MEDIUM),
        reasons="",
        owner=("township", K.JUSTICE),
        people=(2, 2),
        amount=(20_000, 200_000),
        measures=(("司法所组织双方调解，引导依法解决", "司法所"),),
        reviews=("双方已约定分期还款，暂无冲突。",),
        resolved="双方签订还款协议并履行第一期，纠纷已化解。",
        eliminated="借款已全部归还，风险已消除。",
    ),
]

# Which texts a screening finding uses, by whom it is found: a grid's weekly look round,
# a township station's ten-day report, a county department's month.
FOUND_ON_GRIDS = tuple(i for i, t in enumerate(TEXTS) if t.category[:4] != "JJJR" or i % 2)
FOUND_BY_UNIT: dict[str, tuple[str, ...]] = {
    K.POLICE: ("JJJR02", "HYJT01", "JJJR01"),
    K.JUSTICE: ("SLTD02", "LLJF02", "HYJT02", "JJJR01"),
    K.CENTRE: ("ZDCQ03", "SLTD03", "ZDCQ01", "FCWY01"),
    K.HUMAN_RESOURCES: ("LZJF01", "LZJF03"),
    K.HOUSING: ("FCWY03", "FCWY01"),
    K.NATURAL_RESOURCES: ("ZDCQ01", "SLTD02"),
    K.ENVIRONMENT: ("HJBH03",),
    K.MARKET_REGULATION: ("XF03",),
}


# --- Who is where -----------------------------------------------------------------------


class Directory:
    """The demo county's places, units and people, loaded once for the demo loaders."""

    def __init__(self, county: Region) -> None:
        regions = list(
            Region.objects.within(county.prefix)
            .filter(level__in=[Region.Level.TOWNSHIP, Region.Level.VILLAGE, Region.Level.GRID])
            .order_by("code")
        )
        self.county = county
        self.by_pk = {r.pk: r for r in regions}
        self.townships = [r for r in regions if r.level == Region.Level.TOWNSHIP]
        self.villages = [r for r in regions if r.level == Region.Level.VILLAGE]
        self.grids = [r for r in regions if r.level == Region.Level.GRID]
        self.units: dict[tuple[int, str], Unit] = {}
        in_county = Unit.objects.filter(
            region__prefix__startswith=county.prefix, is_active=True
        ).select_related("region")
        for u in in_county.order_by("pk"):
            self.units.setdefault((u.region_id, u.kind), u)
        self.at_region: dict[tuple[int, str], User] = {}
        self.in_unit: dict[int, User] = {}
        for a in RoleAssignment.objects.select_related("user").order_by("user__username", "pk"):
            if a.unit_id is not None:
                self.in_unit.setdefault(a.unit_id, a.user)
            elif a.region_id is not None:
                self.at_region.setdefault((a.region_id, a.role), a.user)

    def township_of(self, region: Region) -> Region:
        while region.level > Region.Level.TOWNSHIP:
            region = self.by_pk[region.parent_id or 0]
        return region

    def village_of(self, region: Region) -> Region | None:
        if region.level == Region.Level.GRID:
            return self.by_pk[region.parent_id or 0]
        return region if region.level == Region.Level.VILLAGE else None

    def unit(self, region: Region, kind: str) -> Unit | None:
        return self.units.get((region.pk, kind))

    def owner(self, text: HazardText, region: Region) -> Unit:
        """The unit answering for a hazard of `text` at `region` (the county's centre
        when the place has no such unit)."""
        where, kind = text.owner
        place: Region | None = {
            "county": self.county,
            "township": self.township_of(region),
            "village": self.village_of(region),
        }[where]
        found = self.unit(place, kind) if place is not None else None
        return found or self.units[(self.county.pk, K.CENTRE)]

    def intake(self, region: Region) -> Actor:
        """The intake officer of the region's township, or of the county."""
        township = self.township_of(region) if region.level >= Region.Level.TOWNSHIP else None
        if township is not None and (township.pk, Role.INTAKE_OFFICER) in self.at_region:
            return self.at_region[township.pk, Role.INTAKE_OFFICER]
        return self.at_region.get((self.county.pk, Role.INTAKE_OFFICER), SYSTEM)

    def grid_worker(self, grid: Region) -> User | None:
        return self.at_region.get((grid.pk, Role.GRID_WORKER))

    def handler(self, unit: Unit) -> User | None:
        return self.in_unit.get(unit.pk)

    def keeper(self, hazard: Hazard) -> Actor:
        """Who keeps a hazard: the answering unit's own person, else the centre of the
        place (a township's intake officer keeps what lies in the township)."""
        unit_person = self.handler(hazard.responsible_unit)
        return unit_person or self.intake(hazard.region)


# --- Making one ---------------------------------------------------------------------------


def person(rng: random.Random) -> str:
    """A resident, a woman a little more than one time in three."""
    return resident_name(rng, male=rng.random() >= 0.35)


@dataclass
class Drafted:
    """A hazard as found: what the finder writes down."""

    text: HazardText
    title: str
    description: str
    category: Category
    region: Region
    level: str
    reasons: str
    unit: Unit
    guardian: str
    guardian_phone: str
    people_count: int
    amount: Decimal | None


def draft(
    rng: random.Random,
    directory: Directory,
    categories: dict[str, Category],
    region: Region,
    text: HazardText,
) -> Drafted:
    village = directory.village_of(region)
    amount = rng.randint(*text.amount) // 1000 * 1000 if text.amount else 0
    people_count = rng.randint(*text.people)
    values = {
        "v": (village or region).name,
        "a": person(rng),
        "b": person(rng),
        "n": str(people_count),
        "amt": money(amount) if amount else "",
        "firm": rng.choice(FIRMS),
        "project": rng.choice(PROJECTS),
        "xq": rng.choice(ESTATES),
        "k": str(rng.randint(1, 5)),
        "k2": str(rng.randint(6, 10)),
        "place": rng.choice(("后山", "大箐", "老林", "水库边", "松树坡")),
        "area": str(rng.choice((80, 120, 160, 240, 300))),
        "age": str(rng.randint(78, 91)),
    }
    level = rng.choice(text.levels)
    unit = directory.owner(text, region)
    return Drafted(
        text=text,
        title=text.title.format(**values)[:100],
        description=text.description.format(**values),
        category=categories[text.category],
        region=region,
        level=level,
        reasons=text.reasons if level in {L.HIGH, L.MAJOR} else "",
        unit=unit,
        guardian=person(rng),
        guardian_phone=phone(rng),
        people_count=people_count,
        amount=Decimal(amount) if amount else None,
    )


def text_for_codes(rng: random.Random, codes: Sequence[str]) -> HazardText:
    return rng.choice([t for t in TEXTS if t.category in codes])


def text_for_unit(rng: random.Random, kind: str) -> HazardText | None:
    codes = FOUND_BY_UNIT.get(kind)
    return text_for_codes(rng, codes) if codes else None


def text_on_grid(rng: random.Random) -> HazardText:
    return TEXTS[rng.choice(FOUND_ON_GRIDS)]


# --- Keeping them -----------------------------------------------------------------------


@dataclass
class _Fate:
    status: str
    overdue: bool = False
    reviewed: bool = False


def _fates(
    rng: random.Random, directory: Directory, hazards: list[Hazard], today: date
) -> dict[int, _Fate]:
    """What becomes of each hazard: the older ones are more often closed; some of the
    open ones are left past their review date, among them some in the demo's own grid
    workers' grids (so that their home page has something to show)."""
    oldest_first = sorted(hazards, key=lambda h: (h.discovered_on, h.pk))
    n = len(oldest_first)

    # Overdue: never reviewed, and the first review date fell before today.
    def late(h: Hazard) -> bool:
        return h.discovered_on + timedelta(days=h.review_every_days) < today

    staffed = [h for h in oldest_first if late(h) and directory.grid_worker(h.region)]
    rng.shuffle(staffed)
    overdue = {h.pk for h in staffed[:3]}
    fates: dict[int, _Fate] = {}
    # Closures come from the older two thirds.
    closing = [h for h in oldest_first[: n * 2 // 3] if h.pk not in overdue]
    rng.shuffle(closing)
    plan = (
        [Status.RESOLVED] * max(3, n // 7)
        + [Status.ELIMINATED] * max(3, n // 9)
        + [Status.ESCALATED] * max(2, n // 15)
    )
    for hazard, status in zip(closing, plan, strict=False):
        fates[hazard.pk] = _Fate(status=status)
    open_ones = [h for h in oldest_first if h.pk not in fates]
    others = [h for h in open_ones if late(h) and h.pk not in overdue]
    rng.shuffle(others)
    overdue |= {h.pk for h in others[: max(3, n // 7) - len(overdue)]}
    for h in open_ones:
        fates[h.pk] = _Fate(
            status=Status.CONTROLLED,
            overdue=h.pk in overdue,
            reviewed=h.pk not in overdue and rng.random() < 0.6,
        )
    return fates


def _keep(
    rng: random.Random, directory: Directory, hazard: Hazard, fate: _Fate, today: date
) -> None:
    text = next((t for t in TEXTS if t.category == hazard.category.code), TEXTS[0])
    keeper = directory.keeper(hazard)
    measures = text.measures[: rng.randint(1, len(text.measures))]
    for content, owner in measures:
        due_on = hazard.discovered_on + timedelta(days=rng.randint(5, 30))
        services.hazard_add_measure(
            by=keeper,
            hazard=hazard,
            content=content,
            owner=hazard.guardian_name if owner == "包保责任人" else owner,
            due_on=due_on,
        )
    closing = fate.status != Status.CONTROLLED
    for measure in hazard.measures.order_by("due_on", "pk"):
        if closing or (measure.due_on < today and rng.random() < 0.7):
            services.hazard_complete_measure(
                by=keeper, hazard=hazard, measure=measure, note="已按计划落实。"
            )
    if fate.reviewed or (closing and fate.status != Status.ESCALATED):
        lower: dict[str, str] = {L.MAJOR: L.HIGH, L.HIGH: L.MEDIUM, L.MEDIUM: L.LOW}
        level = lower.get(hazard.level, hazard.level) if rng.random() < 0.3 else hazard.level
        services.hazard_review(
            by=keeper,
            hazard=hazard,
            finding=rng.choice(text.reviews),
            level=level,
            level_reasons=text.reasons if level in {L.HIGH, L.MAJOR} else "",
        )
    if fate.status == Status.RESOLVED:
        services.hazard_resolve(by=keeper, hazard=hazard, note=text.resolved)
    elif fate.status == Status.ELIMINATED:
        services.hazard_eliminate(by=keeper, hazard=hazard, note=text.eliminated)
    elif fate.status == Status.ESCALATED:
        services.hazard_escalate(
            by=keeper,
            hazard=hazard,
            applicant_name=person(rng),
            applicant_phone=phone(rng),
            note="矛盾激化，当事人到综治中心反映，转为事项办理。",
        )


def _register_directly(
    rng: random.Random,
    directory: Directory,
    categories: dict[str, Category],
    count: int,
    today: date,
) -> None:
    """Hazards registered by the centres and departments themselves (not in screening),
    found over the past two months."""
    for _ in range(count):
        roll = rng.random()
        grid = rng.choice(directory.grids)
        region = grid if roll < 0.7 else directory.village_of(grid) or grid
        if roll > 0.92:
            region = directory.township_of(grid)
        text = rng.choice(TEXTS)
        drafted = draft(rng, directory, categories, region, text)
        registrar = directory.handler(drafted.unit) or directory.intake(region)
        services.hazard_register(
            by=registrar,
            new=new_hazard(drafted, discovered_on=today - timedelta(days=rng.randint(0, 60))),
        )


def new_hazard(drafted: Drafted, *, discovered_on: date | None = None) -> services.NewHazard:
    return services.NewHazard(
        title=drafted.title,
        description=drafted.description,
        category=drafted.category,
        region=drafted.region,
        level=drafted.level,
        level_reasons=drafted.reasons,
        responsible_unit=drafted.unit,
        guardian_name=drafted.guardian,
        guardian_phone=drafted.guardian_phone,
        people_count=drafted.people_count,
        amount=drafted.amount,
        discovered_on=discovered_on,
    )


def load_demo_hazards(rng: random.Random, county: Region, *, today: date | None = None) -> int:
    """Fill the register up to about sixty hazards and keep them all; return how many
    were registered here (0 when the demo already has its directly registered ones)."""
    in_county = Hazard.objects.filter(region_prefix__startswith=county.prefix)
    if in_county.filter(source=Hazard.Source.DIRECT).exists():
        return 0
    today = today or timezone.localdate()
    directory = Directory(county)
    categories = {c.code: c for c in Category.objects.select_related("parent")}
    count = max(TOTAL - in_county.count(), 0)
    _register_directly(rng, directory, categories, count, today)
    hazards = list(in_county.select_related("responsible_unit", "region", "category"))
    fates = _fates(rng, directory, hazards, today)
    for hazard in hazards:
        _keep(rng, directory, hazard, fates[hazard.pk], today)
    # Left unreviewed: the first review date, counted from the day the hazard was found,
    # has passed (the service counts it from registration, which is today in the demo).
    for hazard in hazards:
        if fates[hazard.pk].overdue:
            Hazard.objects.filter(pk=hazard.pk).update(
                next_review_on=hazard.discovered_on + timedelta(days=hazard.review_every_days)
            )
    services.sweep_hazard_reviews(today=today)
    return count


__all__ = [
    "Directory",
    "draft",
    "load_demo_hazards",
    "new_hazard",
    "person",
    "text_for_codes",
    "text_for_unit",
    "text_on_grid",
]
