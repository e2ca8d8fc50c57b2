"""The portal's own records: invitations into a provider's team, and the team's audit trail."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Membership, Provider

ROLE_CHOICES = Membership.Role.choices
ROLES_VALID = Q(role__in=[value for value, _label in ROLE_CHOICES])


class Invitation(models.Model):
    """An owner's invitation of an e-mail address into the team with a role; the link's token is stored hashed."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("服务商"))
    # Normalised (accounts.normalise.normalise_email): the form allauth stores addresses in.
    email = models.EmailField(_("邮箱"))
    role = models.CharField(_("角色"), max_length=10, choices=ROLE_CHOICES, default=Membership.Role.MEMBER)
    # SHA-256 of the random token in the link: a leaked table cannot be turned into working links.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("邀请人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("过期时间"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("接受账号"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("团队邀请")
        verbose_name_plural = _("团队邀请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=ROLES_VALID, name="%(app_label)s_%(class)s_role_valid"),
            # One open invitation per address and team: inviting again replaces it (portal.services).
            models.UniqueConstraint(
                fields=["provider", "email"], condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_accepted_or_revoked",
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_role_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class TeamEvent(models.Model):
    """An audited change to a provider's team: who did what to whom (user ids only, no e-mail addresses), when."""

    class Action(models.TextChoices):
        INVITED = "invited", _("发出邀请")
        REVOKED = "revoked", _("撤销邀请")
        JOINED = "joined", _("接受邀请加入")
        ROLE_CHANGED = "role_changed", _("修改角色")
        REMOVED = "removed", _("移出团队")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="team_events", verbose_name=_("服务商"))
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    # SET_NULL: the trail outlives a deleted account.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    # The account acted on (joined, changed, removed); a plain id, so the event stays when the account goes.
    subject_user_id = models.PositiveBigIntegerField(_("对象账号 ID"), null=True, blank=True)
    invitation = models.ForeignKey(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("邀请")
    )
    from_role = models.CharField(_("原角色"), max_length=10, choices=ROLE_CHOICES, blank=True)
    role = models.CharField(_("角色"), max_length=10, choices=ROLE_CHOICES, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("团队事件")
        verbose_name_plural = _("团队事件")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["provider", "at"], name="portal_teamevent_provider_idx")]

    def __str__(self):
        return f"{self.provider} {self.action}"
