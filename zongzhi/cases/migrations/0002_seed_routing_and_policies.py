from typing import Any

from django.db import migrations

from zongzhi.cases.seed import COUNTY_ROUTES, POLICIES, TOWNSHIP_ROUTES

TOWNSHIP, COUNTY = 4, 3


def seed(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("categories", "Category")
    RoutingRule = apps.get_model("cases", "RoutingRule")
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    using = schema_editor.connection.alias  # the database being migrated
    by_code = {c.code: c for c in Category.objects.using(using).filter(parent__isnull=True)}
    for level, routes in ((TOWNSHIP, TOWNSHIP_ROUTES), (COUNTY, COUNTY_ROUTES)):
        for code, kind in routes.items():
            if code in by_code:
                RoutingRule.objects.using(using).get_or_create(
                    category=by_code[code], level=level, defaults={"unit_kind": kind}
                )
    for name, channel, code, urgent, petition, counting, accept, handle, warn in POLICIES:
        DeadlinePolicy.objects.using(using).get_or_create(
            name=name,
            defaults={
                "channel": channel,
                "category": by_code.get(code) if code else None,
                "urgent": urgent,
                "petition": petition,
                "counting": counting,
                "accept_days": accept,
                "handle_days": handle,
                "warn_days": warn,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("categories", "0002_seed_categories"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
