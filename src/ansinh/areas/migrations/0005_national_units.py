"""Ship the other 33 provinces in force from 01/07/2025 and their 3,191 communes, wards and special
zones (3,321 with Nghệ An's 130), from data/vietnam_2025_units.csv, built by
scripts/build_vietnam_areas.py from vietnamadminunits 1.0.4 (MIT) and checked against
vietnam-provinces 2026.9.0; see ansinh/areas/data/README.md. Nghệ An's rows (0002) are untouched.
A unit whose code is already in the database (loaded by hand with `ansinh areas import`) is left as
it is, so the load never overwrites a province's own list."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parents[1] / "data" / "vietnam_2025_units.csv"


def _rows():
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _date(text):
    return date.fromisoformat(text) if text else None


def load(apps, schema_editor):
    Unit = apps.get_model("areas", "AdministrativeUnit")
    rows = _rows()
    present = set(Unit.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", flat=True))
    fresh = [r for r in rows if r["code"] not in present]
    Unit.objects.bulk_create(
        Unit(code=r["code"], name=r["name"], level=r["level"], valid_from=_date(r["valid_from"]))
        for r in fresh if r["level"] == "province"
    )
    # Each commune's parent: the province version in force on the commune's first day.
    provinces = {}
    for unit in Unit.objects.filter(level="province").order_by("valid_from"):
        provinces.setdefault(unit.code, unit)
    Unit.objects.bulk_create(
        (Unit(code=r["code"], name=r["name"], level=r["level"], parent=provinces[r["parent"]],
              valid_from=_date(r["valid_from"]))
         for r in fresh if r["level"] != "province"),
        batch_size=500,
    )


def unload(apps, schema_editor):
    Unit = apps.get_model("areas", "AdministrativeUnit")
    rows = _rows()
    Unit.objects.filter(code__in=[r["code"] for r in rows if r["level"] != "province"]).delete()
    Unit.objects.filter(code__in=[r["code"] for r in rows if r["level"] == "province"]).delete()


class Migration(migrations.Migration):
    dependencies = [("areas", "0004_screens_verbose_names")]
    operations = [
        migrations.AlterField(
            model_name="administrativeunit",
            name="level",
            field=models.CharField(choices=[("province", "Tỉnh"), ("city", "Thành phố"), ("town", "Thị xã"),
                                            ("district", "Huyện"), ("commune", "Xã"), ("ward", "Phường"),
                                            ("township", "Thị trấn"), ("special", "Đặc khu")],
                                   max_length=10, verbose_name="cấp"),
        ),
        migrations.RunPython(load, unload),
    ]
