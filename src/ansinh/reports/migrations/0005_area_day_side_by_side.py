"""AreaDay becomes one row per day × commune with the schemes and new/renewal side by side (a
quarter of the rows for the dashboards to read); rebuilt here from the facts."""

from typing import Any

from django.db import migrations, models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce


def rebuild(apps: Any, schema_editor: Any) -> None:
    fact, area_day = apps.get_model("reports", "Fact"), apps.get_model("reports", "AreaDay")

    def total(field: str, **only: Any) -> Any:
        return Coalesce(Sum(field, filter=Q(**only) if only else None), 0)

    rows = (fact.objects.values("day", "area_id").order_by()
            .annotate(vsi_new=total("people", scheme="vsi", is_renewal=False),
                      vsi_renewed=total("people", scheme="vsi", is_renewal=True),
                      hi_new=total("people", scheme="household_hi", is_renewal=False),
                      hi_renewed=total("people", scheme="household_hi", is_renewal=True),
                      enrollments_n=total("enrollments"), vsi_amount=total("amount", scheme="vsi"),
                      hi_amount=total("amount", scheme="household_hi"), state=total("state_support"),
                      local=total("local_support"), other=total("other_support")))
    batch = []
    for row in rows.iterator(chunk_size=10_000):
        batch.append(area_day(day=row["day"], area_id=row["area_id"], vsi_new=row["vsi_new"],
                              vsi_renewed=row["vsi_renewed"], hi_new=row["hi_new"], hi_renewed=row["hi_renewed"],
                              enrollments=row["enrollments_n"], vsi_amount=row["vsi_amount"],
                              hi_amount=row["hi_amount"], state_support=row["state"], local_support=row["local"],
                              other_support=row["other"]))
        if len(batch) == 10_000:
            area_day.objects.bulk_create(batch)
            batch = []
    area_day.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("areas", "0002_nghe_an"), ("reports", "0004_export_job")]

    operations = [
        migrations.DeleteModel("AreaDay"),
        migrations.CreateModel(
            name="AreaDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("area", models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="+",
                                           to="areas.administrativeunit")),
                ("vsi_new", models.IntegerField(default=0)),
                ("vsi_renewed", models.IntegerField(default=0)),
                ("hi_new", models.IntegerField(default=0)),
                ("hi_renewed", models.IntegerField(default=0)),
                ("enrollments", models.IntegerField(default=0)),
                ("vsi_amount", models.BigIntegerField(default=0)),
                ("hi_amount", models.BigIntegerField(default=0)),
                ("state_support", models.BigIntegerField(default=0)),
                ("local_support", models.BigIntegerField(default=0)),
                ("other_support", models.BigIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["area", "day"], name="area_day_area")],
                "constraints": [models.UniqueConstraint(fields=("day", "area"), name="one_area_day_per_cell")],
            },
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
