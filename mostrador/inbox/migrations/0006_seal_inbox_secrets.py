"""Encrypt the inbox credentials stored before they were sealed."""

from django.db import migrations


def seal_existing(apps, schema_editor):
    from mostrador.core.secret_box import is_sealed, seal

    Inbox = apps.get_model("inbox", "Inbox")
    for inbox in Inbox.objects.exclude(secrets={}):
        inbox.secrets = {k: v if not v or is_sealed(v) else seal(v) for k, v in inbox.secrets.items()}
        inbox.save(update_fields=["secrets"])


class Migration(migrations.Migration):
    dependencies = [("inbox", "0005_ai_turn_state")]
    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
