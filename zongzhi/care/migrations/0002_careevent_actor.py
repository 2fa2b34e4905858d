"""The care timeline names who acted as the case and hazard timelines do: `actor` and
`actor_name` (were `by` and `by_name`). A rename only: the rows and their values stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="careevent", old_name="by", new_name="actor"),
        migrations.RenameField(model_name="careevent", old_name="by_name", new_name="actor_name"),
    ]
