"""The django-helpdesk peer for `make bench` (issue 8): what a governance centre would pick
instead of zongzhi, measured on the same PostgreSQL server, with as many records, in the
same run.

1. Drops and creates the database "helpdesk" on DATABASE_URL's server and migrates it.
2. Loads N tickets in SQL over 1,425 queues (one per township centre of the synthetic
   province) with about five follow-ups each, their staff, permissions and settings.
3. Creates tickets through helpdesk's own API (POST /helpdesk/api/tickets/) with
   django.test.Client in two worker processes at once, for --seconds.
4. Times what a township's staff member waits for when opening the open tickets of their
   queue, newest first: the ticket list page and the data request its table then sends.
5. Writes the numbers to --json and prints a summary.

README.md beside this file says what is measured and what is not the same as on our side.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import queue
import random
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from importlib.metadata import version
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

# Always this folder's project: when zongzhi's harness runs this script, its own
# DJANGO_SETTINGS_MODULE (config.settings) is in the environment it passes on.
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUEUES = 1425  # townships in the synthetic province: one queue per township's centre
STAFF_PER_QUEUE = 3  # the assignable staff of a centre
CHUNK = 250_000  # tickets per transaction of the load
LOAD_THREADS = 2  # one PostgreSQL backend per core
DAYS = 730  # tickets were created over the past two years …
GROWTH = 2.0  # … and the last day sees twice the tickets of the first, as on our side
OPEN_RECENT, OPEN_OLD = 0.70, 0.06  # share open: in the last 30 days, and before (stalled)
WORKERS = 2  # processes at once: one per core, as on our side
LIST_WARMUP = 20  # untimed ticket-list samples, split over the workers
LIST_PAGE = "/helpdesk/tickets/"
API_TICKETS = "/helpdesk/api/tickets/"
# The ticket list's table loads its rows from this URL, written into the page's script.
DATA_URL_RE = re.compile(r'"url":\s*"(/helpdesk/datatables_ticket_list/[^"]+)"')
PAGE_LENGTH_RE = re.compile(r"data-page-length='(\d+)'")
# The columns ticket_list.html declares (time_spent and kbitem with their settings on, as
# they are by default) and whether each may be ordered by: DataTables sends them all with
# every request, and the view parses the query string they make.
TABLE_COLUMNS = [
    ("id", False), ("ticket", True), ("priority", True), ("queue", True), ("status", True),
    ("created", True), ("due_date", True), ("assigned_to", True), ("submitter", True),
    ("last_followup", True), ("time_spent", True), ("kbitem", True),
]  # fmt: skip

# --- What the tickets say -------------------------------------------------------------
# Chinese of the same kind and length as our cases: a title of about 30 characters (place,
# person, what they report, what they ask) and a description of about 60.
VILLAGES = ["青龙", "白沙", "新民", "石岩", "河口", "松林", "大坪", "小河"]
VILLAGES += ["龙潭", "金山", "红旗", "团结", "和平", "东风", "柳树", "杨家"]
PLACES = [f"{v}村{g}组" for v in VILLAGES for g in "一二三四五六七八"]
SURNAMES = "李王张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "建华国强志明海文军晓东永刚德云龙秀英丽娟海燕红梅晓春花玉兰金凤桂芳"
PEOPLE = [
    s + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7 + 3) % len(GIVEN)] for i, s in enumerate(SURNAMES * 8)
]
ISSUES = [
    "邻居修建围墙占用公共通道引发纠纷",
    "宅基地边界不清与邻居多次发生争执",
    "承包地流转租金长期拖欠未予支付",
    "工地拖欠农民工工资共计三万余元",
    "养殖场异味扰民影响周边居民生活",
    "家庭成员因赡养老人问题产生矛盾",
    "夫妻感情不和因财产分割发生争吵",
    "楼上住户漏水导致楼下房屋受损",
    "小区物业收费标准不透明引发不满",
    "道路施工噪音夜间扰民影响休息",
    "村集体土地征收补偿款分配不均",
    "交通事故赔偿双方协商未果",
    "山林权属不清两村群众发生争议",
    "灌溉用水分配不均引发邻里矛盾",
    "商铺租赁合同到期押金未退还",
    "医疗费用报销问题多次反映未解决",
]
ASKS = ["，请求协调处理", "，要求尽快解决", "，请求依法调解", "，希望有关部门介入"]
CONTEXTS = [
    "双方多次协商未果，矛盾有激化趋势",
    "涉及群众五户，现场情绪较为激动",
    "此前已向村委会反映但未得到解决",
    "当事人称问题已持续半年以上，影响正常生活",
    "对方拒不配合，当事人多次到村委会反映",
]
CHANNELS = ["来电反映：", "来访反映：", "通过网格员反映：", "在线反映："]
NOTES = [
    "已联系双方当事人，约定本周内到现场了解情况",
    "已转交司法所调解，调解员已与当事人电话沟通",
    "现场核实情况属实，已组织双方进行初步协商",
    "双方分歧较大，已安排村调委会再次组织调解",
    "已电话回访当事人，问题已得到解决，表示满意",
]
RESOLUTIONS = [
    "经调解双方达成一致，签订调解协议，纠纷已化解",
    "已依法作出解释说明，当事人表示理解",
    "相关部门已处理到位，当事人对结果表示满意",
]


def title_for(rng: random.Random) -> str:
    return f"{rng.choice(PLACES)}村民{rng.choice(PEOPLE)}反映{rng.choice(ISSUES)}{rng.choice(ASKS)}"


def description_for(rng: random.Random) -> str:
    return (
        f"{rng.choice(PLACES)}{rng.choice(PEOPLE)}{rng.choice(CHANNELS)}"
        f"{rng.choice(ISSUES)}，{rng.choice(CONTEXTS)}{rng.choice(ASKS)}。"
    )


def log(message: str) -> None:
    print(f"[helpdesk] {message}", file=sys.stderr, flush=True)


@contextmanager
def phase(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 2)
    log(f"{name}: {timings[name]:.1f} s")


# --- 1. The database --------------------------------------------------------------------


def recreate_database(url: str, name: str) -> None:
    """Drop and create `name` on the server `url` names, connected to `url`'s own database
    (scripts/with-postgres makes the role a superuser that owns it)."""
    import psycopg
    from settings import database_from_url

    own = urlsplit(url).path.lstrip("/") or "postgres"
    db = database_from_url(url, own)
    params = {
        "dbname": own,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"],
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        ident = psycopg.sql.Identifier(name)
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(ident))


# --- 2. The load ------------------------------------------------------------------------

# A number in [0, 1) drawn from (row, salt): the same data on every run, and no state
# shared between the two loading backends. SQL-language and IMMUTABLE, so inlined.
UNIFORM_FUNCTION = """
CREATE FUNCTION bench_u(bigint, bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended($1, $2) & 4503599627370495)::double precision
             / 4503599627370496 $$
