"""The registers beside the cases, in proportion to them: hazards, screening rounds and
reports, care files. Written as the services leave them (codes, prefixes, dates, the
first timeline entry), without the history a real register would also have."""

import random
from datetime import date, datetime, timedelta

from zongzhi.benchmarks.cases import opening, tracking_code
from zongzhi.benchmarks.loading import Table, next_id
from zongzhi.benchmarks.places import Province
from zongzhi.care import rules as care_rules
from zongzhi.care.models import CareAssessment, CareEvent, CareFile, CareTeamMember
from zongzhi.categories.models import Category
from zongzhi.core import crypto
from zongzhi.demo.people import person_name
from zongzhi.hazards import rules as hazard_rules
from zongzhi.hazards.models import Hazard, HazardEvent
from zongzhi.regions.models import Region
from zongzhi.screening import rules as screening_rules
from zongzhi.screening.models import ScreeningReport, ScreeningRound, ScreeningSchedule
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar

MODELS = [
    Hazard, HazardEvent, ScreeningSchedule, ScreeningRound, ScreeningReport,
    CareFile, CareAssessment, CareTeamMember, CareEvent,
]  # fmt: skip
HAZARD_DAYS = 365
HAZARD_OPEN_SHARE = 0.6
SCREENING_WEEKS = 8
# Screening reports are capped at this many per case (one per grid per week is 1.2 million
# over 8 weeks for the whole province: fine beside 10 million cases, not beside 20,000).
REPORTS_PER_CASE = 2
MISSING_SHARE = 0.02
LATE_SHARE = 0.05
CARE_CLOSED_SHARE = 0.1
H = Hazard.Status


def _moment(day: date, rng: random.Random) -> datetime:
    return opening(day) + timedelta(seconds=rng.randrange(9 * 3600))


def generate_hazards(
    rng: random.Random, province: Province, *, count: int, today: date
) -> dict[str, int]:
    """Hazards in villages and grids, held by the township's centre, police or justice
    station; most under control, the rest resolved or eliminated."""
    hazards = Table(Hazard, [
        "id", "code", "source", "title", "description", "category_id", "region_id",
        "region_prefix", "address", "people_count", "amount", "level", "level_reasons",
        "responsible_unit_id", "guardian_name", "guardian_phone", "status", "discovered_on",
        "review_every_days", "next_review_on", "closed_on", "registered_at",
        "registered_by_id", "updated_at",
    ])  # fmt: skip
    events = Table(HazardEvent, [
        "hazard_id", "step", "from_status", "to_status", "at", "actor_id", "actor_name",
        "note", "data",
    ])  # fmt: skip
    categories = list(
        Category.objects.filter(parent__isnull=False).order_by("code").values_list("pk", "name")
    )
    townships = province.townships
    names = province.user_names
    first = next_id(Hazard)
    salt = rng.getrandbits(30)
    for n in range(count):
        pk = first + n
        township = townships[rng.randrange(len(townships))]
        place = township.grids[rng.randrange(len(township.grids))]
        category, category_name = rng.choice(categories)
        level = rng.choices(Hazard.Level.values, weights=[50, 32, 14, 4])[0]
        discovered = today - timedelta(days=rng.randrange(1, HAZARD_DAYS))
        registered_at = _moment(discovered, rng)
        every = rng.choice([7, 15, 30])
        by = township.intake
        if rng.random() < HAZARD_OPEN_SHARE:
            status, closed_on = H.CONTROLLED, None
            # Mostly reviewed on time; a review now and then overdue.
            next_review = today + timedelta(days=rng.randint(-5, every))
        else:
            status, next_review = rng.choice([H.RESOLVED, H.ELIMINATED]), None
            closed_on = min(discovered + timedelta(days=rng.randint(7, 180)), today)
        unit = township.units[rng.choice([Unit.Kind.CENTRE, Unit.Kind.POLICE, Unit.Kind.JUSTICE])]
        hazards.write((
            pk, "YH" + tracking_code(discovered, n, salt),
            Hazard.Source.DIRECT, f"{place.name}{category_name}隐患",
            f"{place.name}存在{category_name}方面的风险，需持续管控。", category, place.id,
            place.prefix, "", rng.randint(1, 30), None, level,
            "涉及人数较多" if level in {"high", "major"} else "", unit, person_name(rng), "",
            status, discovered, every, next_review, closed_on, registered_at, by,
            registered_at,
        ))  # fmt: skip
        events.write((pk, hazard_rules.Step.REGISTER, "", H.CONTROLLED, registered_at, by,
                      names.get(by, "系统"), "", {"level": level}))  # fmt: skip
        if closed_on is not None:
            step = (
                hazard_rules.Step.RESOLVE if status == H.RESOLVED else hazard_rules.Step.ELIMINATE
            )
            at = max(_moment(closed_on, rng), registered_at + timedelta(minutes=5))
            events.write((pk, step, H.CONTROLLED, status, at, by, names.get(by, "系统"), "", {}))
    hazards.flush()
    events.flush()
    return {"hazard": hazards.count, "hazardevent": events.count}


