from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("observatory", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="methods",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Ids of the methods-appendix entries it rests on (the artefact's "
                "``methods``; empty for an older artefact without them).",
            ),
        ),
    ]
