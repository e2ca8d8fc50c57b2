"""ImportJob now belongs to ingest (ingest/0001): dropped from this app's state only, its table is kept."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ratings', '0006_importjob_moderation_kept'),
        ('ingest', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='ImportJob')],
                                            database_operations=[]),
    ]