"""

# One chunk of tickets, ids lo..hi of n. Ids follow creation time, as a sequence would
# have given them; the time of day is left as the curve puts it.
TICKETS_SQL = """
WITH base AS (
    SELECT g,
           1 + floor(bench_u(g, 1) * %(queues)s)::int AS q,
           %(start)s::timestamptz
             + (sqrt(1 + (%(growth)s::float8 ^ 2 - 1) * (g - 0.5)::float8 / %(n)s) - 1)
               / (%(growth)s::float8 - 1) * %(days)s * interval '1 day' AS created
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
), t AS (
    SELECT base.*,
           CASE WHEN bench_u(g, 2) < CASE WHEN created > %(now)s::timestamptz - interval '30 days'
                                          THEN %(open_recent)s ELSE %(open_old)s END
                THEN CASE WHEN bench_u(g, 3) < 0.85 THEN 1 ELSE 2 END
                ELSE CASE WHEN bench_u(g, 3) < 0.60 THEN 4
                          WHEN bench_u(g, 3) < 0.98 THEN 3 ELSE 5 END
           END AS status,
           least(%(now)s::timestamptz - created,
                 (2 + 18 * bench_u(g, 4)) * interval '1 day') AS span
    FROM base
)
INSERT INTO helpdesk_ticket (
    id, title, queue_id, created, modified, submitter_email, assigned_to_id, status, on_hold,
    description, resolution, priority, due_date, secret_key
)
SELECT g,
       (%(places)s::text[])[1 + floor(bench_u(g, 10) * %(n_places)s)::int]
         || '村民' || (%(people)s::text[])[1 + floor(bench_u(g, 11) * %(n_people)s)::int]
         || '反映' || (%(issues)s::text[])[1 + floor(bench_u(g, 12) * %(n_issues)s)::int]
         || (%(asks)s::text[])[1 + floor(bench_u(g, 13) * %(n_asks)s)::int],
       q,
       created,
       created + span,
       'r' || (1 + floor(bench_u(g, 14) * 200000)::int) || '@example.com',
       CASE WHEN status IN (1, 2) AND bench_u(g, 5) < 0.2 THEN NULL  -- not yet assigned
            ELSE %(staff0)s + (q - 1) * %(per)s + floor(bench_u(g, 6) * %(per)s)::int END,
       status,
       false,
       (%(places)s::text[])[1 + floor(bench_u(g, 15) * %(n_places)s)::int]
         || (%(people)s::text[])[1 + floor(bench_u(g, 11) * %(n_people)s)::int]
         || (%(channels)s::text[])[1 + floor(bench_u(g, 16) * %(n_channels)s)::int]
         || (%(issues)s::text[])[1 + floor(bench_u(g, 12) * %(n_issues)s)::int] || '，'
         || (%(contexts)s::text[])[1 + floor(bench_u(g, 17) * %(n_contexts)s)::int]
         || (%(asks)s::text[])[1 + floor(bench_u(g, 13) * %(n_asks)s)::int] || '。',
       CASE WHEN status IN (3, 4)
            THEN (%(resolutions)s::text[])[1 + floor(bench_u(g, 18) * %(n_resolutions)s)::int]
       END,
       CASE WHEN bench_u(g, 7) < 0.03 THEN 1 WHEN bench_u(g, 7) < 0.15 THEN 2
            WHEN bench_u(g, 7) < 0.75 THEN 3 WHEN bench_u(g, 7) < 0.90 THEN 4 ELSE 5 END,
       created + interval '30 days',
       -- uuid-shaped and unique; gen_random_uuid() would cost a quarter of the tickets' CPU
       md5(g::text)::uuid::text
