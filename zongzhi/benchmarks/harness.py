"""The benchmark harness: what users wait for, measured on a generated province.

Each measurement runs the app's own code the way its users reach it: cases come in
through the REST API (routing, deadlines, timeline and all), a township officer opens the
work list page, a leader's dashboard asks `analytics.indicators` for its figures, the
scheduler runs the daily report and the overdue sweep, an office imports a filled ledger.
Requests go through Django's full stack in-process (`django.test.Client`: middleware,
sessions, authentication, templates) without a network server, in `WORKERS` forked
processes at once, as two web workers on two cores would serve them; the peak resident
memory of those processes is "memory per web worker".
"""

import json
import multiprocessing
import random
import resource
import statistics
import subprocess
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from time import perf_counter
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from zongzhi.accounts.models import RoleAssignment, User
from zongzhi.accounts.rules import Role
from zongzhi.accounts.tokens import create_client_system
from zongzhi.analytics import indicators
from zongzhi.benchmarks.province import PROVINCE
from zongzhi.briefings.models import DailyReport, DailyReportItem
from zongzhi.briefings.services import compile_daily_reports
from zongzhi.cases.models import Case
from zongzhi.cases.services import sweep_deadlines
from zongzhi.categories.models import Category
from zongzhi.ledgers.case_import import import_case_ledger
from zongzhi.ledgers.columns import CASE_COLUMNS, HAZARD_COLUMNS, C, H
from zongzhi.ledgers.imports import import_hazard_ledger
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.units.models import Unit

WORKERS = 2
TARGETS = {  # issue 8, for 10M cases on two cores
    "intake": (">=", 500.0),
    "work_list_p95": ("<=", 50.0),
    "indicator_p95": ("<=", 100.0),
    "overdue_sweep": ("<=", 60.0),
    "ledger_import": (">=", 5000.0),
    # A year of a county's case ledger (10,000 rows) in well under a minute.
    "case_ledger_import": (">=", 500.0),
    "peer_ratio": (">=", 3.0),
}


@dataclass
class Row:
    """One line of the table."""

    name: str
    value: float
    unit: str
    p95: float | None = None  # for latencies, `value` is p50
    target: str = ""
    met: bool | None = None
    detail: str = ""


@dataclass
class Report:
    cases: int
    when: str
    database: str
    rows: list[Row] = field(default_factory=list)
    peer: dict[str, Any] | None = None
    peak_rss_mb: list[float] = field(default_factory=list)

    def add(self, row: Row, target: str | None = None, value: float | None = None) -> Row:
        if target is not None:
            op, goal = TARGETS[target]
            measured = row.value if value is None else value
            row.target = f"{op} {goal:g}"
            row.met = measured >= goal if op == ">=" else measured <= goal
        self.rows.append(row)
        return row

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latency_row(name: str, samples: Sequence[float], detail: str = "") -> Row:
    ms = [s * 1000 for s in samples]
    return Row(
        name,
        round(statistics.median(ms), 1),
        "ms",
        round(percentile(ms, 95), 1),
        detail=f"{len(ms)} requests{'; ' + detail if detail else ''}",
    )


# --- Work in worker processes --------------------------------------------------------


def _in_workers[T](job: Callable[[int], T], workers: int = WORKERS) -> list[tuple[T, float]]:
    """Run `job(i)` in `workers` forked processes at once; each result with the process's
    peak resident memory in MB. The parent's connection is closed first: a child must not
    share its socket."""
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(_measured(job), range(workers))


class _measured[T]:
    def __init__(self, job: Callable[[int], T]) -> None:
        self.job = job

    def __call__(self, i: int) -> tuple[T, float]:
        connections.close_all()
        result = self.job(i)
        return result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Intake through the API ----------------------------------------------------------


