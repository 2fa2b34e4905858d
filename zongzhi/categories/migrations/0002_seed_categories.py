from django.db import migrations

from zongzhi.categories.seed import seed_categories


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Into the database being migrated (`migrate --database`), not the default one.
    seed_categories(apps.get_model("categories", "Category"), schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("categories", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