FROM t
"""

# The chunk's timelines, read back from its tickets: opened (the description, as helpdesk
# copies it), comments by the staff, and the status changes that led to where the ticket
# stands, spread from its creation to its last change. Closed and resolved tickets carry
# five entries, reopened ones five, duplicates two, open ones one to three.
FOLLOWUPS_SQL = """
INSERT INTO helpdesk_followup (
    ticket_id, date, title, comment, public, user_id, new_status, email_recipients
)
SELECT t.id,
       t.created + (t.modified - t.created) * ((s - 1)::float8 / greatest(k.n - 1, 1)),
       CASE WHEN s = 1 THEN '开工单' WHEN c.new_status = 2 THEN '重新打开'
            WHEN c.new_status = 3 THEN '已解决' WHEN c.new_status = 4 THEN '已关闭'
            WHEN c.new_status = 5 THEN '重复' ELSE '评论' END,
       CASE WHEN s = 1 THEN t.description
            WHEN c.new_status IN (3, 4) AND t.resolution IS NOT NULL THEN t.resolution
            ELSE (%(notes)s::text[])[1 + floor(bench_u(t.id * 8 + s, 20) * %(n_notes)s)::int]
       END,
       s = 1 OR c.new_status IS NOT NULL,
       coalesce(t.assigned_to_id, %(staff0)s + (t.queue_id - 1) * %(per)s),
       c.new_status,
       NULL
