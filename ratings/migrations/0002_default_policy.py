"""Policy version 1, as published: every number of it lives in these rows."""
from decimal import Decimal

from django.db import migrations

GATES = [
    # tier, min composite, min active stores, min excellent stores, required services
    (6, "4.70", 50, 15, ["warehousing", "distribution", "cross_border", "multilingual"]),
    (5, "4.50", 20, 5, ["warehousing"]),
    (4, "4.00", 8, 2, []),
    (3, "3.50", 3, 0, []),
]


def load(apps, schema_editor):
    RatingPolicy = apps.get_model("ratings", "RatingPolicy")
    TierGate = apps.get_model("ratings", "TierGate")
    Service = apps.get_model("providers", "Service")
    if RatingPolicy.objects.exists():
        return
    policy = RatingPolicy.objects.create(version=1, name="默认规则 v1", is_active=True)
    for tier, score, active, excellent, services in GATES:
        gate = TierGate.objects.create(
            policy=policy, tier=tier, min_score=Decimal(score), min_active_stores=active, min_excellent_stores=excellent
        )
        gate.required_services.set(Service.objects.filter(code__in=services))


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial"), ("providers", "0002_reference_data")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
