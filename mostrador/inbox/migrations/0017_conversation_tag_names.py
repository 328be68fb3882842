from django.db import migrations, models


def copy_tag_names(apps, schema_editor):
    """Fill the new column from the tags every conversation already has."""
    Conversation = apps.get_model("inbox", "Conversation")
    Through = Conversation.tags.through
    names: dict[int, list[str]] = {}
    for conversation_id, name in Through.objects.values_list("conversation_id", "tag__name").iterator(chunk_size=2000):
        names.setdefault(conversation_id, []).append(name)
    for conversation_id, tagged in names.items():
        Conversation.objects.filter(pk=conversation_id).update(tag_names=sorted(tagged))


class Migration(migrations.Migration):

    dependencies = [
        ("inbox", "0016_replies_by_author"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="tag_names",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(copy_tag_names, migrations.RunPython.noop),
    ]
