"""Building the tests' databases quickly: tables from the models, then the data the
migrations write.

Applying all ~90 migrations renders Django's migration state again and again and costs
about 12 s of CPU per test database (four of them in `make test`: two workers, two
engines). The tests build each database from the models instead (`TEST: {"MIGRATE":
False}` in config.test_settings, about 2 s) and then run what the migrations do besides
creating tables — their data migrations and extensions — through `run_migration_data`,
connected to post_migrate by zongzhi/conftest.py. `core/tests/test_migrations.py` applies
the real migrations to a database of their own and checks that both ways give the same
tables, columns, indexes, constraints, functions and rows.
"""

from typing import Any

from django.apps import apps as global_apps
from django.contrib.postgres.operations import CreateExtension
from django.db import connections, migrations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import override_settings


def _plan(connection: Any) -> tuple[MigrationLoader, list[tuple[str, str]]]:
    """Every migration, in the order `migrate` applies them."""
    # While the test database is built, Django sets every app's migrations to None; the
    # operations are read from the migration files all the same.
    with override_settings(MIGRATION_MODULES={}):
        loader = MigrationLoader(connection, ignore_no_migrations=True, load=True)
    ordered: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in ordered:
                ordered.append(node)
    return loader, ordered


def data_operations(connection: Any) -> list[tuple[str, Any]]:
    """Every operation of our migrations that is not about a model's tables — RunPython
    (but the elidable ones, which only fill existing rows), RunSQL, extensions — in the
    order `migrate` applies them, with its app label."""
    loader, ordered = _plan(connection)
    found: list[tuple[str, Any]] = []
    ours = {c.label for c in global_apps.get_app_configs() if c.name.startswith("zongzhi.")}
    for key in ordered:
        if key[0] not in ours:
            # Other apps' data migrations convert rows of an older schema (none here).
            continue
        migration = loader.graph.nodes[key]
        for operation in migration.operations:
            data = isinstance(operation, migrations.RunPython) and not operation.elidable
            if data or isinstance(operation, migrations.RunSQL | CreateExtension):
                found.append((key[0], operation))
    return found


def built_without_migrations(using: str) -> bool:
    """Whether the database `using` got its tables from the models (no migration of ours
    recorded as applied)."""
    recorder = MigrationRecorder(connections[using])
    return not any(app == "cases" for app, _ in recorder.applied_migrations())


def run_migration_data(using: str) -> None:
    """Run the data migrations and extensions on a database built from the models. The
    RunPython functions get today's app registry, so they must only use what still exists
    (the seeds look models up by name, as the migration state would give them)."""
    connection = connections[using]
    with connection.schema_editor() as editor:
        for label, operation in data_operations(connection):
            if isinstance(operation, migrations.RunPython):
                operation.code(global_apps, editor)  # type: ignore[arg-type]  # today's models
            elif isinstance(operation, CreateExtension):
                if connection.vendor == "postgresql":
                    name = editor.quote_name(operation.name)
                    editor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
            else:
                operation.database_forwards(label, editor, None, None)
    # Recorded as applied, as `migrate` leaves a database: what checks for a database of
    # ours (restore, pending migrations) reads.
    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(
        recorder.Migration(app=app, name=name) for app, name in _plan(connection)[1]
    )
