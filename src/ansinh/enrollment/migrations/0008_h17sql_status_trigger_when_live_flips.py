"""The trigger that mirrors a term's status into its card lines' ``live`` flag (0004_enrol_once) fires
only when that flag can change: when the term enters or leaves "cancelled". Before, it fired on every
status change, pending → paid included, running a PL/pgSQL function and a card-line look-up for each
term a payment marks paid (the bulk bank-statement import marks thousands a chunk; docs/performance.md).
``live = (status <> 'cancelled')`` is the same before and after any other change. PostgreSQL only:
SQLite's trigger is kept (SQLite keeps the per-row path)."""

from typing import Any

from django.db import migrations

NARROW = """DROP TRIGGER enrollment_status_to_lines ON enrollment_enrollment;
CREATE TRIGGER enrollment_status_to_lines AFTER UPDATE OF status ON enrollment_enrollment
    FOR EACH ROW WHEN ((OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
    EXECUTE FUNCTION enrollment_status_to_lines()"""
WIDE = """DROP TRIGGER enrollment_status_to_lines ON enrollment_enrollment;
CREATE TRIGGER enrollment_status_to_lines AFTER UPDATE OF status ON enrollment_enrollment
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION enrollment_status_to_lines()"""


def _run(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql.split(";\n"):
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0007_renewals_cancelled_end")]

    operations = [migrations.RunPython(_run(NARROW), _run(WIDE))]
