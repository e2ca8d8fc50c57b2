"""Conduct policy version 1, as published in docs/conduct-policy.md (a test checks they agree)."""
from django.db import migrations

V1 = {
    "version": 1, "name": "违规积分规则 v1", "is_active": True,
    "over_promise_points": 12, "store_access_points": 24, "refund_overdue_points": 12,
    "complaint_ignored_points": 6, "fake_reviews_points": 48, "unauthorised_case_points": 6, "fraud_points": 120,
    "warning_at": 12, "hidden_at": 24, "hidden_days": 30, "frozen_at": 48, "delisted_at": 72, "cleared_at": 120,
    "answer_days": 3, "appeal_days": 15,
}


def load(apps, schema_editor):
    ConductPolicy = apps.get_model("conduct", "ConductPolicy")
    if not ConductPolicy.objects.exists():
        ConductPolicy.objects.create(**V1)


class Migration(migrations.Migration):
    dependencies = [("conduct", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
