"""The care registry's rules: the statutory programmes, their visit rules, the schedule.

No database. Programmes are defined here, in code, and nowhere else: which programmes
exist, what law they rest on, how often a person in each is visited, and why a file may
be closed is a matter of law and policy, not of configuration in a form.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from zongzhi.core.identity import birth_date_of as birth_date_of
from zongzhi.core.identity import identity_error as identity_error
from zongzhi.core.identity import mask_identity as mask_identity
from zongzhi.core.identity import normalise_identity as normalise_identity
from zongzhi.core.identity import with_check_digit as with_check_digit


class Sensitivity(StrEnum):
    """What kind of protected data a programme's file holds. Reading its sensitive sections
    (plan, assessments, what visits saw) or exporting it needs a stated purpose."""

    HEALTH = "health"  # 健康信息
    JUSTICE = "justice"  # 刑事司法信息
    MINOR = "minor"  # 未成年人信息
    ORDINARY = "ordinary"


SENSITIVITY_NAMES = {
    Sensitivity.HEALTH: "健康信息",
    Sensitivity.JUSTICE: "刑事司法信息",
    Sensitivity.MINOR: "未成年人信息",
    Sensitivity.ORDINARY: "一般信息",
}


@dataclass(frozen=True)
class LevelRule:
    code: str
    name: str
    every_days: int  # the longest a person at this level may go without a visit


@dataclass(frozen=True)
class VisitRules:
    """One version of a programme's visit rules, with the text it comes from."""

    version: str
    effective_from: date
    source: str
    levels: tuple[LevelRule, ...]  # the most pressing level first
    # After enrolment, and after a transfer is accepted: the first visit is owed within.
    first_visit_days: int
    min_visits_per_year: int = 0

    def every_days(self, level: str) -> int:
        for rule in self.levels:
            if rule.code == level:
                return rule.every_days
        raise KeyError(level)


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    legal_basis: tuple[str, ...]
    sensitivity: Sensitivity
    # The statutory ceiling per level: no version of the visit rules may be looser.
    statutory_every_days: dict[str, int]
    visit_rules: tuple[VisitRules, ...]  # oldest first
    level_reasons: tuple[tuple[str, str], ...]  # (code, 名称): why a level was set
    closing_reasons: tuple[tuple[str, str], ...]
    # How long a closed file is kept before it is de-identified (set per programme; a
    # local archive rule may ask for longer: change it here, with its source).
    retention_years: int
    for_minors: bool = False
    # A transfer nobody on the receiving side answered within this many days goes to the
    # receiving place's supervisor.
    transfer_answer_days: int = 5
    # A missed visit is the care worker's to catch up; this many days later it is also
    # their supervisor's.
    escalate_after_days: int = 3

    def rules_on(self, day: date) -> VisitRules:
        """The version of the visit rules in force on `day`."""
        current = self.visit_rules[0]
        for version in self.visit_rules:
            if version.effective_from <= day:
                current = version
        return current

    def level_name(self, level: str) -> str:
        for version in reversed(self.visit_rules):
            for rule in version.levels:
                if rule.code == level:
                    return rule.name
        return level

    def closing_reason_name(self, code: str) -> str:
        return dict(self.closing_reasons).get(code, code)

    def level_reason_name(self, code: str) -> str:
        return dict(self.level_reasons).get(code, code)


# The three-level default of the SPEC: high → daily, medium → weekly, low → monthly.
def _three_levels(high: int = 1, medium: int = 7, low: int = 30) -> tuple[LevelRule, ...]:
    return (
        LevelRule("high", "高", high),
        LevelRule("medium", "中", medium),
        LevelRule("low", "低", low),
    )


_DEFAULT_SOURCE = "综治中心特殊人群服务管理：高风险每日、中风险每周、低风险每月走访"
_THREE_LEVEL_CEILING = {"high": 1, "medium": 7, "low": 30}
_DEATH = ("death", "死亡")
_MOVED_AWAY = ("moved_out_of_county", "迁出本县，已移交迁入地")

