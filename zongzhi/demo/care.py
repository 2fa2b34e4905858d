"""The demo county's care registry (特殊人群服务管理): about eighty files in the seven
programmes, in villages of every township, each kept by the care worker of its place.

Everything goes through the services, as the care workers would have done it: the files
are enrolled (with the day each person was taken into care), visited (on the days the
visits were made), planned, helped; a few were transferred between townships, a few
closed; one was opened in an emergency by a supervisor of another township. The services
date enrolment assessments, plans and answers today; the history is back-dated only
where the services take a date (enrolment, visits, assistance, closure) and, for the one
transfer left unanswered past its date, on the transfer itself (never on a timeline).
The sweep then raises the alerts the scheduled task would have raised.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.care import access, rules, services
from zongzhi.care.models import CareAssistance, CareFile, CareTeamMember, CareTransfer, CareVisit
from zongzhi.care.services import Member, NewFile
from zongzhi.demo.people import phone, resident_name
from zongzhi.regions.models import Region

Duty = CareTeamMember.Duty
Aid = CareAssistance.Kind
Method = CareVisit.Method

# How many files each programme has in the demo (80 in all).
FILES = {
    rules.MENTAL_HEALTH.code: 20,
    rules.COMMUNITY_CORRECTIONS.code: 10,
    rules.RESETTLEMENT.code: 10,
    rules.DRUG_REHABILITATION.code: 8,
    rules.HOMELESS_ASSISTANCE.code: 5,
    rules.LEFT_BEHIND_CHILDREN.code: 16,
    rules.CHILDREN_IN_DIFFICULTY.code: 11,
}
VILLAGES_PER_TOWNSHIP = 3  # the township's first village (its own care worker) and two more
HISTORY_DAYS = 200  # visits are recorded back this far at most
MOST_VISITS = 3  # recorded here; fewer (2) for people visited weekly or daily


# --- What a file says ---------------------------------------------------------------------


@dataclass(frozen=True)
class Texts:
    born: tuple[int, int]  # the years people in the programme were born in
    notes: tuple[str, ...]  # 服务管理情况
    guardians: tuple[str, ...]  # relations of a guardian; empty: no guardian kept
    team: tuple[str, ...]  # the duties of the named members beside the lead and grid worker
    seen: tuple[tuple[str, str], ...]  # (how the visit was made, what it saw)
    needs: tuple[str, ...]
    follow_ups: tuple[str, ...]
    plan: tuple[tuple[str, str, str], ...]  # (need, measure, who: "lead" is the lead)
    aid: tuple[tuple[str, int, int, str], ...]  # (kind, least, most amount (0: none), note)
    years_in_care: tuple[int, int] | None = None  # the expected end, when the law sets one


TEXTS: dict[str, Texts] = {
    rules.MENTAL_HEALTH.code: Texts(
        born=(1958, 2000),
        notes=(
            "诊断为精神分裂症，在县人民医院精神科门诊规律治疗。",
            "诊断为双相情感障碍，服药维持治疗，家属监护。",
            "诊断为偏执性精神病，已落实监护补助，定期复诊。",
            "诊断为癫痫所致精神障碍，长期服药，家属照料。",
        ),
        guardians=("父亲", "母亲", "配偶", "儿子", "女儿", "哥哥"),
        team=(Duty.DOCTOR, Duty.POLICE),
        seen=(
            (Method.HOME, "患者在家，精神状态平稳，按时服药，家属监护到位。"),
            (Method.HOME, "患者情绪稍有波动，睡眠较差，已提醒家属注意观察、按时督促服药。"),
            (Method.PHONE, "电话联系监护人，反映近期病情稳定，能帮忙做家务、下地劳动。"),
            (Method.CENTRE, "患者到卫生院复诊取药后来面谈，精神状况良好，对答切题。"),
            (Method.HOME, "入户查看药品余量，剩余约两周用量，已提醒按时复诊取药。"),
            (Method.VIDEO, "与患者及家属视频通话，患者情绪平稳，家属反映按时服药。"),
        ),
        needs=("希望办理门诊慢特病待遇", "家属希望申请监护补贴", "希望安排到县医院复诊"),
        follow_ups=(
            "联系卫生院精防医生下周上门随访",
            "协助家属准备监护补贴申请材料",
            "下次走访核实服药情况",
        ),
        plan=(
            ("规律服药", "监护人每日督促服药，精防医生每月核对服药记录", "卫生院精防医生"),
            ("门诊复诊", "每季度陪同到县人民医院精神科复诊", "lead"),
            ("家庭经济困难", "协助申请低保和残疾人两项补贴", "民政所"),
            ("监护落实", "与监护人签订监护责任书，落实以奖代补", "lead"),
        ),
        aid=(
            (Aid.MEDICAL, 300, 2000, "门诊服药费用救助"),
            (Aid.SUBSISTENCE, 400, 700, "按月发放低保金"),
            (Aid.DISABILITY, 100, 200, "残疾人生活补贴"),
        ),
    ),
    rules.COMMUNITY_CORRECTIONS.code: Texts(
        born=(1968, 2004),
        notes=(
            "因交通肇事罪被判处有期徒刑一年，缓刑一年六个月。",
            "因盗窃罪被判处有期徒刑八个月，缓刑一年。",
            "因危险驾驶罪被判处拘役三个月，缓刑六个月。",
            "因故意伤害罪被判处有期徒刑三年，假释，剩余刑期一年二个月。",
        ),
        guardians=(),
        team=(Duty.JUSTICE,),
        seen=(
            (Method.HOME, "本人在家，按规定参加教育学习和公益活动，思想稳定。"),
            (Method.CENTRE, "到司法所面谈，汇报近期思想和工作情况，表现良好。"),
            (Method.PHONE, "电话联系本人，在本县务工，能按时报告，遵守请假规定。"),
            (Method.HOME, "家属反映本人近期与家人有口角，已进行谈话教育。"),
        ),
        needs=("希望帮助联系稳定工作", "咨询办理外出请假的手续"),
        follow_ups=("联系县人社局推荐务工岗位", "下月集中教育时再作谈话"),
        plan=(
            ("就业困难", "联系县人社局推荐就近务工岗位", "lead"),
            ("法治意识薄弱", "每月参加司法所集中教育学习", "司法所"),
            ("家庭矛盾", "村调委会上门调解家庭矛盾", "村人民调解委员会"),
        ),
        aid=(
            (Aid.EMPLOYMENT, 0, 0, "推荐到县城建筑工地务工"),
            (Aid.TEMPORARY, 500, 1500, "临时生活困难救助"),
        ),
        years_in_care=(1, 3),
    ),
    rules.RESETTLEMENT.code: Texts(
        born=(1965, 1998),
        notes=(
            "因盗窃罪服刑三年，刑满释放后回原籍居住。",
            "因诈骗罪服刑五年，刑满释放，与母亲同住。",
            "因寻衅滋事罪服刑二年，刑满释放，尚未就业。",
        ),
        guardians=(),
        team=(Duty.JUSTICE,),
        seen=(
            (Method.HOME, "本人在家务农，家庭关系和睦，情绪稳定。"),
            (Method.HOME, "本人已在县城务工，收入稳定，家属反映与邻里相处正常。"),
            (Method.CENTRE, "本人来中心反映找工作困难，生活拮据，已记录需求。"),
            (Method.PHONE, "电话联系本人，在外地务工，表示春节前返乡。"),
        ),
        needs=("希望参加技能培训", "申请临时救助"),
        follow_ups=("推荐参加县人社局技能培训", "协助提交临时救助申请"),
        plan=(
            ("就业", "推荐参加农村劳动力转移就业技能培训", "县人社局"),
            ("生活困难", "符合条件的纳入低保", "民政所"),
            ("融入社区", "安排参加村里公益劳动，加强帮教谈心", "lead"),
        ),
        aid=(
            (Aid.EMPLOYMENT, 0, 0, "参加挖掘机操作技能培训"),
            (Aid.TEMPORARY, 500, 1000, "释放初期临时生活救助"),
            (Aid.SUBSISTENCE, 400, 650, "按月发放低保金"),
        ),
        years_in_care=(5, 5),
    ),
    rules.DRUG_REHABILITATION.code: Texts(
        born=(1975, 2001),
        notes=("责令社区戒毒三年。", "强制隔离戒毒期满，责令社区康复三年。"),
        guardians=("配偶", "父亲", "母亲"),
        team=(Duty.POLICE, Duty.SOCIAL_WORKER),
        seen=(
            (Method.CENTRE, "按期到社区戒毒社区康复工作站检测，结果阴性，状态良好。"),
            (Method.HOME, "本人在家，精神状态正常，家属反映近期无异常。"),
            (Method.PHONE, "未按期检测，电话联系后本人表示本周内到工作站补检，已进行警示教育。"),
            (Method.HOME, "入户回访，本人在县城务工，工作稳定，能按时参加检测。"),
        ),
        needs=("希望介绍工作", "家属希望加强心理疏导"),
        follow_ups=("安排禁毒社工进行心理疏导", "下次检测前提前电话提醒"),
        plan=(
            ("定期检测", "每月到工作站检测一次，社工提前提醒", "禁毒社工"),
            ("就业", "推荐到本地企业务工", "lead"),
            ("心理康复", "每两周开展一次心理疏导", "禁毒社工"),
        ),
        aid=(
            (Aid.EMPLOYMENT, 0, 0, "推荐到本地果品公司务工"),
            (Aid.MEDICAL, 200, 1500, "美沙酮维持治疗费用救助"),
        ),
        years_in_care=(3, 3),
    ),
    rules.HOMELESS_ASSISTANCE.code: Texts(
        born=(1948, 1985),
        notes=(
            "在县城车站附近流浪，经救助站甄别为本县籍，家中无人照料。",
            "独居老人，无固定住所，常在集市附近露宿。",
        ),
        guardians=(),
        team=(Duty.SOCIAL_WORKER,),
        seen=(
            (Method.HOME, "到敬老院看望，生活有人照料，身体状况尚可。"),
            (Method.HOME, "本人仍在老街附近露宿，送去棉被和食物，劝导到救助站未果。"),
            (Method.PHONE, "电话联系到其亲属，正在协商接回照料。"),
        ),
        needs=("天冷需要棉衣棉被", "希望安排住处"),
        follow_ups=("寒潮前再次劝导入站", "联系民政所落实特困供养"),
        plan=(
            ("住处", "协调敬老院或救助站安置", "民政所"),
            ("御寒", "寒潮期间每日巡查并送去御寒物资", "lead"),
        ),
        aid=(
            (Aid.TEMPORARY, 300, 800, "发放棉衣棉被和食品"),
            (Aid.EXTREME_POVERTY, 600, 900, "特困人员基本生活费"),
        ),
    ),
    rules.LEFT_BEHIND_CHILDREN.code: Texts(
        born=(2011, 2020),
        notes=(
            "父母均在外省务工，随祖父母生活。",
            "父亲在外务工，母亲离家，由祖母照料。",
            "父母均在昆明务工，委托外祖父母照护。",
        ),
        guardians=("祖父", "祖母", "外祖父", "外祖母"),
        team=(Duty.CHILDREN_DIRECTOR,),
        seen=(
            (Method.HOME, "孩子在家，学习和生活正常，祖父母照料尽心。"),
            (Method.HOME, "到学校了解情况，孩子按时上学，成绩中等。"),
            (Method.VIDEO, "与孩子和在外务工的父母视频通话，督促父母履行监护责任。"),
            (Method.HOME, "孩子近期情绪低落，已与班主任沟通加强关心。"),
        ),
        needs=("希望安排课后辅导", "祖父母年迈，希望学校多关心"),
        follow_ups=("联系学校安排课后服务", "请儿童主任每周电话了解情况"),
        plan=(
            ("亲情陪伴", "每月安排一次与父母视频通话", "村儿童主任"),
            ("学业", "联系学校安排课后辅导", "学校班主任"),
            ("安全教育", "假期前开展防溺水、防性侵安全教育", "lead"),
        ),
        aid=(
            (Aid.EDUCATION, 500, 1500, "义务教育阶段家庭经济困难学生生活补助"),
            (Aid.OTHER, 0, 0, "爱心企业捐赠学习用品"),
        ),
    ),
    rules.CHILDREN_IN_DIFFICULTY.code: Texts(
        born=(2010, 2020),
        notes=(
            "父亲去世，母亲改嫁，由祖父母抚养（事实无人抚养儿童）。",
            "本人患先天性心脏病，家庭经济困难。",
            "父母均为重度残疾，家庭经济困难。",
        ),
        guardians=("祖父", "祖母", "母亲", "父亲", "叔叔"),
        team=(Duty.CHILDREN_DIRECTOR,),
        seen=(
            (Method.HOME, "孩子在家，生活基本有保障，基本生活费按月到账。"),
            (Method.HOME, "到学校了解情况，孩子在校表现良好。"),
            (Method.PHONE, "电话联系监护人，孩子近期住院复查，治疗费用压力较大。"),
            (Method.HOME, "入户查看居住条件，房屋漏雨，已记录需求。"),
        ),
        needs=("申请医疗救助", "房屋需要修缮"),
        follow_ups=("协助提交医疗救助申请", "联系民政所评估危房改造"),
        plan=(
            ("基本生活", "落实事实无人抚养儿童基本生活费", "民政所"),
            ("医疗", "协助申请大病医疗救助", "lead"),
            ("就学", "落实教育资助，安排爱心帮扶", "学校班主任"),
        ),
        aid=(
            (Aid.GUARDIAN_ALLOWANCE, 1100, 1400, "事实无人抚养儿童基本生活费（按月）"),
            (Aid.MEDICAL, 2000, 8000, "大病医疗救助"),
            (Aid.EDUCATION, 500, 1500, "教育资助"),
        ),
    ),
}

CLOSINGS = {
    rules.MENTAL_HEALTH.code: ("long_term_care", "已转入县精神病专科医院长期住院。"),
    rules.COMMUNITY_CORRECTIONS.code: ("term_ended", "矫正期满，依法解除社区矫正。"),
    rules.RESETTLEMENT.code: ("term_ended", "帮教期满，表现良好。"),
    rules.DRUG_REHABILITATION.code: ("term_ended", "社区康复期满，检测均为阴性。"),
    rules.HOMELESS_ASSISTANCE.code: ("returned_home", "已由儿子接回家中照料。"),
    rules.LEFT_BEHIND_CHILDREN.code: ("parent_returned", "母亲返乡就业，随母亲生活。"),
    rules.CHILDREN_IN_DIFFICULTY.code: ("difficulty_over", "母亲再婚后接回共同生活，困境已消除。"),
}
TRANSFER_REASONS = (
    "随子女搬迁，已在转入地租房居住。",
    "在转入地务工，已在当地长期居住。",
    "易地扶贫搬迁安置到转入地。",
)
DECLINE_REASON = "经入户核实，本人并未在本地居住，仍住在原住址，请转出地继续管理。"
EMERGENCY_REASON = "该患者在本镇集市走失，情绪激动，派出所请求联系其监护人。"


# --- Places and people --------------------------------------------------------------------


class Staff:
    """The demo's care workers and supervisors, by the place they work in."""

    def __init__(self, county: Region) -> None:
        self.county = county
        self.workers: dict[int, User] = {}
        self.supervisors: dict[int, User] = {}
        assignments = RoleAssignment.objects.filter(
            role__in=[Role.CARE_WORKER, Role.CARE_SUPERVISOR],
            region__prefix__startswith=county.prefix,
        ).select_related("user")
        for a in assignments.order_by("user__username", "pk"):
            found = self.workers if a.role == Role.CARE_WORKER else self.supervisors
            found.setdefault(a.region_id or 0, a.user)
        self.townships = list(county.children.order_by("code"))
        self.villages: list[Region] = []  # the places files are in
        self.township_of: dict[int, Region] = {}
        for township in self.townships:
            villages = list(township.children.order_by("code"))
            if not villages:
                continue
            staffed = [v for v in villages if v.pk in self.workers] or villages[:1]
            rest = [v for v in villages if v not in staffed]
            for village in staffed[:1] + rest[: VILLAGES_PER_TOWNSHIP - 1]:
                self.villages.append(village)
                self.township_of[village.pk] = township

    def worker(self, village: Region) -> User:
        """The village's own care worker, else the township's."""
        township = self.township_of[village.pk]
        return (
            self.workers.get(village.pk)
            or self.workers.get(township.pk)
            or self.workers[self.county.pk]
        )

    def supervisor(self, township: Region) -> User | None:
        return self.supervisors.get(township.pk)


