"""Enrolment once (issue 12, ADR 0007): an idempotency key per actor on every enrollment, and the
database's own refusal of a second live term over the same days — a live (pending or paid) VSI term
per person, a live household-HI card per member. PostgreSQL: exclusion constraints over date ranges
(btree_gist); SQLite: triggers that abort. ``HiCardLine.live`` mirrors its enrollment's status through
triggers, so a reversal (a queryset update of the status) frees the member's days."""

from typing import Any

from django.conf import settings
from django.db import migrations, models

OVERLAP_VSI = "enrollment_vsi_one_live_term_per_day"
OVERLAP_HI = "enrollment_hi_one_live_card_per_day"

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE enrollment_enrollment ADD CONSTRAINT {OVERLAP_VSI}
        EXCLUDE USING gist (person_id WITH =, daterange(period_start, period_end, '[]') WITH &&)
        WHERE (scheme = 'vsi' AND status <> 'cancelled')""",
    """CREATE FUNCTION enrollment_hi_line_live() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.live := (SELECT e.status <> 'cancelled' FROM enrollment_enrollment e WHERE e.id = NEW.enrollment_id);
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER enrollment_hi_line_live BEFORE INSERT OR UPDATE ON enrollment_hicardline
       FOR EACH ROW EXECUTE FUNCTION enrollment_hi_line_live()""",
    """CREATE FUNCTION enrollment_status_to_lines() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE enrollment_hicardline SET live = (NEW.status <> 'cancelled') WHERE enrollment_id = NEW.id;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER enrollment_status_to_lines AFTER UPDATE OF status ON enrollment_enrollment
       FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION enrollment_status_to_lines()""",
    """UPDATE enrollment_hicardline l SET live = (e.status <> 'cancelled')
       FROM enrollment_enrollment e WHERE e.id = l.enrollment_id""",
    f"""ALTER TABLE enrollment_hicardline ADD CONSTRAINT {OVERLAP_HI}
        EXCLUDE USING gist (person_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&) WHERE (live)""",
]
POSTGRESQL_REVERSE = [
    f"ALTER TABLE enrollment_hicardline DROP CONSTRAINT {OVERLAP_HI}",
    "DROP TRIGGER enrollment_status_to_lines ON enrollment_enrollment",
    "DROP FUNCTION enrollment_status_to_lines()",
    "DROP TRIGGER enrollment_hi_line_live ON enrollment_hicardline",
    "DROP FUNCTION enrollment_hi_line_live()",
    f"ALTER TABLE enrollment_enrollment DROP CONSTRAINT {OVERLAP_VSI}",
]

# SQLite has no exclusion constraints: triggers refuse the overlap (RAISE(ABORT) is a constraint
# error, which Django raises as IntegrityError, as PostgreSQL's exclusion violation). Dates are ISO
# text, so comparing them as strings compares the days.
_VSI_CLASH = """SELECT RAISE(ABORT, '{name}') FROM enrollment_enrollment e
    WHERE e.person_id = NEW.person_id AND e.scheme = 'vsi' AND e.status <> 'cancelled' {other}
      AND e.period_start <= NEW.period_end AND NEW.period_start <= e.period_end"""
_HI_CLASH = """SELECT RAISE(ABORT, '{name}') FROM enrollment_hicardline l
    WHERE l.person_id = NEW.person_id AND l.live {other}
      AND l.valid_from <= NEW.valid_to AND NEW.valid_from <= l.valid_to"""
_NEW_LINE_LIVE = "(SELECT e.status FROM enrollment_enrollment e WHERE e.id = NEW.enrollment_id) <> 'cancelled'"
SQLITE = [
    f"""CREATE TRIGGER {OVERLAP_VSI}_insert BEFORE INSERT ON enrollment_enrollment
        FOR EACH ROW WHEN NEW.scheme = 'vsi' AND NEW.status <> 'cancelled'
        BEGIN {_VSI_CLASH.format(name=OVERLAP_VSI, other="")}; END""",
    f"""CREATE TRIGGER {OVERLAP_VSI}_update
        BEFORE UPDATE OF scheme, person_id, period_start, period_end, status ON enrollment_enrollment
        FOR EACH ROW WHEN NEW.scheme = 'vsi' AND NEW.status <> 'cancelled'
        BEGIN {_VSI_CLASH.format(name=OVERLAP_VSI, other="AND e.id <> NEW.id")}; END""",
    f"""CREATE TRIGGER {OVERLAP_HI}_insert BEFORE INSERT ON enrollment_hicardline
        FOR EACH ROW WHEN {_NEW_LINE_LIVE}
        BEGIN {_HI_CLASH.format(name=OVERLAP_HI, other="")}; END""",
    f"""CREATE TRIGGER enrollment_hi_line_live AFTER INSERT ON enrollment_hicardline
        FOR EACH ROW BEGIN UPDATE enrollment_hicardline SET live = ({_NEW_LINE_LIVE}) WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER {OVERLAP_HI}_update
        BEFORE UPDATE OF person_id, valid_from, valid_to, live ON enrollment_hicardline
        FOR EACH ROW WHEN NEW.live
        BEGIN {_HI_CLASH.format(name=OVERLAP_HI, other="AND l.id <> NEW.id")}; END""",
    """CREATE TRIGGER enrollment_status_to_lines AFTER UPDATE OF status ON enrollment_enrollment
       FOR EACH ROW WHEN OLD.status IS NOT NEW.status
       BEGIN UPDATE enrollment_hicardline SET live = (NEW.status <> 'cancelled') WHERE enrollment_id = NEW.id; END""",
    """UPDATE enrollment_hicardline SET live = ((SELECT e.status FROM enrollment_enrollment e
       WHERE e.id = enrollment_hicardline.enrollment_id) <> 'cancelled')""",
]
SQLITE_REVERSE = [f"DROP TRIGGER {name}" for name in (
    f"{OVERLAP_VSI}_insert", f"{OVERLAP_VSI}_update", f"{OVERLAP_HI}_insert", "enrollment_hi_line_live",
    f"{OVERLAP_HI}_update", "enrollment_status_to_lines")]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0002_nghe_an"),
        ("enrollment", "0003_period_end"),
        ("registry", "0003_audit_without_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField("enrollment", "idempotency_key",
                            models.CharField(blank=True, max_length=100, null=True)),
        migrations.AddField("enrollment", "request_digest", models.CharField(blank=True, db_default="", max_length=64)),
        migrations.AddField("hicardline", "live",
                            models.BooleanField(db_default=True, editable=False, verbose_name="còn hiệu lực")),
        migrations.AddConstraint("enrollment", models.UniqueConstraint(
            condition=models.Q(idempotency_key__isnull=False), fields=("created_by", "idempotency_key"),
            name="enrollment_key_per_actor")),
        migrations.RunPython(_run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})),
    ]