MENTAL_HEALTH = Programme(
    code="mental_health",
    name="严重精神障碍患者服务管理",
    legal_basis=(
        "《中华人民共和国精神卫生法》",
        "《国家基本公共卫生服务规范（第三版）》严重精神障碍患者管理服务规范",
        "《严重精神障碍管理治疗工作规范（2018年版）》",
    ),
    sensitivity=Sensitivity.HEALTH,
    # Risk graded 0–5. Unstable (3–5): followed up within 2 weeks; basically stable (1–2):
    # within 1 month; stable (0): every 3 months — at least 4 follow-ups a year.
    statutory_every_days={"5": 14, "4": 14, "3": 14, "2": 30, "1": 30, "0": 90},
    visit_rules=(
        VisitRules(
            version="2017",
            effective_from=date(2017, 2, 28),
            source="《国家基本公共卫生服务规范（第三版）》：不稳定患者2周内随访，"
            "基本稳定患者1个月时随访，稳定患者每3个月随访1次，每年至少随访4次",
            levels=(
                LevelRule("5", "5级（不稳定）", 14),
                LevelRule("4", "4级（不稳定）", 14),
                LevelRule("3", "3级（不稳定）", 14),
                LevelRule("2", "2级（基本稳定）", 30),
                LevelRule("1", "1级（基本稳定）", 30),
                LevelRule("0", "0级（稳定）", 90),
            ),
            first_visit_days=14,
            min_visits_per_year=4,
        ),
        # The local rule since 2024 asks more than the national floor for grades 3–5: a
        # weekly visit while unstable. Stricter is allowed; looser never is.
        VisitRules(
            version="2024",
            effective_from=date(2024, 1, 1),
            source="县综治中心、卫健局：3级及以上患者每周随访一次（严于国家规范）",
            levels=(
                LevelRule("5", "5级（不稳定）", 7),
                LevelRule("4", "4级（不稳定）", 7),
                LevelRule("3", "3级（不稳定）", 7),
                LevelRule("2", "2级（基本稳定）", 30),
                LevelRule("1", "1级（基本稳定）", 30),
                LevelRule("0", "0级（稳定）", 90),
            ),
            first_visit_days=14,
            min_visits_per_year=4,
        ),
    ),
    level_reasons=(
        ("violence", "有肇事肇祸行为或倾向"),
        ("relapse", "近期病情波动或复发"),
        ("no_medication", "未规律服药"),
        ("no_guardian", "无监护人或监护不力"),
        ("poverty", "家庭经济困难"),
        ("stable_treatment", "规律治疗、病情稳定"),
    ),
    closing_reasons=(
        ("recovered", "经诊断已康复，不再纳入管理"),
        ("long_term_care", "转入长期住院或托养机构"),
        _MOVED_AWAY,
        _DEATH,
    ),
    retention_years=10,
    transfer_answer_days=5,
    escalate_after_days=3,
)

COMMUNITY_CORRECTIONS = Programme(
    code="corrections",
    name="社区矫正对象服务管理",
    legal_basis=("《中华人民共和国社区矫正法》", "《中华人民共和国社区矫正法实施办法》"),
    sensitivity=Sensitivity.JUSTICE,
    statutory_every_days=_THREE_LEVEL_CEILING,
    visit_rules=(
        VisitRules(
            version="2020",
            effective_from=date(2020, 7, 1),
            source=_DEFAULT_SOURCE,
            levels=_three_levels(),
            first_visit_days=3,
        ),
    ),
    level_reasons=(
        ("strict", "实行严格管理"),
        ("violation", "有违反监督管理规定的情形"),
        ("no_job", "无稳定工作或居所"),
        ("family_conflict", "家庭矛盾突出"),
        ("compliant", "遵规守纪、表现良好"),
    ),
    closing_reasons=(
        ("term_ended", "矫正期满，解除矫正"),
        ("revoked", "撤销缓刑、假释或收监执行"),
        _MOVED_AWAY,
        _DEATH,
    ),
    retention_years=5,
    transfer_answer_days=3,
    escalate_after_days=1,
)

