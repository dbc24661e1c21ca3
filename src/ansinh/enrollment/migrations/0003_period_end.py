"""Each term records the last day it covers (end_of_term(period_start, months)), so renewals and
lapses can be found in the database instead of in Python."""

from typing import Any

from django.db import migrations, models

from ansinh.lib.periods import end_of_term


def backfill(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":  # one statement, whatever the size
        schema_editor.execute("UPDATE enrollment_enrollment SET period_end = "
                              "(period_start + make_interval(months => months))::date - 1")
        return
    enrollment = apps.get_model("enrollment", "Enrollment")
    rows = list(enrollment.objects.only("pk", "period_start", "months"))
    for row in rows:
        row.period_end = end_of_term(row.period_start, row.months)
    enrollment.objects.bulk_update(rows, ["period_end"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0002_reminders")]

    operations = [
        migrations.AddField("enrollment", "period_end", models.DateField("đến hết ngày", null=True)),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField("enrollment", "period_end", models.DateField("đến hết ngày")),
        migrations.AddConstraint("enrollment", models.CheckConstraint(
            condition=models.Q(period_end__gte=models.F("period_start")), name="enrollment_period")),
        migrations.AddIndex("enrollment", models.Index(fields=["period_end"], name="enrollment_period_end")),
    ]
