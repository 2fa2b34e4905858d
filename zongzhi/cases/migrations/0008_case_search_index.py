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


def fill(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    Party = apps.get_model("cases", "Party")
    for party in Party.objects.exclude(phone="").iterator(chunk_size=2000):
        Party.objects.filter(pk=party.pk).update(phone_digits=search.digits(party.phone))
    parties: dict[int, list[tuple[str, str]]] = {}
    for case_id, name, phone in Party.objects.order_by("pk").values_list(
        "case_id", "name", "phone"
    ):
        parties.setdefault(case_id, []).append((name, phone))
    for case in Case.objects.only("code", "title", "description", "address").iterator(
        chunk_size=2000
    ):
        text = search.search_text(
            code=case.code,
            title=case.title,
            description=case.description,
            address=case.address,
            parties=parties.get(case.pk, []),
        )
        Case.objects.filter(pk=case.pk).update(search_text=text)


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
