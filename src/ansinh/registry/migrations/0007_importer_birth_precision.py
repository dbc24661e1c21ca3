from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_audit_lookup_index")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="birth_precision",
            field=models.CharField(
                choices=[("day", "Ngày/tháng/năm"), ("month", "Tháng/năm"), ("year", "Chỉ năm")],
                default="day", db_default="day", max_length=5, verbose_name="ngày sinh ghi theo",
            ),
        ),
    ]