def generate_screening(
    rng: random.Random, province: Province, *, cases: int, today: date
) -> dict[str, int]:
    """Each county's weekly grid screening (网格周排查): a round per week for the last weeks,
    and a report per grid per round, mostly filed on time as zero reports, some late, a
    few missing, the current week's partly still to come."""
    grids = sum(len(t.grids) for t in province.townships)
    weeks = max(1, min(SCREENING_WEEKS, cases * REPORTS_PER_CASE // max(grids, 1)))
    calendar = current_calendar()
    schedules = Table(ScreeningSchedule, [
        "id", "name", "cadence", "region_id", "reporters", "reporter_level", "unit_kinds",
        "grace_days", "is_active",
    ])  # fmt: skip
    rounds = Table(ScreeningRound, [
        "id", "kind", "schedule_id", "title", "region_id", "region_prefix", "period_start",
        "period_end", "due_on", "instructions", "created_at",
    ])  # fmt: skip
    reports = Table(ScreeningReport, [
        "round_id", "region_id", "region_prefix", "due_on", "filed_at", "filed_on",
        "filed_by_id", "is_zero", "is_late", "note",
    ])  # fmt: skip
    weekly = screening_rules.Cadence.WEEKLY
    current = screening_rules.period_of(weekly, today)
    periods = screening_rules.periods_between(
        weekly, current.start - timedelta(weeks=weeks - 1), current.start
    )
    schedule_id, round_id = next_id(ScreeningSchedule), next_id(ScreeningRound)
    for county in province.counties:
        reporters = ScreeningSchedule.Reporters.REGIONS
        schedules.write((schedule_id, "网格周排查", weekly, county.id, reporters,
                         Region.Level.GRID, [], 1, True))  # fmt: skip
        for period in periods:
            due = calendar.add_working_days(period.end, 1)
            title = f"{county.name}网格周排查 {screening_rules.period_label(weekly, period)}"
            opened = _moment(period.start, rng)
            rounds.write((round_id, weekly, schedule_id, title, county.id, county.prefix,
                          period.start, period.end, due, "", opened))  # fmt: skip
            for township in county.townships:
                for grid in township.grids:
                    filed_on = _filing_day(rng, period.end, due, today)
                    worker = province.grid_worker.get(grid.id)
                    if filed_on is None:
                        reports.write((round_id, grid.id, grid.prefix, due, None, None, None,
                                       False, False, ""))  # fmt: skip
                    else:
                        reports.write((round_id, grid.id, grid.prefix, due, _moment(filed_on, rng),
                                       filed_on, worker, True, filed_on > due, ""))  # fmt: skip
            round_id += 1
        schedule_id += 1
    for table in (schedules, rounds, reports):
        table.flush()
    return {"screeninground": rounds.count, "screeningreport": reports.count}


def _filing_day(rng: random.Random, end: date, due: date, today: date) -> date | None:
    r = rng.random()
    if r < MISSING_SHARE:
        return None
    if r < MISSING_SHARE + LATE_SHARE:
        day = due + timedelta(days=rng.randint(1, 4))
    else:
        day = end - timedelta(days=rng.randint(0, 2))
    return day if day < today else None


def generate_care(
    rng: random.Random, province: Province, *, count: int, today: date
) -> dict[str, int]:
    """Care files in villages, each with its first assessment, its lead (the village's care
    worker) and its enrolment entry; identity numbers encrypted and indexed as `care_file_register`
    does. A tenth are closed."""
    files = Table(CareFile, [
        "id", "code", "programme", "person_name", "gender", "identity_encrypted",
        "identity_index", "identity_masked", "birth_date_encrypted", "minor_until", "phone",
        "region_id", "region_prefix", "address", "guardian_name", "guardian_relation",
        "guardian_phone", "enrolled_on", "programme_note", "level", "level_assessed_on",
        "next_visit_due", "transfer_to_prefix", "closed_on", "closing_reason", "closing_note",
        "created_at", "created_by_id", "updated_at",
    ])  # fmt: skip
    assessments = Table(CareAssessment, [
        "file_id", "assessed_on", "level", "reasons", "note", "rules_version",
        "next_visit_due", "by_id", "by_name",
    ])  # fmt: skip
    team = Table(
        CareTeamMember, ["file_id", "user_id", "name", "phone", "duty", "active", "joined_on"]
    )
    events = Table(CareEvent, ["file_id", "at", "kind", "actor_id", "actor_name", "note", "data"])
    programmes = [
        p for p in care_rules.PROGRAMMES.values() if not p.for_minors
    ]  # adults: the identity numbers below are of adults
    townships = province.townships
    names = province.user_names
    first = next_id(CareFile)
    salt = rng.getrandbits(30)
    seen: set[str] = set()
    for n in range(count):
        pk = first + n
        township = townships[rng.randrange(len(townships))]
        village = township.villages[rng.randrange(len(township.villages))]
        prog = rng.choice(programmes)
        rules_now = prog.rules_on(today)
        level = rng.choice(rules_now.levels).code
        birth = date(rng.randint(1950, 2000), rng.randint(1, 12), rng.randint(1, 28))
        number = ""
        while not number or number in seen:
            first17 = f"{township.county.prefix}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = care_rules.with_check_digit(first17)
        seen.add(number)
        enrolled = today - timedelta(days=rng.randint(30, 700))
        last_visit = today - timedelta(days=rng.randint(0, rules_now.every_days(level) + 5))
        closed = rng.random() < CARE_CLOSED_SHARE
        due = None if closed else last_visit + timedelta(days=rules_now.every_days(level))
        worker = province.village_care[village.id]
        created_at = _moment(enrolled, rng)
        files.write((
            pk, "DA" + tracking_code(enrolled, n, salt), prog.code,
            person_name(rng), rng.choice(["male", "female"]), crypto.encrypt(number),
            crypto.blind_index(number), care_rules.mask_identity(number),
            crypto.encrypt(birth.isoformat()), None, "", village.id, village.prefix, "", "", "",
            "", enrolled, "", level, enrolled, due, "",
            today - timedelta(days=rng.randint(1, 20)) if closed else None,
            prog.closing_reasons[0][0] if closed else "", "", created_at, worker, created_at,
        ))  # fmt: skip
        assessments.write((pk, enrolled, level, [prog.level_reasons[0][0]], "",
                           prog.rules_on(enrolled).version,
                           enrolled + timedelta(days=rules_now.first_visit_days),
                           worker, names.get(worker, "")))  # fmt: skip
        team.write(
            (pk, worker, names.get(worker, ""), "", CareTeamMember.Duty.LEAD, True, enrolled)
        )
        events.write((pk, created_at, CareEvent.Kind.ENROL, worker, names.get(worker, ""),
                      f"{prog.name}，{prog.level_name(level)}", {}))  # fmt: skip
    for table in (files, assessments, team, events):
        table.flush()
    return {"carefile": files.count, "careassessment": assessments.count}