RESETTLEMENT = Programme(
    code="resettlement",
    name="刑满释放人员安置帮教",
    legal_basis=(
        "《中华人民共和国监狱法》",
        "《关于进一步加强刑满释放解除劳教人员安置帮教工作的意见》",
    ),
    sensitivity=Sensitivity.JUSTICE,
    statutory_every_days=_THREE_LEVEL_CEILING,
    visit_rules=(
        VisitRules(
            version="2010",
            effective_from=date(2010, 1, 1),
            source=_DEFAULT_SOURCE,
            levels=_three_levels(),
            first_visit_days=7,
        ),
    ),
    level_reasons=(
        ("no_income", "无生活来源"),
        ("no_home", "无固定住所"),
        ("reoffending_risk", "有重新违法犯罪风险"),
        ("family_support", "家庭支持良好"),
        ("employed", "已就业、生活稳定"),
    ),
    closing_reasons=(
        ("term_ended", "帮教期满"),
        ("reoffended", "重新违法犯罪被羁押"),
        _MOVED_AWAY,
        _DEATH,
    ),
    retention_years=5,
)

DRUG_REHABILITATION = Programme(
    code="drug_rehabilitation",
    name="社区戒毒社区康复",
    legal_basis=("《中华人民共和国禁毒法》", "《戒毒条例》"),
    sensitivity=Sensitivity.HEALTH,
    statutory_every_days=_THREE_LEVEL_CEILING,
    visit_rules=(
        VisitRules(
            version="2011",
            effective_from=date(2011, 6, 26),
            source=_DEFAULT_SOURCE,
            levels=_three_levels(),
            first_visit_days=3,
        ),
    ),
    level_reasons=(
        ("relapse", "有复吸迹象"),
        ("missed_test", "未按期检测"),
        ("no_job", "无稳定工作"),
        ("clean_tests", "检测正常、表现稳定"),
    ),
    closing_reasons=(
        ("term_ended", "社区戒毒或社区康复期满"),
        ("compulsory", "转为强制隔离戒毒"),
        _MOVED_AWAY,
        _DEATH,
    ),
    retention_years=5,
    escalate_after_days=2,
)

HOMELESS_ASSISTANCE = Programme(
    code="homeless",
    name="流浪乞讨人员救助",
    legal_basis=("《城市生活无着的流浪乞讨人员救助管理办法》（国务院令第381号）",),
    sensitivity=Sensitivity.ORDINARY,
    statutory_every_days=_THREE_LEVEL_CEILING,
    visit_rules=(
        VisitRules(
            version="2003",
            effective_from=date(2003, 8, 1),
            source=_DEFAULT_SOURCE,
            levels=_three_levels(),
            first_visit_days=1,
        ),
    ),
    level_reasons=(
        ("ill", "患病或残疾"),
        ("elderly", "年老无人照料"),
        ("winter", "寒冷或极端天气"),
        ("sheltered", "已有居所"),
    ),
    closing_reasons=(
        ("returned_home", "已返回家庭"),
        ("sheltered", "已由救助管理机构安置"),
        ("left", "本人离开，无法联系"),
        _DEATH,
    ),
    retention_years=3,
    transfer_answer_days=2,
    escalate_after_days=1,
)

LEFT_BEHIND_CHILDREN = Programme(
    code="left_behind_children",
    name="农村留守儿童关爱保护",
    legal_basis=(
        "《中华人民共和国未成年人保护法》",
        "《国务院关于加强农村留守儿童关爱保护工作的意见》（国发〔2016〕13号）",
    ),
    sensitivity=Sensitivity.MINOR,
    statutory_every_days=_THREE_LEVEL_CEILING,
    visit_rules=(
        VisitRules(
            version="2016",
            effective_from=date(2016, 2, 14),
            source=_DEFAULT_SOURCE,
            levels=_three_levels(),
            first_visit_days=7,
        ),
    ),
    level_reasons=(
        ("no_carer", "无人监护或监护人无监护能力"),
        ("out_of_school", "辍学或有辍学风险"),
        ("harm_risk", "有受侵害风险"),
        ("health", "患病或残疾"),
        ("cared_for", "委托照护良好"),
    ),
    closing_reasons=(
        ("parent_returned", "父母一方返乡或随父母生活"),
        ("came_of_age", "年满16周岁"),
        _MOVED_AWAY,
        _DEATH,
    ),
    retention_years=5,
    for_minors=True,
    escalate_after_days=2,
)

