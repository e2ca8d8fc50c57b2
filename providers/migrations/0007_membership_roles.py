"""Provider.members gets a through model with a role, on the table the plain many-to-many already had.

The state moves to an explicit Membership model over the same table and columns (provider_id, user_id), so no
row is copied; the role and the joining time are then added for real. Existing members become plain members;
whoever approves an owner (the claims app) promotes them.
"""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0006_search_trigram_caseless"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="providers.provider",
                                verbose_name="服务商",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="provider_roles",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="账号",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "providers_provider_members",
                        "verbose_name": "团队成员",
                        "verbose_name_plural": "团队成员",
                        "ordering": ["provider", "pk"],
                        "unique_together": {("provider", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="provider",
                    name="members",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="provider_memberships",
                        through="providers.Membership",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="服务商账号",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[("owner", "所有者"), ("manager", "管理员"), ("member", "成员")],
                default="member",
                max_length=10,
                verbose_name="角色",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="joined_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="加入时间"),
        ),
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": ["provider", "joined_at", "pk"],
                "verbose_name": "团队成员",
                "verbose_name_plural": "团队成员",
            },
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("role__in", ["owner", "manager", "member"])),
                name="providers_membership_role_valid",
            ),
        ),
    ]
