"""Writing generated rows fast: COPY on PostgreSQL, bulk_create in batches elsewhere.

A `Table` takes plain tuples in the order of its fields and keeps at most one batch; each
full batch goes out as one COPY (or one bulk_create), on Django's own connection, so the
rows are part of the caller's transaction like any other write. Primary keys are either
left to the database (tables nothing points at: events, parties …) or handed out by the
generator from the table's current maximum (tables other rows refer to: regions, units,
users, cases …); `reset_sequences` then moves the sequences past them, so that the app
keeps inserting after generation.
"""

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from queue import Queue
from threading import Thread
from typing import Any

from django.db import IntegrityError, connection, models
from django.db.models import Max

# Rows per COPY: large enough that starting a COPY costs nothing, small enough to keep
# memory flat (a batch of events is a few megabytes).
COPY_BATCH = 20_000
BULK_BATCH = 2_000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def next_id(model: type[models.Model]) -> int:
    """The first primary key free after every row the table holds now."""
    return int(model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


class Table:
    """Rows for one model, as tuples of `fields` (attribute names: `region_id`, not
    `region`). Call `flush` at the end (and between phases, parents before children)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self.model = model
        # Columns the generator does not name but the table requires take their model
        # default (COPY would write NULL): a field added later, such as a digest beside an
        # idempotency key, needs no change here.
        unnamed = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in fields
            and not f.null
            and not f.primary_key
            and f.has_default()
            and not callable(f.default)
        ]
        self._defaults = tuple(f.get_default() for f in unnamed)
        self.fields = [*fields, *(f.attname for f in unnamed)]
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        columns = ", ".join(f'"{by_attname[name].column}"' for name in self.fields)
        self._sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
        # COPY takes a JSON value as its text; bulk_create takes the Python value.
        self._json = [
            i
            for i, name in enumerate(self.fields)
            if isinstance(by_attname[name], models.JSONField)
        ]
        self._postgres = is_postgres()
        self._limit = COPY_BATCH if self._postgres else BULK_BATCH
        self.count = 0
        self._rows: list[Sequence[Any]] = []

    def write(self, row: Sequence[Any]) -> None:
        self._rows.append((*row, *self._defaults) if self._defaults else row)
        if len(self._rows) >= self._limit:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        self.count += len(self._rows)
        if self._postgres:
            self._copy()
        else:
            self.model._default_manager.bulk_create(
                [self.model(**dict(zip(self.fields, row, strict=True))) for row in self._rows]
            )
        self._rows = []

    def _copy(self) -> None:
        rows = self._rows
        if self._json:
            rows = [_with_json(row, self._json) for row in rows]
        if _background is not None:
            _background.put(self._sql, rows)
            return
        with connection.cursor() as cursor:
            _copy_rows(cursor.cursor, self._sql, rows)


def _with_json(row: Sequence[Any], at: list[int]) -> list[Any]:
    values = list(row)
    for i in at:
        # Most timeline entries carry no data: skip the encoder for them.
        values[i] = json.dumps(values[i], ensure_ascii=False) if values[i] else "{}"
    return values


def _copy_rows(cursor: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    with cursor.copy(sql) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


class _Writer:
    """Sends the batches from a second thread, on the same database connection (psycopg's
    connections may be shared between threads), so that the generator makes the next
    batch while the server takes in the last one: on two cores, the client's work and the
    server's overlap instead of taking turns. The queue is short, so memory stays flat."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self._raw = connection.connection
        self._queue: Queue[tuple[str, Sequence[Sequence[Any]]] | None] = Queue(maxsize=3)
        self._error: BaseException | None = None
        self._thread = Thread(target=self._run, name="copy-writer", daemon=True)
        self._thread.start()

    def put(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((sql, rows))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain, so the producer never blocks on a dead writer
            try:
                with self._raw.cursor() as cursor:
                    _copy_rows(cursor, *item)
            except BaseException as error:  # handed to the producer, raised there
                self._error = error

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


_background: _Writer | None = None


@contextmanager
def copying_in_background() -> Iterator[None]:
    """Within this block, tables' COPYs go through one background writer (PostgreSQL);
    leaving it waits until every batch is in. Nothing else may use the connection
    meanwhile, so flush every table before reading."""
    global _background
    if not is_postgres():
        yield
        return
    _background = _Writer()
    try:
        yield
    finally:
        writer, _background = _background, None
        writer.close()


def reset_sequences(models_: Sequence[type[models.Model]]) -> None:
    """Move each table's id sequence past its largest id (PostgreSQL; SQLite's
    autoincrement already continues after the largest id)."""
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608 — a model's table
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
            )


def _superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW is_superuser")
        return cursor.fetchone()[0] == "on"


def skip_foreign_key_triggers() -> bool:
    """Turn this connection's foreign-key triggers off when allowed (see below); returns
    whether they are off."""
    if not is_postgres() or not _superuser():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    return True


@contextmanager
def foreign_keys_checked_afterwards() -> Iterator[bool]:
    """Load without PostgreSQL's row-by-row foreign-key checks; yields whether they are off.

    Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so every row queues one
    trigger per key, run at commit: for ten million cases some 200 million index probes,
    most of the load's time. With `session_replication_role = replica` (superusers only)
    those triggers do not fire; unique indexes and CHECK constraints still hold row by row,
    and `check_foreign_keys` then checks every key with one anti-join per key instead.
    Without the right, rows are checked the ordinary way."""
    if not skip_foreign_key_triggers():
        yield False
        return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def check_foreign_keys(models_: Sequence[type[models.Model]]) -> int:
    """Every foreign key of these tables points at a row; raises IntegrityError naming the
    first that does not. Returns how many keys were checked."""
    checked = 0
    with connection.cursor() as cursor:
        for model in models_:
            fks = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
            for fk in fks:
                target = fk.related_model._meta
                target_column = fk.target_field.column
                cursor.execute(
                    f'SELECT c."{fk.column}" FROM "{model._meta.db_table}" c '  # noqa: S608 — the models'
                    f'WHERE c."{fk.column}" IS NOT NULL AND NOT EXISTS ('
                    f'SELECT 1 FROM "{target.db_table}" p '
                    f'WHERE p."{target_column}" = c."{fk.column}") '
                    "LIMIT 1"
                )
                missing = cursor.fetchone()
                if missing is not None:
                    raise IntegrityError(
                        f"{model._meta.db_table}.{fk.column} = {missing[0]} names no row of "
                        f"{target.db_table}"
                    )
                checked += 1
    return checked


def server_cpu_seconds() -> float | None:
    """CPU time the PostgreSQL backend serving this connection has used, when it runs on
    this machine (read from /proc); None elsewhere. Wall time on a shared machine says
    little: this, with the client's own CPU time, says what the load costs."""
    if not is_postgres():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    # utime and stime: the 14th and 15th fields, the 12th and 13th after the name.
    return (int(fields[11]) + int(fields[12])) / ticks


def drop_secondary_indexes(models_: Sequence[type[models.Model]]) -> list[str]:
    """Drop these tables' plain indexes for a load; returns their definitions, for
    `create_indexes` to build them again after it (in the same transaction, so that a
    failed load leaves them as they were).

    Keeping ten indexes on a table growing by millions of rows costs random B-tree inserts
    per row (a tracking code or a timestamp lands anywhere); building each index once from
    the finished table is a sort. Only plain indexes go: the primary keys and the indexes
    behind unique constraints stay, so uniqueness is still checked row by row. Each comes
    back from its own definition as PostgreSQL reports it (pg_indexes.indexdef), so it is
    exactly what it was."""
    if not is_postgres():
        return []
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "JOIN pg_class c ON c.relname = i.indexname AND c.relkind = 'i' "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) "
            "ORDER BY i.indexname",
            [tables],
        )
        saved = cursor.fetchall()
        for name, _ in saved:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in saved]


def create_indexes(definitions: Sequence[str]) -> None:
    if not definitions:
        return
    with connection.cursor() as cursor:
        # Sorting in memory rather than on disk; for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


def vacuum_and_analyze(vacuumed: Sequence[type[models.Model]]) -> None:
    """Statistics for every table, as autovacuum would have them after a while, and the
    visibility map for `vacuumed` (counts over the cases can then read the index alone).
    VACUUM cannot run in a transaction: inside one (the tests), only ANALYZE runs."""
    with connection.cursor() as cursor:
        for model in [] if connection.in_atomic_block else vacuumed:
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        cursor.execute("ANALYZE")