CHILDREN_IN_DIFFICULTY = Programme(
    code="children_in_difficulty",
    name="困境儿童保障",
    legal_basis=(
        "《中华人民共和国未成年人保护法》",
        "《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）",
    ),
    sensitivity=Sensitivity.MINOR,
    statutory_every_days=_THREE_LEVEL_CEILING,
    visit_rules=(
        VisitRules(
            version="2016",
            effective_from=date(2016, 6, 13),
            source=_DEFAULT_SOURCE,
            levels=_three_levels(),
            first_visit_days=7,
        ),
    ),
    level_reasons=(
        ("poverty", "家庭经济困难"),
        ("disability", "自身残疾或重病"),
        ("no_carer", "缺乏有效监护"),
        ("harm_risk", "有受侵害风险"),
        ("supported", "保障措施已落实"),
    ),
    closing_reasons=(
        ("difficulty_over", "困境情形已消除"),
        ("came_of_age", "年满18周岁"),
        _MOVED_AWAY,
        _DEATH,
    ),
    retention_years=5,
    for_minors=True,
    escalate_after_days=2,
)

PROGRAMMES: dict[str, Programme] = {
    p.code: p
    for p in (
        MENTAL_HEALTH,
        COMMUNITY_CORRECTIONS,
        RESETTLEMENT,
        DRUG_REHABILITATION,
        HOMELESS_ASSISTANCE,
        LEFT_BEHIND_CHILDREN,
        CHILDREN_IN_DIFFICULTY,
    )
}
PROGRAMME_CHOICES = [(p.code, p.name) for p in PROGRAMMES.values()]


def programme(code: str) -> Programme:
    return PROGRAMMES[code]


# --- The visit schedule ---------------------------------------------------------------


def next_visit_due(
    prog: Programme, level: str, *, last_visit_on: date | None, since: date, today: date
) -> date:
    """When the next visit is due: the level's interval after the last visit, under the
    rules in force today; the first visit is owed within the programme's deadline after
    `since` (the enrolment). It may lie in the past: then the visit is overdue."""
    rules = prog.rules_on(today)
    if last_visit_on is None:
        return since + timedelta(days=rules.first_visit_days)
    return last_visit_on + timedelta(days=rules.every_days(level))


def due_after_assessment(
    prog: Programme, level: str, *, last_visit_on: date | None, since: date, assessed_on: date
) -> date:
    """An assessment recomputes the schedule from the new level and the last visit. A
    level raised today can put that date in the past; the visit is then due today: the
    worker is told at once, but not told they were late under a rule that did not apply."""
    due = next_visit_due(prog, level, last_visit_on=last_visit_on, since=since, today=assessed_on)
    return max(due, assessed_on)


def due_after_transfer(prog: Programme, current_due: date, accepted_on: date) -> date:
    """The schedule moves with the file: what was due stays due, and the receiving side
    owes its first visit within the programme's deadline at the latest."""
    first = accepted_on + timedelta(days=prog.rules_on(accepted_on).first_visit_days)
    return min(max(current_due, accepted_on), first)


def is_minor(birth_date: date | None, today: date) -> bool:
    if birth_date is None:
        return False
    try:
        adult_on = birth_date.replace(year=birth_date.year + 18)
    except ValueError:  # born on 29 February
        adult_on = date(birth_date.year + 18, 3, 1)
    return today < adult_on


# --- Identity numbers (居民身份证号码, GB 11643) --------------------------------------
# The rules live in core.identity (a case's parties carry identity numbers too), imported
# at the top of this module under their old names.


# --- Purposes -------------------------------------------------------------------------


class Purpose(StrEnum):
    VISIT = "visit"
    ASSESSMENT = "assessment"
    TRANSFER = "transfer"
    SUPERVISION = "supervision"
    EMERGENCY = "emergency"
    REFERRAL = "referral"
    STATISTICS = "statistics"


PURPOSE_NAMES = {
    Purpose.VISIT: "走访准备",
    Purpose.ASSESSMENT: "风险评估",
    Purpose.TRANSFER: "办理转移接收",
    Purpose.SUPERVISION: "督导检查",
    Purpose.EMERGENCY: "应急处置",
    Purpose.REFERRAL: "依法向有关部门转介",
    Purpose.STATISTICS: "统计上报",
}
PURPOSE_CHOICES = [(p.value, PURPOSE_NAMES[p]) for p in Purpose]

# A stated purpose covers the sensitive sections of that file for the rest of the
# working session, so a team member on a visit is not asked at every page.
PURPOSE_HOURS = 8
# Emergency access by a supervisor outside the file's place lasts this long.
EMERGENCY_HOURS = 4
