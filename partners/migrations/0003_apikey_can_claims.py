from django.db import migrations, models


class Migration(migrations.Migration):
    """The `claims` scope: a partner key that may verify merchants' store claims."""

    dependencies = [
        ("partners", "0002_provider_keys_and_leads"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="can_claims",
            field=models.BooleanField(default=False, verbose_name="核验店铺认领"),
        ),
    ]
