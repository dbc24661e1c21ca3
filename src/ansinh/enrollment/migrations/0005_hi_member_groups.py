"""Issue 19 §2: each household-HI card line keeps its member's group (household, poor, near-poor) and
the term's gross, state share and provincial share beside what the household pays. Lines written before
were all charged as household members: their gross is what they paid.

SQLite rebuilds a table to add a NOT NULL column, which drops the table's triggers and refuses the
rename while another table's trigger names it: the card-line triggers of migration 0004 (one live card
per member and day, ``live`` kept from the enrollment's status) are dropped before and created again
after the columns are added."""

import re
from importlib import import_module
from typing import Any

from django.db import migrations, models

ONCE = import_module("ansinh.enrollment.migrations.0004_enrol_once")
# Every trigger on the card lines, or naming them (SQLite checks a trigger's tables when a table is renamed).
LINE_TRIGGERS = (f"{ONCE.OVERLAP_HI}_insert", "enrollment_hi_line_live", f"{ONCE.OVERLAP_HI}_update",
                 "enrollment_status_to_lines")


def _backfill(apps: Any, schema_editor: Any) -> None:
    apps.get_model("enrollment", "HiCardLine").objects.update(gross=models.F("amount"))


def _drop_line_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for name in LINE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_line_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    _drop_line_triggers(apps, schema_editor)
    for statement in ONCE.SQLITE:
        if any(re.search(rf"TRIGGER {name}\s", statement) for name in LINE_TRIGGERS):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0004_enrol_once"),
    ]

    operations = [
        migrations.RunPython(_drop_line_triggers, _create_line_triggers),
        migrations.AddField(
            model_name="hicardline",
            name="gross",
            field=models.BigIntegerField(default=0, verbose_name="mức đóng"),
        ),
        migrations.AddField(
            model_name="hicardline",
            name="group",
            field=models.CharField(default="household", max_length=20, verbose_name="nhóm"),
        ),
        migrations.AddField(
            model_name="hicardline",
            name="local_support",
            field=models.BigIntegerField(default=0, verbose_name="NSĐP hỗ trợ"),
        ),
        migrations.AddField(
            model_name="hicardline",
            name="state_support",
            field=models.BigIntegerField(default=0, verbose_name="NSNN đóng / hỗ trợ"),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.RunPython(_create_line_triggers, _drop_line_triggers),
    ]