FROM helpdesk_ticket AS t
CROSS JOIN LATERAL (
    SELECT CASE t.status WHEN 1 THEN 1 + mod(t.id, 3)::int WHEN 5 THEN 2 ELSE 5 END AS n
) AS k
CROSS JOIN LATERAL generate_series(1, k.n) AS s
CROSS JOIN LATERAL (
    SELECT CASE WHEN s = 1 THEN NULL
                WHEN t.status = 4 AND s = 4 THEN 3
                WHEN t.status = 4 AND s = 5 THEN 4
                WHEN t.status = 3 AND s = 5 THEN 3
                WHEN t.status = 5 AND s = 2 THEN 5
                WHEN t.status = 2 AND s = 3 THEN 3
                WHEN t.status = 2 AND s = 4 THEN 2
           END AS new_status
) AS c
WHERE t.id BETWEEN %(lo)s AND %(hi)s
"""

LOADED_TABLES = ["helpdesk_ticket", "helpdesk_followup"]


def create_reference_data() -> dict[str, int]:
    """Queues, their access permissions, their staff (with the permission of their queue
    and the settings row helpdesk creates for every user) and one administrator.

    The ORM's bulk_create, since there are only thousands: helpdesk's own Queue.save()
    would create the permission one query at a time, and its post_save signal would create
    each UserSettings row; both are done here in bulk, with the same values.
    """
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Permission, User
    from django.contrib.contenttypes.models import ContentType
    from helpdesk.models import Queue, UserSettings

    queues = Queue.objects.bulk_create(
        Queue(
            title=f"{PLACES[i % len(PLACES)][:2]}{i + 1:04d}镇综治中心",
            slug=f"t{i + 1:04d}",
            email_address=f"t{i + 1:04d}@example.com",
            permission_name=f"helpdesk.queue_access_t{i + 1:04d}",
            allow_public_submission=False,
            allow_email_submission=False,
        )
        for i in range(QUEUES)
    )
    queue_type = ContentType.objects.get_for_model(Queue)
    permissions = Permission.objects.bulk_create(
        Permission(
            name=f"Permission for queue: {q.title}",
            content_type=queue_type,
            codename=q.permission_name.removeprefix("helpdesk."),
        )
        for q in queues
    )
    password = make_password("bench-password-unused")  # agents log in with force_login
    staff = User.objects.bulk_create(
        User(
            username=f"{q.slug}_{k}",
            first_name=GIVEN[(i + k) % len(GIVEN)] + GIVEN[(i * 7 + k) % len(GIVEN)],
            last_name=SURNAMES[(i + k) % len(SURNAMES)],
            email=f"{q.slug}_{k}@example.com",
            is_staff=True,
            password=password,
        )
        for i, q in enumerate(queues)
        for k in range(STAFF_PER_QUEUE)
    )
    admin = User.objects.create_superuser("admin", "admin@example.com", "bench-password-unused")
    ids = [u.pk for u in staff]
    # The SQL load names a queue's staff by arithmetic: ids must be consecutive.
    if [q.pk for q in queues] != list(range(1, QUEUES + 1)) or ids != list(
        range(ids[0], ids[0] + len(ids))
    ):
        raise RuntimeError("queues and staff did not get consecutive ids in a fresh database")
    User.user_permissions.through.objects.bulk_create(
        User.user_permissions.through(
            user_id=u.pk, permission_id=permissions[i // STAFF_PER_QUEUE].pk
        )
        for i, u in enumerate(staff)
    )
    # create_superuser() went through save(), so its settings row exists already.
    UserSettings.objects.bulk_create(UserSettings(user_id=pk) for pk in ids)
    return {"staff0": ids[0], "staff_users": len(ids), "admin": admin.pk}


def drop_for_load(cursor: Any) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Drop the loaded tables' secondary indexes and foreign keys, returning their
    definitions as PostgreSQL reports them, so that each is rebuilt exactly as it was:
    building an index once from the finished table is a sort, keeping it through millions
    of inserts is random B-tree writes. Primary keys stay."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i' "
        "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) "
        "ORDER BY i.tablename DESC, i.indexname",  # follow-ups first: the largest
        [LOADED_TABLES],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) "
        "ORDER BY 1, 2",
        [LOADED_TABLES],
    )
    foreign_keys = [(table, name, definition) for table, name, definition in cursor.fetchall()]
    # Names and definitions come from the catalogue, not from input.
    for table, name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in indexes], foreign_keys


def in_threads(jobs: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run jobs on LOAD_THREADS threads, each with its own database connection (Django's
    connections are per thread), and return their results in order; the first error
    raised is raised here."""
    from django.db import connection

    def run(job: Callable[[], Any]) -> Any:
        try:
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=LOAD_THREADS) as pool:
        return [f.result() for f in [pool.submit(run, job) for job in jobs]]


