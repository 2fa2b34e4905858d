"""The migrations build what the tests build from the models.

The test databases get their tables from the models and then the migrations' data
(core/testing.py), so nothing else applies the real migrations in `make test`. This test
does, on each engine, into a database of its own, and compares it with the test database:
every table, column (type, size, null, default), index and constraint (by name and
content), the PostgreSQL functions and extensions, and every row the migrations wrote. A
migration that fails, a RunSQL that nothing else knows about, or a model changed without
its migration shows up here.
"""

import pprint
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections

pytestmark = pytest.mark.sqlite

MIGRATED = "migrated"
# The index and constraint names the models state: later migrations drop and alter them by
# these names, so they must be the same however the database was built.
DECLARED = {
    item.name
    for model in apps.get_models()
    for item in [*model._meta.indexes, *model._meta.constraints]
}
# Django's own: contrib.auth's migrations made the groups' permission links with a big
# integer id, and its model today says a plain one. Not ours to change.
DJANGO_OWN = {"auth_group_permissions.columns.id"}


@pytest.fixture
def migrated(django_db_blocker: Any, tmp_path: Path) -> Iterator[Any]:
    """A database with every migration applied, as `manage.py migrate` leaves it."""
    settings = dict(connections.settings["default"])
    if connection.vendor == "postgresql":
        settings["NAME"] = f"{connection.settings_dict['NAME']}_migrated"
    else:
        settings["NAME"] = str(tmp_path / "migrated.sqlite3")
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {settings['NAME']}")
                cursor.execute(f"CREATE DATABASE {settings['NAME']}")
        connections.settings[MIGRATED] = settings
        try:
            call_command("migrate", database=MIGRATED, verbosity=0, interactive=False)
            yield connections[MIGRATED]
        finally:
            connections[MIGRATED].close()
            del connections[MIGRATED]
            del connections.settings[MIGRATED]
            if connection.vendor == "postgresql":
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {settings['NAME']}")


def _schema(conn: Any) -> dict[str, Any]:
    """Tables → columns and constraints, as the database describes them."""
    found: dict[str, Any] = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            if table == "django_migrations":
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY 1, 2")
                found["applied"] = cursor.fetchall()
                continue
            columns = {
                c.name: (c.type_code, c.internal_size, c.precision, c.scale, c.null_ok, c.default)
                for c in conn.introspection.get_table_description(cursor, table)
            }
            constraints = {}
            for name, details in conn.introspection.get_constraints(cursor, table).items():
                kept = {k: v for k, v in sorted(details.items()) if v not in (None, [], False)}
                if name not in DECLARED:
                    # Names Django made up: SQLite numbers some by their place in the
                    # table, and PostgreSQL keeps an index's name when its column is
                    # renamed (care_careevent_by_id_… for actor_id). Compared by content.
                    name = repr(kept)
                constraints[name] = kept
            found[table] = {"columns": columns, "constraints": constraints}
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT p.proname, pg_get_function_identity_arguments(p.oid), "
                "pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid "
                "AND d.deptype = 'e') ORDER BY 1, 2"
            )
            found["functions"] = cursor.fetchall()
            cursor.execute("SELECT extname FROM pg_extension ORDER BY 1")
            found["extensions"] = cursor.fetchall()
    return found


def _rows(conn: Any, tables: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables the migrations fill, without ids (which differ)."""
    found = {}
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)}")  # noqa: S608 (our tables)
            names = [d[0] for d in cursor.description]
            keep = [i for i, n in enumerate(names) if n != "id" and not n.endswith("_id")]
            found[table] = sorted(
                (tuple(str(row[i]) for i in keep) for row in cursor.fetchall()), key=repr
            )
    return found


@pytest.mark.django_db
def test_the_migrations_build_the_same_database_as_the_tests_use(migrated: Any) -> None:
    built, applied = _schema(connection), _schema(migrated)
    assert sorted(built) == sorted(applied)
    differences = {
        f"{table}.{part}.{name}": (mine.get(name), theirs.get(name))
        for table in sorted(built)
        if table not in ("functions", "extensions", "applied")
        for part in ("columns", "constraints")
        for mine, theirs in [(built[table][part], applied[table][part])]
        for name in sorted(set(mine) | set(theirs))
        if mine.get(name) != theirs.get(name) and f"{table}.{part}.{name}" not in DJANGO_OWN
    }
    # Each difference as (the tests' database, the migrated one).
    assert not differences, pprint.pformat(differences)
    assert built.get("functions") == applied.get("functions")
    assert built.get("extensions") == applied.get("extensions")
    assert built["applied"] == applied["applied"]
    # The rows the migrations wrote: seeds and what the framework adds after them.
    with connection.cursor() as cursor:
        tables = [
            t for t in connection.introspection.table_names(cursor) if t != "django_migrations"
        ]
    counts_built = {t: len(r) for t, r in _rows(connection, tables).items()}
    counts_applied = {t: len(r) for t, r in _rows(migrated, tables).items()}
    assert counts_built == counts_applied
    seeded = [t for t, n in counts_built.items() if n and not t.startswith(("auth_", "django_"))]
    assert {"categories_category", "cases_routingrule", "cases_deadlinepolicy"} <= set(seeded)
    assert _rows(connection, seeded) == _rows(migrated, seeded)
