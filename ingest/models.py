"""The data pipeline's one model: an admin CSV upload, its dry run and its confirmed import."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One CSV upload in the admin: checked in a dry run, written only when confirmed and the whole file is valid."""

    class Kind(models.TextChoices):
        PROVIDERS = "providers", _("服务商")
        ENGAGEMENTS = "engagements", _("合作")
        REVIEWS = "reviews", _("评价")
        PERFORMANCE = "performance", _("店铺月度表现")
        VIOLATIONS = "violations", _("违规记录")

    class Status(models.TextChoices):
        # Stored, waiting for a worker: the upload request only stores the file.
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("校验中")
        READY = "ready", _("待确认")
        INVALID = "invalid", _("有错误")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    kind = models.CharField(_("数据类型"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    # The file itself, so a worker on another machine reads exactly what was previewed.
    data = models.BinaryField(_("文件内容"))
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    # Reviews only: existing reviews whose status the file would have changed; a moderator's decision stands.
    moderation_kept = models.PositiveIntegerField(_("保留审核状态"), default=0)
    # The first ADMIN_IMPORT_ERRORS_KEPT errors; a file full of errors must not bloat the row.
    errors = models.JSONField(_("错误"), default=list, blank=True)
    errors_omitted = models.PositiveIntegerField(_("未保存的错误数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("确认人"),
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Moved on by the worker while it reads the file: a dry run or import whose beat stopped lost its worker.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        # Kept from when the model lived in ratings (moved with SeparateDatabaseAndState, data untouched).
        db_table = "ratings_importjob"
        verbose_name = _("数据导入")
        verbose_name_plural = _("数据导入")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("import_providers", _("可导入服务商")),
            ("import_engagements", _("可导入合作")),
            ("import_reviews", _("可导入评价")),
            ("import_performance", _("可导入店铺月度表现")),
            # Also needs conduct.add_violation (ingest.services.IMPORTERS): the ledger's own right to record one.
            ("import_violations", _("可导入违规记录")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"
