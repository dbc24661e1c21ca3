"""NQ 1243/NQ-UBTVQH15 took effect on 01/12/2024, not 01/01/2025 (issue 19 §5): move the Nghệ An
rows that migration 0002 dated by it. A database loaded from the old data files has units starting
01/01/2025, 2022 versions ending 31/12/2024 and successions dated 01/01/2025; a fresh database
loads the corrected files (0002 reads them) and this migration finds nothing to move, so both end
in the same state. Only the units of the shipped Nghệ An files are touched."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_START, NEW_START = date(2025, 1, 1), date(2024, 12, 1)
OLD_END, NEW_END = date(2024, 12, 31), date(2024, 11, 30)


def _codes():
    with (DATA / "nghe_an_units.csv").open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def move(apps, schema_editor):
    Unit = apps.get_model("areas", "AdministrativeUnit")
    Succession = apps.get_model("areas", "Succession")
    ours = Unit.objects.filter(code__in=_codes())
    # Successions first (they are found through their units, whose dates change next).
    Succession.objects.filter(date=OLD_START, from_unit__in=ours).update(date=NEW_START)
    ours.filter(valid_to=OLD_END).update(valid_to=NEW_END)
    ours.filter(valid_from=OLD_START).update(valid_from=NEW_START)


class Migration(migrations.Migration):
    dependencies = [("areas", "0002_nghe_an")]
    # Going back leaves the corrected dates: they are the law's, whichever migration wrote them.
    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
