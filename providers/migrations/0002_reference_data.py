from django.db import migrations

from providers.reference_data import CATEGORIES, PLATFORMS, SERVICES


def load(apps, schema_editor):
    for model_name, rows in (("Platform", PLATFORMS), ("Category", CATEGORIES), ("Service", SERVICES)):
        model = apps.get_model("providers", model_name)
        for position, (code, name, name_en) in enumerate(rows):
            model.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