def load(n: int, timings: dict[str, float]) -> dict[str, Any]:
    from django.db import connection, transaction

    with phase(timings, "reference"):
        ref = create_reference_data()
    now = datetime.now().astimezone()
    texts = {
        "places": PLACES,
        "people": PEOPLE,
        "issues": ISSUES,
        "asks": ASKS,
        "contexts": CONTEXTS,
        "channels": CHANNELS,
        "resolutions": RESOLUTIONS,
        "notes": NOTES,
    }
    params: dict[str, Any] = {
        "n": n,
        "queues": QUEUES,
        "per": STAFF_PER_QUEUE,
        "staff0": ref["staff0"],
        "now": now,
        "start": now - timedelta(days=DAYS),
        "days": DAYS,
        "growth": GROWTH,
        "open_recent": OPEN_RECENT,
        "open_old": OPEN_OLD,
        **texts,
        **{f"n_{key}": len(value) for key, value in texts.items()},
    }
    with connection.cursor() as cursor:
        cursor.execute(UNIFORM_FUNCTION)
        indexes, foreign_keys = drop_for_load(cursor)

    def chunk(lo: int, hi: int) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(TICKETS_SQL, {**params, "lo": lo, "hi": hi})
            cursor.execute(FOLLOWUPS_SQL, {**params, "lo": lo, "hi": hi})
            followups = cursor.rowcount
        log(f"tickets {lo:,}–{hi:,} loaded")
        return followups

    with phase(timings, "tickets_and_followups"):
        bounds = [(lo, min(lo + CHUNK - 1, n)) for lo in range(1, n + 1, CHUNK)]
        followups = sum(in_threads([lambda b=b: chunk(*b) for b in bounds]))

    def execute(*statements: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for statement in statements:
                cursor.execute(statement)

    with phase(timings, "indexes"):
        in_threads([lambda d=d: execute(d) for d in indexes])
    with phase(timings, "foreign_keys"):
        # Added unchecked (a moment's lock on both tables), then checked table by table in
        # parallel: VALIDATE holds a lock that lets the other table's check proceed.
        execute(
            *(
                f'ALTER TABLE "{t}" ADD CONSTRAINT "{name}" {d} NOT VALID'
                for t, name, d in foreign_keys
            )
        )
        in_threads(
            [
                lambda t=t: execute(
                    *(
                        f'ALTER TABLE "{t}" VALIDATE CONSTRAINT "{name}"'
                        for tt, name, _ in foreign_keys
                        if tt == t
                    )
                )
                for t in LOADED_TABLES
            ]
        )
    with phase(timings, "vacuum_analyze_checkpoint"):
        execute(
            "DROP FUNCTION bench_u(bigint, bigint)",
            f"SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), {max(n, 1)})",
            # As our generator leaves its cases: the tickets vacuumed (visibility map and
            # hint bits, as a settled database has them), statistics for every table.
            "VACUUM (ANALYZE) helpdesk_ticket",
            "ANALYZE",
            # Flushed now rather than by the checkpointer during the measurements.
            "CHECKPOINT",
        )
    return {**ref, "followups": followups}


def _proc_stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()  # the fields after the command name


def server_cpu_seconds() -> float | None:
    """CPU time the PostgreSQL server has used so far, when it runs on this machine: the
    postmaster's own and that of the children it has reaped (backends that have closed,
    parallel workers), plus its live children's. With the client's own CPU time this says
    what the load costs whatever else the machine was doing; None when /proc cannot tell."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    try:
        postmaster = int(_proc_stat(backend)[1])
        ticks: float = 0
        # utime, stime, cutime, cstime: the 14th to 17th fields, 12th to 15th after the name.
        ticks += sum(int(x) for x in _proc_stat(postmaster)[11:15])
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = _proc_stat(int(entry))
                except OSError:
                    continue  # gone meanwhile
                if int(fields[1]) == postmaster:
                    ticks += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def describe_data() -> dict[str, Any]:
    """What was loaded, measured rather than assumed: the share of open tickets and the
    texts' lengths (over the first 100,000 tickets)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT avg((status IN (1, 2))::int) FROM helpdesk_ticket")
        (open_share,) = cursor.fetchone()
        cursor.execute(
            "SELECT avg(char_length(title)), avg(char_length(description)) "
            "FROM (SELECT title, description FROM helpdesk_ticket LIMIT 100000) AS t"
        )
        title, description = cursor.fetchone()
    return {
        "open_share": round(float(open_share or 0), 3),
        "text_lengths": {
            "title": round(float(title or 0), 1),
            "description": round(float(description or 0), 1),
        },
    }


# --- Worker processes ---------------------------------------------------------------


def worker_main(
    job: Callable[..., dict[str, Any]],
    number: int,
    args: tuple[Any, ...],
    barrier: Barrier,
    results: Any,
) -> None:
    """A worker process: set Django up, run `job` (which waits at `barrier` once warmed
    up, so that all workers measure the same interval) and hand back its result with the
    process's peak resident memory."""
    import django

    django.setup()
    result = job(number, *args, barrier)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    results.put({**result, "worker": number, "rss_mb": round(peak_kb / 1024, 1)})


def in_processes(
    job: Callable[..., dict[str, Any]], args: Sequence[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """Run `job` in one process per entry of `args`, all at once, as that many server
    workers would serve requests on this machine's cores. Spawned rather than forked:
    each is a fresh interpreter that imports Django and helpdesk itself, as a server
    worker does, and inherits no connection."""
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(args))
    results = ctx.Queue()
    processes = [
        ctx.Process(target=worker_main, args=(job, i, a, barrier, results))
        for i, a in enumerate(args)
    ]
    for process in processes:
        process.start()
    outcomes: list[dict[str, Any]] = []
    try:
        while len(outcomes) < len(processes):
            try:
                outcomes.append(results.get(timeout=1))
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError("a worker failed; its traceback is above") from None
    finally:
        for process in processes:
            if len(outcomes) < len(processes) and process.exitcode is None:
                process.terminate()
            process.join()
    return sorted(outcomes, key=lambda o: o["worker"])


# --- 3. Creation through the API ---------------------------------------------------------


def create_job(
    number: int, agent_id: int, queue_id: int, warmup: float, seconds: float, barrier: Barrier
) -> dict[str, Any]:
    """A logged-in staff member posting tickets to their queue as fast as the API takes
    them, for `seconds` after `warmup`."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(pk=agent_id))
    rng = random.Random(number)  # noqa: S311 — sample text, not secrets

    def post() -> None:
        payload = {
            "queue": queue_id,
            "title": title_for(rng),
            "description": description_for(rng),
            "submitter_email": f"r{rng.randrange(200000)}@example.com",
            "priority": 3,
        }
        response = client.post(API_TICKETS, payload, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"API answered {response.status_code}: {response.content[:500]!r}")

    deadline = time.perf_counter() + warmup
    while time.perf_counter() < deadline:
        post()
    barrier.wait(timeout=600)
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        post()
        count += 1
    return {"count": count, "seconds": time.perf_counter() - started}


def measure_create(staff0: int, warmup: float, seconds: float) -> dict[str, Any]:
    # Worker w is the first staff member of queue w + 1; the list samples other queues.
    outcomes = in_processes(
        create_job,
        [(staff0 + w * STAFF_PER_QUEUE, w + 1, warmup, seconds) for w in range(WORKERS)],
    )
    return {
        "create_per_s": round(sum(o["count"] / o["seconds"] for o in outcomes), 1),
        "create_counts": [o["count"] for o in outcomes],
        "peak_rss_mb": [o["rss_mb"] for o in outcomes],
    }


# --- 4. The staff member's filtered ticket list -------------------------------------------


def datatables_query(page_length: int) -> dict[str, str]:
    """The query string DataTables 3 (as helpdesk ships it) sends for the first draw of
    the ticket table: every column's settings, the first page, no search. The table
    declares `order: []`, so no order is sent and the view sorts as the page's filter
    says (created, reversed)."""
    query = {"draw": "1"}
    for i, (data, orderable) in enumerate(TABLE_COLUMNS):
        query |= {
            f"columns[{i}][data]": data,
            f"columns[{i}][name]": "",
            f"columns[{i}][searchable]": "true",
            f"columns[{i}][orderable]": "true" if orderable else "false",
            f"columns[{i}][search][value]": "",
            f"columns[{i}][search][regex]": "false",
        }
    query |= {
        "start": "0",
        "length": str(page_length),
        "search[value]": "",
        "search[regex]": "false",
        "_": str(int(time.time() * 1000)),  # jQuery's cache breaker
    }
    return query


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def list_job(
    number: int, staff0: int, queues: list[int], warmup: int, barrier: Barrier
) -> dict[str, Any]:
    """Open the ticket list as the first staff member of each queue in turn, filtered to
    that queue's open and reopened tickets, newest first, as helpdesk's filter form submits
    it; then send the data request the page's table sends. The first `warmup` queues are
    not timed. Worker 0 checks its first answer and records its URLs."""
    from django.contrib.auth.models import User
    from django.test import Client
    from helpdesk.models import Ticket

    agents = User.objects.in_bulk([staff0 + (q - 1) * STAFF_PER_QUEUE for q in queues])
    client = Client()
    timings: list[tuple[float, float]] = []
    requests: list[str] = []
    rows: list[int] = []
    for i, queue_id in enumerate(queues):
        if i == warmup:
            barrier.wait(timeout=600)
        client.force_login(agents[staff0 + (queue_id - 1) * STAFF_PER_QUEUE])
        page_query = urlencode(
            {"queue": queue_id, "status": [1, 2], "sort": "created", "sortreverse": "on"},
            doseq=True,
        )
        started = time.perf_counter()
        page = client.get(f"{LIST_PAGE}?{page_query}")
        page_done = time.perf_counter()
        if page.status_code != 200:
            raise RuntimeError(f"ticket list answered {page.status_code}")
        html = page.content.decode()
        data_url = DATA_URL_RE.search(html)
        page_length = PAGE_LENGTH_RE.search(html)
        if not data_url or not page_length:
            raise RuntimeError("the ticket list page no longer names its data request")
        data_query = urlencode(datatables_query(int(page_length.group(1))))
        data = client.get(f"{data_url.group(1)}?{data_query}")
        data_done = time.perf_counter()
        if data.status_code != 200:
            raise RuntimeError(f"ticket data answered {data.status_code}: {data.content[:300]!r}")
        body = json.loads(data.content)
        if number == 0 and i == 0:
            # What is timed must be what it claims: this queue's open tickets, all of them.
            expected = Ticket.objects.filter(queue_id=queue_id, status__in=[1, 2]).count()
            if body["recordsFiltered"] != expected or len(body["data"]) != min(
                expected, int(page_length.group(1))
            ):
                raise RuntimeError(f"list shows {body['recordsFiltered']} of {expected} tickets")
            requests = [f"GET {LIST_PAGE}?{page_query}", f"GET {data_url.group(1)}?{data_query}"]
        if i >= warmup:
            timings.append(((page_done - started) * 1000, (data_done - page_done) * 1000))
            rows.append(body["recordsFiltered"])
    if len(queues) <= warmup:
        barrier.wait(timeout=600)
    return {"timings": timings, "rows": rows, "requests": requests, "bytes": len(page.content)}


def measure_list(staff0: int, samples: int) -> dict[str, Any]:
    """`samples` timed page-and-data pairs over distinct queues (none of those the create
    workers wrote to), split over the workers, all at once as on our side."""
    candidates = list(range(WORKERS + 1, QUEUES + 1))
    rng = random.Random(8)  # noqa: S311 — a reproducible choice of queues
    total = LIST_WARMUP + samples
    chosen = rng.sample(candidates, min(total, len(candidates)))
    while len(chosen) < total:  # more samples than queues: go round again
        chosen += rng.sample(candidates, min(total - len(chosen), len(candidates)))
    # Warm-up queues first in each worker's list, then its share of the samples.
    warm, timed = chosen[:LIST_WARMUP], chosen[LIST_WARMUP:]
    per_warm = LIST_WARMUP // WORKERS
    outcomes = in_processes(
        list_job,
        [
            (staff0, warm[w * per_warm : (w + 1) * per_warm] + timed[w::WORKERS], per_warm)
            for w in range(WORKERS)
        ],
    )
    timings = [t for o in outcomes for t in o["timings"]]
    totals = [page + data for page, data in timings]
    pages = [page for page, _ in timings]
    datas = [data for _, data in timings]
    return {
        "list_p50_ms": round(percentile(totals, 50), 1),
        "list_p95_ms": round(percentile(totals, 95), 1),
        "list_page_p50_ms": round(percentile(pages, 50), 1),
        "list_page_p95_ms": round(percentile(pages, 95), 1),
        "list_data_p50_ms": round(percentile(datas, 50), 1),
        "list_data_p95_ms": round(percentile(datas, 95), 1),
        "list_samples": len(timings),
        "list_workers": WORKERS,
        "list_open_tickets_per_queue_mean": round(
            statistics.fmean(r for o in outcomes for r in o["rows"]), 1
        ),
        "list_page_bytes": outcomes[0]["bytes"],
        "list_peak_rss_mb": [o["rss_mb"] for o in outcomes],
        "list_requests": outcomes[0]["requests"],
    }


# --- 5. Report ---------------------------------------------------------------------------

NOTES_TEXT = (
    "Creation: POST /helpdesk/api/tickets/ (helpdesk's DRF TicketViewSet, JSON body with "
    "queue, title, description, submitter_email, priority), session login via force_login, "
    "{workers} spawned processes for {seconds:g} s each after {warmup:g} s of warm-up, in "
    "django.test.Client (no server). Access: {access_note}. List: the ticket list page "
    "filtered to one queue and statuses Open+Reopened sorted by created reversed, plus the "
    "datatables data request the page issues (first page, page length from the agent's "
    "settings), timed back to back as one wait, {samples} samples over distinct queues, each "
    "as the queue's first staff member, split over {workers} processes at once after "
    "{list_warmup} warm-up samples. Load: SQL INSERT … SELECT from generate_series in "
    "{chunk:,}-ticket transactions on {threads} connections, secondary indexes and foreign "
    "keys of ticket and follow-up dropped and rebuilt, then VACUUM (ANALYZE) of the tickets "
    "(as our generator does for its cases), ANALYZE and CHECKPOINT (included in "
    "load_seconds). Only the indexes helpdesk's migrations create exist. Mail goes to "
    "Django's dummy backend (built, not sent). Not loaded: TicketChange rows (field-change "
    "history), attachments, CCs."
)

ACCESS_NOTES = {
    "queue": "HELPDESK_ENABLE_PER_QUEUE_STAFF_PERMISSION on, each agent a non-superuser "
    "staff member holding their own queue's permission (helpdesk's way to keep a township "
    "to its own cases)",
    "all": "HELPDESK_ENABLE_PER_QUEUE_STAFF_PERMISSION off, every staff member sees every "
    "queue (not what a province would run: no township kept to its own cases)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="tickets to load")
    parser.add_argument("--json", type=Path, required=True, help="where to write the results")
    parser.add_argument("--seconds", type=float, default=20, help="creation measured for this")
    parser.add_argument("--warmup", type=float, default=3, help="creation warm-up, seconds")
    parser.add_argument("--list-samples", type=int, default=200, help="ticket list samples")
    parser.add_argument(
        "--access",
        choices=["queue", "all"],
        default="queue",
        help="queue: staff see their own queue only (per-queue permissions, the default); "
        "all: every staff member sees every queue",
    )
    args = parser.parse_args()
    if args.records < 1 or args.list_samples < 1:
        parser.error("--records and --list-samples must be positive")
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        parser.error("DATABASE_URL is not set (run under scripts/with-postgres)")

    # Read by settings.py, here and in the worker processes, which inherit the environment.
    os.environ["HELPDESK_BENCH_ACCESS"] = args.access
    import django
    from settings import DATABASE_NAME

    timings: dict[str, float] = {}
    with phase(timings, "create_database"):
        recreate_database(url, DATABASE_NAME)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    with phase(timings, "migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    load_started = time.perf_counter()
    server_cpu, client_cpu = server_cpu_seconds(), client_cpu_seconds()
    loaded = load(args.records, timings)
    load_seconds = round(time.perf_counter() - load_started, 1)
    server_cpu_after = server_cpu_seconds()
    load_cpu = {
        "server": round(server_cpu_after - server_cpu, 1)
        if server_cpu is not None and server_cpu_after is not None
        else None,
        "client": round(client_cpu_seconds() - client_cpu, 1),
    }
    described = describe_data()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]

    log(f"creating tickets through the API for {args.seconds:g} s in {WORKERS} workers")
    created = measure_create(loaded["staff0"], args.warmup, args.seconds)
    log(f"timing the ticket list over {args.list_samples} queues")
    listed = measure_list(loaded["staff0"], args.list_samples)

    result = {
        "peer": "django-helpdesk",
        "version": version("django-helpdesk"),
        "django": django.get_version(),
        "python": platform.python_version(),
        "postgres": server_version,
        "records": args.records,
        "followups": loaded["followups"],
        "queues": QUEUES,
        "staff_users": loaded["staff_users"],
        **described,
        "load_seconds": load_seconds,
        "load_phases": {
            k: v for k, v in timings.items() if k not in {"create_database", "migrate"}
        },
        # CPU seconds the load used, server and this process: on two cores, about twice
        # the wall time the load needs on a machine doing nothing else.
        "load_cpu_seconds": load_cpu,
        "migrate_seconds": timings["migrate"],
        "access": args.access,
        "create_via": "api",
        "create_workers": WORKERS,
        "create_seconds": args.seconds,
        **created,
        **listed,
        "notes": NOTES_TEXT.format(
            workers=WORKERS,
            seconds=args.seconds,
            warmup=args.warmup,
            samples=listed["list_samples"],
            list_warmup=LIST_WARMUP,
            chunk=CHUNK,
            threads=LOAD_THREADS,
            access_note=ACCESS_NOTES[args.access],
        ),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(
        f"django-helpdesk {result['version']} (Django {result['django']}), "
        f"{args.records:,} tickets, {loaded['followups']:,} follow-ups, {QUEUES} queues\n"
        f"  load      {load_seconds:.1f} s (CPU: server {load_cpu['server']} s, "
        f"client {load_cpu['client']} s)\n"
        f"  create    {created['create_per_s']:.1f} tickets/s over {WORKERS} workers "
        f"(API), peak RSS {', '.join(f'{m:.0f}' for m in created['peak_rss_mb'])} MB\n"
        f"  list      p50 {listed['list_p50_ms']:.1f} ms, p95 {listed['list_p95_ms']:.1f} ms "
        f"(page + data request, {listed['list_samples']} queues, {WORKERS} at once)\n"
        f"  written   {args.json}"
    )


if __name__ == "__main__":
    main()