def _address(rng: random.Random, village: Region) -> str:
    if village.name.endswith("社区"):
        street = rng.choice(("建设路", "文化路", "人民路", "新华路", "团结路"))
        return f"{village.name}{street}{rng.randint(1, 180)}号"
    return f"{village.name}{rng.randint(1, 12)}组{rng.randint(1, 60)}号"


class Numbers:
    """Valid identity numbers of 华宁县 (530424), each used once."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def new(self, rng: random.Random, born: date, male: bool) -> str:
        while True:
            serial = f"{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
            number = rules.with_check_digit(f"530424{born:%Y%m%d}{serial}")
            if number not in self.used:
                self.used.add(number)
                return number


# --- One file -----------------------------------------------------------------------------


@dataclass
class Plan:
    """What becomes of one file."""

    programme: str
    village: Region
    overdue: bool
    new: bool  # enrolled within the first-visit deadline, not yet visited


def _level(rng: random.Random, prog: rules.Programme, today: date) -> str:
    codes = [r.code for r in prog.rules_on(today).levels]  # the most pressing first
    weights = [3, 7, 10, 20, 25, 35] if prog is rules.MENTAL_HEALTH else [1, 3, 6]
    return rng.choices(codes, weights=weights)[0]


def _reasons(rng: random.Random, prog: rules.Programme, level: str, today: date) -> list[str]:
    """The programme's last reason is the reassuring one (stable, compliant…); the mildest
    levels get it, the others one or two of the rest."""
    codes = [code for code, _ in prog.level_reasons]
    mild = [r.code for r in prog.rules_on(today).levels][
        -2 if prog is rules.MENTAL_HEALTH else -1 :
    ]
    if level in mild:
        return [codes[-1]]
    return rng.sample(codes[:-1], rng.choice((1, 1, 2)))


def _enrol(
    rng: random.Random, staff: Staff, numbers: Numbers, plan: Plan, today: date
) -> tuple[CareFile, User]:
    prog = rules.programme(plan.programme)
    texts = TEXTS[prog.code]
    male = rng.random() < (0.5 if prog.for_minors else 0.75)
    born = date(rng.randint(*texts.born), rng.randint(1, 12), rng.randint(1, 28))
    worker = staff.worker(plan.village)
    level = _level(rng, prog, today)
    current = prog.rules_on(today)
    if plan.new:
        enrolled = today - timedelta(days=rng.randint(0, current.first_visit_days - 1))
    else:  # long enough ago for a visit history, and for an overdue one
        enrolled = today - timedelta(days=rng.randint(current.every_days(level) + 20, 800))
    expected_end = None
    if texts.years_in_care:
        years = rng.randint(*texts.years_in_care)
        expected_end = max(
            enrolled + timedelta(days=365 * years), today + timedelta(days=rng.randint(30, 400))
        )
    guardian = bool(texts.guardians)
    guardian_relation = rng.choice(texts.guardians) if guardian else ""
    family_name = resident_name(
        rng, male=guardian_relation in {"父亲", "儿子", "哥哥", "祖父", "外祖父", "叔叔"}
    )
    team = [
        Member(duty=Duty.LEAD, user=worker),
        Member(duty=Duty.GRID_WORKER, name=resident_name(rng, male=True), phone=phone(rng)),
    ]
    for duty in texts.team:
        if duty == Duty.POLICE and prog is rules.MENTAL_HEALTH and level not in {"3", "4", "5"}:
            continue  # the police join a patient's team while the patient is unstable
        team.append(
            Member(duty=duty, name=resident_name(rng, male=rng.random() < 0.6), phone=phone(rng))
        )
    if guardian and not prog.for_minors:
        team.append(Member(duty=Duty.FAMILY, name=family_name, phone=phone(rng)))
    file = services.care_file_register(
        by=worker,
        new=NewFile(
            programme=prog.code,
            person_name=resident_name(rng, male=male),
            region=plan.village,
            level=level,
            level_reasons=_reasons(rng, prog, level, today),
            identity_number=numbers.new(rng, born, male),
            gender=CareFile.Gender.MALE if male else CareFile.Gender.FEMALE,
            phone="" if prog.for_minors else phone(rng),
            address=_address(rng, plan.village),
            guardian_name=family_name if guardian else "",
            guardian_relation=guardian_relation,
            guardian_phone=phone(rng) if guardian else "",
            enrolled_on=enrolled,
            expected_end_on=expected_end,
            programme_note=rng.choice(texts.notes),
            team=team,
        ),
    )
    return file, worker


def _visit_days(rng: random.Random, file: CareFile, plan: Plan, today: date) -> list[date]:
    """When the file was visited: the last visit sets the next due date (past it for an
    overdue file), and the earlier ones came about one interval apart."""
    if plan.new:
        return []
    every = file.prog.rules_on(today).every_days(file.level)
    if plan.overdue:
        last = today - timedelta(days=every + rng.randint(1, 12))
    else:
        last = today - timedelta(days=rng.randint(0, every))
    last = max(last, file.enrolled_on)
    days = [last]
    most = MOST_VISITS if every >= 30 else MOST_VISITS - 1
    while len(days) < most:
        step = max(1, round(every * rng.uniform(0.5, 1.0)))
        day = days[-1] - timedelta(days=step)
        if day < file.enrolled_on or day < today - timedelta(days=HISTORY_DAYS):
            break
        days.append(day)
    return sorted(days)


def _visit(rng: random.Random, file: CareFile, worker: User, days: list[date]) -> None:
    texts = TEXTS[file.programme]
    for day in days:
        method, seen = rng.choice(texts.seen)
        needs = rng.choice(texts.needs) if rng.random() < 0.25 else ""
        services.care_file_record_visit(
            by=worker,
            file=file,
            visited_on=day,
            method=method,
            seen=seen,
            needs_raised=needs,
            follow_up=rng.choice(texts.follow_ups) if needs else "",
        )


def _plan_and_help(rng: random.Random, file: CareFile, worker: User, today: date) -> None:
    texts = TEXTS[file.programme]
    for need, measure, who in rng.sample(texts.plan, rng.choice((1, 2))):
        due_on = today + timedelta(days=rng.randint(7, 90)) if rng.random() < 0.7 else None
        item = services.care_file_add_plan_item(
            by=worker,
            file=file,
            need=need,
            measure=measure,
            who=worker.full_name if who == "lead" else who,
            due_on=due_on,
        )
        if rng.random() < 0.15:
            services.care_file_complete_plan_item(by=worker, item=item)
    start = max(file.enrolled_on, today - timedelta(days=HISTORY_DAYS))
    for kind, least, most, note in rng.sample(texts.aid, 2 if rng.random() < 0.15 else 1):
        amount = Decimal(rng.randint(least, most) // 10 * 10) if most else None
        services.care_file_add_assistance(
            by=worker,
            file=file,
            kind=kind,
            granted_on=start + timedelta(days=rng.randint(0, (today - start).days)),
            amount=amount,
            note=note,
        )


def _reassess(rng: random.Random, file: CareFile, worker: User, today: date) -> None:
    """A level changed today, one step up or down: the schedule follows it."""
    prog = file.prog
    codes = [r.code for r in prog.rules_on(today).levels]
    at = codes.index(file.level)
    to = codes[at - 1] if at > 0 and (at == len(codes) - 1 or rng.random() < 0.5) else codes[at + 1]
    services.care_file_assess(
        by=worker,
        file=file,
        level=to,
        reasons=_reasons(rng, prog, to, today),
        note="复评：近期情况有变化，调整管理等级。",
    )


# --- The registry -------------------------------------------------------------------------


def _plans(rng: random.Random, staff: Staff, today: date) -> list[Plan]:
    """Which file goes where: the staffed first village of each township holds a third of
    its township's files; each care worker has at least one overdue file."""
    programmes = [code for code, n in FILES.items() for _ in range(n)]
    rng.shuffle(programmes)
    plans = []
    for programme in programmes:
        village = rng.choice(staff.villages)
        plans.append(
            Plan(
                programme=programme,
                village=village,
                overdue=rng.random() < 0.08,
                new=rng.random() < 0.05,
            )
        )
    first_of: dict[int, Plan] = {}
    for plan in plans:
        first_of.setdefault(staff.worker(plan.village).pk, plan)
    for plan in first_of.values():
        plan.overdue, plan.new = True, False
    return plans