@dataclass
class _Intake:
    keys: list[str]  # one client system's key per worker
    places: list[list[str]]  # village codes per worker
    categories: list[str]
    seconds: float
    warmup: int = 20

    def __call__(self, i: int) -> tuple[int, dict[int, int], list[float]]:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {self.keys[i]}")
        rng = random.Random(i)  # noqa: S311
        created = 0
        failed: dict[int, int] = {}  # status → how many
        latencies: list[float] = []
        deadline = None
        n = 0
        while deadline is None or perf_counter() < deadline:
            body = {
                "category": rng.choice(self.categories),
                "title": "小区噪音扰民",
                "description": "楼上邻居每天夜里施工到十二点，多次协商无果，请求调解。",
                "region": rng.choice(self.places[i]),
                "parties": [{"role": "applicant", "kind": "person", "name": "王芳"}],
            }
            started = perf_counter()
            response = client.post(
                "/api/cases/",
                json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            n += 1
            if n == self.warmup:
                deadline = perf_counter() + self.seconds
            if deadline is None:
                continue
            latencies.append(perf_counter() - started)
            if response.status_code == 201:
                created += 1
            else:
                failed[response.status_code] = failed.get(response.status_code, 0) + 1
        return created, failed, latencies


def measure_intake(report: Report, root: Region, seconds: float) -> None:
    counties = list(Region.objects.within(root.prefix).filter(level=Level.COUNTY)[:WORKERS])
    keys, places = [], []
    for county in counties:
        _, key = create_client_system(name=f"基准测试对接系统{county.code}", region=county)
        keys.append(key)
        places.append(
            list(
                Region.objects.within(county.prefix)
                .filter(level=Level.VILLAGE)
                .values_list("code", flat=True)
            )
        )
    categories = list(
        Category.objects.filter(parent__isnull=False, is_active=True).values_list("code", flat=True)
    )
    results = _in_workers(_Intake(keys, places, categories, seconds))
    created = sum(r[0][0] for r in results)
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in r[0][1].items():
            statuses[status] = statuses.get(status, 0) + count
    failed = sum(statuses.values())
    failures = ", ".join(f"{n} × HTTP {status}" for status, n in sorted(statuses.items()))
    latencies = [x for r in results for x in r[0][2]]
    report.peak_rss_mb += [round(r[1], 1) for r in results]
    report.add(
        Row(
            "intake through the API",
            round(created / seconds, 1),
            "cases/s",
            detail=f"{created} cases in {seconds:g} s by {WORKERS} workers, {failed} failed"
            f"{f' ({failures})' if failures else ''}; "
            f"per request p50 {statistics.median(latencies) * 1000:.1f} ms, "
            f"p95 {percentile(latencies, 95) * 1000:.1f} ms",
        ),
        "intake",
    )


# --- A township officer's work list --------------------------------------------------

WORK_LIST_VIEWS = [
    "/cases/",  # my to-do list, the most pressing first
    "/cases/?view=all&status=in_progress",
    "/cases/?view=all&overdue=1",
    "/cases/?view=all&q={q}",
    "/cases/?view=all&page=3",
]


# A township officer's search: words, a party's name, a phone as read out, a code without
# its dash (the terms: `search_terms`).
SEARCH_VIEWS = ["/cases/?view=all&q={q}"]


@dataclass
class _WorkList:
    officers: list[list[tuple[int, str]]]  # (user id, a search term) per worker
    samples: int
    warmup: int = 10
    views: Sequence[str] = tuple(WORK_LIST_VIEWS)

    def __call__(self, i: int) -> tuple[list[float], int]:
        client = Client()
        rng = random.Random(100 + i)  # noqa: S311
        latencies: list[float] = []
        bad = 0
        users = {pk: User.objects.get(pk=pk) for pk, _ in self.officers[i]}
        for n in range(self.samples + self.warmup):
            pk, q = rng.choice(self.officers[i])
            client.force_login(users[pk])
            url = rng.choice(self.views).format(q=quote(q))
            started = perf_counter()
            response = client.get(url)
            elapsed = perf_counter() - started
            if response.status_code != 200:
                bad += 1
            if n >= self.warmup:
                latencies.append(elapsed)
        return latencies, bad


def measure_work_list(report: Report, root: Region, samples: int) -> None:
    officers = list(
        RoleAssignment.objects.filter(
            role=Role.INTAKE_OFFICER,
            region__level=Level.TOWNSHIP,
            region__prefix__startswith=root.prefix,
        )
        .order_by("region__prefix")
        .values_list("user_id", "region__name")
    )
    rng = random.Random(8)  # noqa: S311
    chosen = rng.sample(officers, min(len(officers), 40))
    per_worker = [[(pk, name[:2]) for pk, name in chosen[i::WORKERS]] for i in range(WORKERS)]
    results = _in_workers(_WorkList(per_worker, samples // WORKERS))
    latencies = [x for r in results for x in r[0][0]]
    bad = sum(r[0][1] for r in results)
    report.peak_rss_mb += [round(r[1], 1) for r in results]
    row = latency_row(
        "township officer's work list",
        latencies,
        f"{len(chosen)} officers, {WORKERS} at once, views: to-do, in progress, overdue, "
        f"search, page 3; {bad} not 200",
    )
    report.add(row, "work_list_p95", row.p95)


def search_terms(township: str, rng: random.Random) -> list[str]:
    """What an officer of this township types to find a case: a common word, a party's
    name, a phone number with spaces, a code without its dash (from one of its cases)."""
    case = (
        Case.objects.filter(region_prefix__startswith=township)
        .exclude(parties__phone="")
        .order_by("registered_at")
        .first()
    )
    terms = [rng.choice(["物业", "欠薪", "邻里", "土地", "噪音"])]
    if case is not None:
        party = case.parties.exclude(phone="").first()
        if party is not None:
            phone = party.phone
            terms += [party.name, f"{phone[:3]} {phone[3:7]} {phone[7:]}"]
        terms.append(case.code.replace("-", "").lower())
    return terms


def measure_search(report: Report, root: Region, samples: int) -> None:
    officers = list(
        RoleAssignment.objects.filter(
            role=Role.INTAKE_OFFICER,
            region__level=Level.TOWNSHIP,
            region__prefix__startswith=root.prefix,
        )
        .order_by("region__prefix")
        .values_list("user_id", "region__prefix")
    )
    rng = random.Random(16)  # noqa: S311
    chosen = rng.sample(officers, min(len(officers), 40))
    searches = [(pk, term) for pk, prefix in chosen for term in search_terms(prefix, rng)]
    per_worker = [searches[i::WORKERS] for i in range(WORKERS)]
    results = _in_workers(_WorkList(per_worker, samples // WORKERS, views=SEARCH_VIEWS))
    latencies = [x for r in results for x in r[0][0]]
    bad = sum(r[0][1] for r in results)
    report.peak_rss_mb += [round(r[1], 1) for r in results]
    row = latency_row(
        "township officer's search",
        latencies,
        f"{len(chosen)} officers, {WORKERS} at once: a common word, a party's name, a phone "
        f"with spaces, a code without its dash; {bad} not 200",
    )
    report.add(row, "work_list_p95", row.p95)


# --- Dashboard indicators ------------------------------------------------------------


def measure_indicators(report: Report, root: Region, samples: int, today: date) -> None:
    start = today - timedelta(days=364)
    rng = random.Random(9)  # noqa: S311
    counties = list(Region.objects.within(root.prefix).filter(level=Level.COUNTY))
    townships = list(Region.objects.within(root.prefix).filter(level=Level.TOWNSHIP))
    for label, pick in [
        ("province", lambda: root),
        ("county", lambda: rng.choice(counties)),
        ("township", lambda: rng.choice(townships)),
    ]:
        latencies = []
        for n in range(samples + 3):
            region = pick()
            started = perf_counter()
            figures = indicators.figures(region.prefix, start, today, today)
            elapsed = perf_counter() - started
            assert figures["received"].value is not None
            if n >= 3:
                latencies.append(elapsed)
        row = latency_row(
            f"dashboard indicators, a {label}, one year",
            latencies,
            "every case indicator: received … satisfaction, overdue now",
        )
        report.add(row, "indicator_p95", row.p95)


# --- Scheduled work ------------------------------------------------------------------


def measure_daily_report(report: Report) -> None:
    # A second run on the same database would find today's reports made and time nothing.
    DailyReport.objects.filter(report_date=timezone.localdate()).delete()
    started = perf_counter()
    made = compile_daily_reports(send=False)
    seconds = perf_counter() - started
    items = DailyReportItem.objects.filter(report__in=made).count()
    report.add(
        Row(
            "daily report (every centre)",
            round(seconds, 2),
            "s",
            detail=f"{len(made)} reports, {items} items; compiled, not e-mailed",
        )
    )


def measure_sweep(report: Report) -> None:
    open_cases = Case.objects.open().count()
    started = perf_counter()
    swept = sweep_deadlines()
    seconds = perf_counter() - started
    report.add(
        Row(
            "overdue sweep (whole data set)",
            round(seconds, 2),
            "s",
            detail=f"{open_cases:,} open cases looked at; {swept.supervised} orders raised, "
            f"{swept.warned} warnings, {swept.resumed} pauses ended",
        ),
        "overdue_sweep",
    )


# --- Ledger import -------------------------------------------------------------------


def _ledger_township(root: Region) -> tuple[RoleAssignment, list[Region], list[str]]:
    """The first township's intake officer, with its villages and the names of its units:
    whose ledgers the import measures read."""
    officer = (
        RoleAssignment.objects.filter(
            role=Role.INTAKE_OFFICER,
            region__level=Level.TOWNSHIP,
            region__prefix__startswith=root.prefix,
        )
        .select_related("user", "region")
        .order_by("region__prefix")
        .first()
    )
    assert officer is not None and officer.region is not None
    township = officer.region
    villages = list(Region.objects.within(township.prefix).filter(level=Level.VILLAGE))
    units = list(
        Unit.objects.filter(region=township, is_active=True).values_list("name", flat=True)
    )
    return officer, villages, units


def ledger(root: Region, rows: int) -> tuple[User, bytes]:
    """A filled hazard ledger of `rows` new hazards in one township, and its officer."""
    officer, villages, units = _ledger_township(root)
    categories = list(
        Category.objects.filter(parent__isnull=False, is_active=True).values_list(
            "name", flat=True
        )[:20]
    )
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    headers = [c.header for c in HAZARD_COLUMNS]
    ws.append(headers)
    found = timezone.localdate() - timedelta(days=30)
    run = timezone.now().strftime("%H%M%S")  # a rerun imports new rows, not known ones
    for n in range(rows):
        village = villages[n % len(villages)]
        cells = {
            H.TITLE: f"基准台账隐患{run}-{n + 1}号",
            H.DESCRIPTION: "小区物业上调停车费，业主集体反对，多次聚集。",
            H.CATEGORY: categories[n % len(categories)],
            H.REGION_CODE: village.code,
            H.REGION_NAME: village.name,
            H.ADDRESS: f"{village.name}{n % 40 + 1}号",
            H.PEOPLE: n % 50 + 1,
            H.AMOUNT: None,
            H.LEVEL: "中",
            H.UNIT: units[n % len(units)],
            H.GUARDIAN: "李包保",
            H.PHONE: "13900000002",
            H.DISCOVERED: found,
            H.STATUS: "管控中",
        }
        ws.append([n + 1 if h == H.NUMBER else cells.get(h) for h in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return officer.user, buffer.getvalue()


def measure_ledger_import(report: Report, root: Region, rows: int) -> None:
    user, content = ledger(root, rows)
    started = perf_counter()
    result = import_hazard_ledger(by=user, content=content, filename="台账.xlsx")
    seconds = perf_counter() - started
    report.add(
        Row(
            "hazard ledger import",
            round(len(result.created) / seconds),
            "rows/s",
            detail=f"{len(result.created)} rows ({len(content) // 1024} KB .xlsx) in "
            f"{seconds:.2f} s: read, every row checked, then written in one transaction",
        ),
        "ledger_import",
    )


def case_ledger(root: Region, rows: int) -> tuple[User, bytes]:
    """A year of one township's case ledger as the export writes it, `rows` rows: most
    settled and archived, some still open, every village, a description each."""
    officer, villages, units = _ledger_township(root)
    categories = list(
        Category.objects.filter(parent__isnull=False, is_active=True)
        .select_related("parent")
        .order_by("code")[:20]
    )
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    headers = [c.header for c in CASE_COLUMNS]
    ws.append(headers)
    start = timezone.localdate() - timedelta(days=400)
    run = timezone.now().strftime("%H%M%S")  # a rerun imports new rows, not known ones
    for n in range(rows):
        village = villages[n % len(villages)]
        category = categories[n % len(categories)]
        day = start + timedelta(days=n * 365 // max(rows, 1))
        settled = n % 10 != 0
        cells = {
            C.NUMBER: n + 1,
            C.REGISTERED: day,
            C.CHANNEL: "来访",
            C.TOP_CATEGORY: category.parent.name if category.parent else "",
            C.CATEGORY: category.name,
            C.TITLE: f"历史台账事项{run}-{n + 1}号",
            C.DESCRIPTION: f"{village.name}村民反映相邻土地界址不清，多次协商未果，请求调处。",
            C.PLACE: f"{village.name}，{n % 40 + 1}组",
            C.PARTIES: f"张{n % 97}、李{n % 89}",
            C.PEOPLE: n % 6 + 1,
            C.UNIT: units[n % len(units)] if units else "",
            C.STATUS: "已归档" if settled else "办理中",
            C.CLOSED: day + timedelta(days=9) if settled else None,
            C.OUTCOME: "调解成功" if settled else "",
            C.SATISFACTION: "满意" if settled else "",
        }
        ws.append([cells.get(h) for h in headers])
    buffer = BytesIO()
    workbook.save(buffer)
    return officer.user, buffer.getvalue()


def measure_case_ledger_import(report: Report, root: Region, rows: int) -> None:
    user, content = case_ledger(root, rows)
    started = perf_counter()
    result = import_case_ledger(by=user, content=content, filename="历史台账.xlsx")
    seconds = perf_counter() - started
    report.add(
        Row(
            "case ledger import (history)",
            round(len(result.created) / seconds),
            "rows/s",
            detail=f"{len(result.created)} rows ({len(content) // 1024} KB .xlsx) in "
            f"{seconds:.2f} s: read, every row checked, then written in bulk in one "
            "transaction",
        ),
        "case_ledger_import",
    )


# --- The peer ------------------------------------------------------------------------


def measure_peer(report: Report, records: int, runner: Path, seconds: float) -> None:
    out = Path(settings.BASE_DIR) / "var" / "bench" / "helpdesk.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 — our own script
        [str(runner), "--records", str(records), "--json", str(out), "--seconds", str(seconds)],
        check=True,
    )
    peer = json.loads(out.read_text())
    report.peer = peer
    ours = {r.name: r for r in report.rows}
    intake = ours["intake through the API"]
    work_list = ours["township officer's work list"]
    report.add(
        Row(
            "django-helpdesk ticket creation (API)",
            round(peer["create_per_s"], 1),
            "tickets/s",
            detail=f"{peer.get('version', '')}, {peer['records']:,} tickets",
        )
    )
    report.add(
        Row(
            "django-helpdesk ticket list (queue, open)",
            round(peer["list_p50_ms"], 1),
            "ms",
            round(peer["list_p95_ms"], 1),
        )
    )
    create_ratio = intake.value / peer["create_per_s"] if peer["create_per_s"] else 0.0
    report.add(
        Row("ratio: intake ÷ helpdesk creation", round(create_ratio, 2), "×"),
        "peer_ratio",
    )
    assert work_list.p95 is not None
    list_ratio = peer["list_p95_ms"] / work_list.p95 if work_list.p95 else 0.0
    report.add(
        Row("ratio: helpdesk list p95 ÷ work list p95", round(list_ratio, 2), "×"),
        "peer_ratio",
    )


# --- The run -------------------------------------------------------------------------


def run(
    *,
    seconds: float = 20,
    samples: int = 200,
    ledger_rows: int = 2000,
    case_ledger_rows: int = 10000,
    peer: Path | None = None,
    log: Callable[[str], None] = print,
) -> Report:
    root = Region.objects.get(prefix=PROVINCE)
    today = timezone.localdate()
    cases = Case.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    report = Report(
        cases=cases, when=timezone.now().isoformat(timespec="seconds"), database=version
    )
    log(f"{cases:,} cases; measuring …")
    steps: list[tuple[str, Callable[[], None]]] = [
        ("work list", lambda: measure_work_list(report, root, samples)),
        ("search", lambda: measure_search(report, root, samples)),
        ("indicators", lambda: measure_indicators(report, root, samples // 4, today)),
        ("daily report", lambda: measure_daily_report(report)),
        ("sweep", lambda: measure_sweep(report)),
        ("ledger import", lambda: measure_ledger_import(report, root, ledger_rows)),
        (
            "case ledger import",
            lambda: measure_case_ledger_import(report, root, case_ledger_rows),
        ),
        # Intake last: it adds cases, and the reads above should see the generated set.
        ("intake", lambda: measure_intake(report, root, seconds)),
    ]
    if peer is not None:
        steps.append(("django-helpdesk", lambda: measure_peer(report, cases, peer, seconds)))
    for name, step in steps:
        started = perf_counter()
        step()
        log(f"  {name}: {perf_counter() - started:.1f} s")
    report.add(
        Row(
            "peak memory per web worker",
            max(report.peak_rss_mb, default=0),
            "MB",
            detail="resident set, the largest of the request-serving processes",
        )
    )
    return report


def table(report: Report) -> str:
    lines = [
        f"zongzhi benchmark — {report.cases:,} cases — {report.database}",
        f"{'measure':<44} {'p50/value':>12} {'p95':>9}  {'unit':<9} {'target':<9} met",
    ]
    for r in report.rows:
        p95 = "" if r.p95 is None else f"{r.p95:,.1f}"
        met = "" if r.met is None else ("yes" if r.met else "NO")
        lines.append(f"{r.name:<44} {r.value:>12,.1f} {p95:>9}  {r.unit:<9} {r.target:<9} {met}")
    lines.append("")
    lines += [f"  {r.name}: {r.detail}" for r in report.rows if r.detail]
    return "\n".join(lines)
