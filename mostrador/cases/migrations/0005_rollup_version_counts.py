from django.db import migrations, models


def count_from_one(apps, schema_editor):
    # Versions were random numbers; they are now counts, which readers add up.
    apps.get_model("cases", "CaseDay").objects.update(version=1)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_rollup_versions"),
    ]

    operations = [
        migrations.AlterField(model_name="caseday", name="version", field=models.BigIntegerField(default=1)),
        migrations.RunPython(count_from_one, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="caseday",
            index=models.Index(fields=["slice", "day", "version", "id"], name="case_day_marks"),
        ),
    ]
