"""The work list's search: `Case.search_text` with a trigram index and a character-pair
index (PostgreSQL only; SQLite reads the rows), and `Party.phone_digits` with a btree index, filled for existing cases."""

from typing import Any

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from zongzhi.cases import search

TRIGRAM_INDEX = "case_search_trgm"
BIGRAM_INDEX = "case_search_bigrams"
# Two characters have no trigram, and most Chinese words are two characters (物业, 欠薪):
# their distinct character pairs, indexed as an array, find those without a scan.
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION case_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i)
$$
"""


# Rows read and written at a time: a few thousand, so that a province's ten million cases
# take some thousands of statements, not ten million, and no more than a chunk's rows (and
# their parties) are held in memory.
CHUNK = 2000


def _write(connection: Any, model: Any, column: str, values: list[tuple[int, str]]) -> None:
    """Set `column` of each (pk, value) in one statement. On PostgreSQL one UPDATE joined to
    two arrays (`unnest`); elsewhere Django's bulk_update (a CASE on the key, batched to
    the database's limit on parameters)."""
    if not values:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET {quote(column)} = v.value "  # noqa: S608
                f"FROM unnest(%s::bigint[], %s::text[]) AS v(pk, value) WHERE t.{key} = v.pk",
                [[pk for pk, _ in values], [value for _, value in values]],
            )
        return
    model.objects.using(connection.alias).bulk_update(
        [model(pk=pk, **{column: value}) for pk, value in values], [column], batch_size=CHUNK
    )


def _chunks(queryset: Any, fields: tuple[str, ...], chunk: int) -> Any:
    """The rows of `queryset` as tuples (pk first), `chunk` at a time, by ascending key:
    each chunk is one indexed range read, however large the table."""
    last = None
    while True:
        rows = queryset.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", *fields)[:chunk])
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def fill_search_columns(apps: Any, connection: Any, chunk: int = CHUNK) -> None:
    """Fill `Party.phone_digits` and `Case.search_text` for the rows there are, exactly as
    the services write them (`search.digits`, `search.search_text`): computed in Python
    (Unicode digits, lower-casing and white space as Python reads them, which SQL's would
    not match everywhere) and written a chunk per statement."""
    Case = apps.get_model("cases", "Case")
    Party = apps.get_model("cases", "Party")
    db = connection.alias
    for batch in _chunks(Party.objects.using(db).exclude(phone=""), ("phone",), chunk):
        _write(connection, Party, "phone_digits", [(pk, search.digits(p)) for pk, p in batch])
    fields = ("code", "title", "description", "address")
    for batch in _chunks(Case.objects.using(db), fields, chunk):
        first, last = batch[0][0], batch[-1][0]
        parties: dict[int, list[tuple[str, str]]] = {}
        for case_id, name, phone in (
            Party.objects.using(db)
            .filter(case_id__gte=first, case_id__lte=last)
            .order_by("pk")
            .values_list("case_id", "name", "phone")
        ):
            parties.setdefault(case_id, []).append((name, phone))
        texts = [
            (
                pk,
                search.search_text(
                    code=code,
                    title=title,
                    description=description,
                    address=address,
                    parties=parties.get(pk, []),
                ),
            )
            for pk, code, title, description, address in batch
        ]
        _write(connection, Case, "search_text", texts)


def fill(apps: Any, schema_editor: Any) -> None:
    fill_search_columns(apps, schema_editor.connection)


def add_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON cases_case "
            "USING gin (search_text gin_trgm_ops)"
        )
        schema_editor.execute(BIGRAMS_FUNCTION)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {BIGRAM_INDEX} ON cases_case "
            "USING gin (case_bigrams(search_text))"
        )


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {BIGRAM_INDEX}")
        schema_editor.execute("DROP FUNCTION IF EXISTS case_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_covering_list_indexes"),
    ]

    operations = [
        # Runs only on PostgreSQL (CreateExtension skips other databases itself).
        TrigramExtension(),
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=models.TextField(blank=True, db_default="", editable=False),
        ),
        migrations.AddField(
            model_name="party",
            name="phone_digits",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=30),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                condition=models.Q(("phone_digits", ""), _negated=True),
                fields=["phone_digits"],
                name="party_phone_digits",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