def _transfers(
    rng: random.Random, staff: Staff, files: list[tuple[CareFile, User, Plan]], today: date
) -> None:
    """Six adults moved between townships: three transfers wait (one past its answer date),
    two were accepted and one declined."""
    movable = [
        (f, worker)
        for f, worker, plan in files
        if not f.prog.for_minors and f.is_open and not plan.overdue
    ]
    rng.shuffle(movable)
    fates = ["late", "pending", "pending", "accepted", "accepted", "declined"]
    for (file, worker), fate in zip(movable, fates, strict=False):
        here = staff.township_of[file.region_id]
        elsewhere = [v for v in staff.villages if staff.township_of[v.pk] != here]
        to = rng.choice(elsewhere)
        transfer = services.care_file_propose_transfer(
            by=worker,
            file=file,
            to_region=to,
            reason=rng.choice(TRANSFER_REASONS),
            new_address=_address(rng, to),
        )
        receiver = staff.worker(to)
        if fate == "accepted":
            services.care_file_accept_transfer(
                by=receiver,
                transfer=transfer,
                team=[
                    Member(duty=Duty.LEAD, user=receiver),
                    Member(
                        duty=Duty.GRID_WORKER, name=resident_name(rng, male=True), phone=phone(rng)
                    ),
                ],
            )
        elif fate == "declined":
            services.care_file_decline_transfer(
                by=receiver, transfer=transfer, reason=DECLINE_REASON
            )
        elif fate == "late":
            # Proposed some days ago and never answered: the sweep takes it to the
            # receiving place's supervisors.
            days = file.prog.transfer_answer_days + 2
            CareTransfer.objects.filter(pk=transfer.pk).update(
                proposed_at=timezone.now() - timedelta(days=days),
                answer_due_on=today - timedelta(days=2),
            )
        file.refresh_from_db()  # answered through the transfer's own copy of the file


