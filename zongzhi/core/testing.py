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
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import override_settings


def _plan(connection: Any) -> list[Migration]:
    """Every migration, in the order `migrate` applies them to an empty database."""
    # While the test database is built, Django sets every app's migrations to None; the
    # operations are read from the migration files all the same.
    with override_settings(MIGRATION_MODULES={}):
        executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return [m for m, _backwards in executor.migration_plan(targets, clean_start=True)]


def data_operations(plan: list[Migration]) -> list[tuple[str, Any]]:
    """Every operation of our migrations in `plan` that is not about a model's tables —
    RunPython (but the elidable ones, which only fill existing rows), RunSQL, extensions —
    in order, with its app label."""
    found: list[tuple[str, Any]] = []
    ours = {c.label for c in global_apps.get_app_configs() if c.name.startswith("zongzhi.")}
    for migration in plan:
        if migration.app_label not in ours:
            # Other apps' data migrations convert rows of an older schema (none here).
            continue
        for operation in migration.operations:
            data = isinstance(operation, migrations.RunPython) and not operation.elidable
            if data or isinstance(operation, migrations.RunSQL | CreateExtension):
                found.append((migration.app_label, operation))
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
    plan = _plan(connection)
    with connection.schema_editor() as editor:
        for label, operation in data_operations(plan):
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
        recorder.Migration(app=m.app_label, name=m.name) for m in plan
    )
