from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed_routing_and_policies"), ("units", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="party",
            options={"ordering": ["pk"], "verbose_name": "当事人", "verbose_name_plural": "当事人"},
        ),
        migrations.AddField(
            model_name="mediationagreement",
            name="year",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="mediationagreement",
            name="sequence",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="mediationagreement",
            name="number",
            field=models.CharField(max_length=160, unique=True, verbose_name="协议编号"),
        ),
        migrations.AddConstraint(
            model_name="mediationagreement",
            constraint=models.UniqueConstraint(
                fields=("committee", "year", "sequence"), name="agreement_number_once"
            ),
        ),
    ]