def _close(files: list[tuple[CareFile, User, Plan]], today: date, count: int) -> None:
    """A few files closed over the past weeks, one per programme at most."""
    closed: set[str] = set()
    for file, worker, plan in files:
        if len(closed) == count:
            return
        moved = file.region_id != plan.village.pk
        if plan.overdue or plan.new or not file.is_open or file.in_transfer or moved:
            continue
        if file.programme in closed:
            continue
        reason, note = CLOSINGS[file.programme]
        day = min(today, (file.last_visit_on or file.enrolled_on) + timedelta(days=3))
        services.care_file_close(by=worker, file=file, reason=reason, note=note, closed_on=day)
        closed.add(file.programme)


def _emergency(staff: Staff, files: list[tuple[CareFile, User, Plan]]) -> None:
    """A patient lost in another township: its supervisor opened the file for the
    guardian's number; the file's own supervisors have not reviewed it yet."""
    for file, _worker, plan in files:
        if file.programme != rules.MENTAL_HEALTH.code or not file.is_open or file.in_transfer:
            continue
        if file.region_id != plan.village.pk:
            continue
        here = staff.township_of[file.region_id]
        others = [t for t in staff.townships if t != here and staff.supervisor(t) is not None]
        if not others or staff.supervisor(here) is None:
            continue
        visitor = staff.supervisor(others[0])
        assert visitor is not None
        access.grant_emergency(visitor, file, EMERGENCY_REASON)
        return


def load_care_demo(rng: random.Random, county: Region, *, today: date | None = None) -> int:
    """The county's care registry; return how many files were opened (0 when the demo
    already has its files)."""
    if CareFile.objects.filter(region_prefix__startswith=county.prefix).exists():
        return 0
    today = today or timezone.localdate()
    staff = Staff(county)
    if not staff.villages or not staff.workers:
        return 0
    numbers = Numbers()
    files: list[tuple[CareFile, User, Plan]] = []
    for plan in _plans(rng, staff, today):
        file, worker = _enrol(rng, staff, numbers, plan, today)
        _visit(rng, file, worker, _visit_days(rng, file, plan, today))
        _plan_and_help(rng, file, worker, today)
        if not plan.overdue and not plan.new and rng.random() < 0.12:
            _reassess(rng, file, worker, today)
        files.append((file, worker, plan))
    _transfers(rng, staff, files, today)
    _close(files, today, count=5)
    _emergency(staff, files)
    services.sweep_care()
    return len(files)


__all__ = ["load_care_demo"]
