"""The directory: providers, the platforms they work on, and the merchant stores they run."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The star tiers, shown on the directory and computed by the ratings engine (Provider.tier holds the current one).
TIER_CHOICES = [(3, _("三星")), (4, _("四星")), (5, _("五星")), (6, _("六星"))]


class ReferenceData(models.Model):
    """A reference row with a stable code and Chinese + English names (platforms, categories, services)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("中文名"), max_length=64)
    name_en = models.CharField(_("英文名"), max_length=64)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self):
        return self.name


class Platform(ReferenceData):
    """An e-commerce platform (tmall, taobao, jd, douyin, …)."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("平台")
        verbose_name_plural = _("平台")


class Category(ReferenceData):
    """An industry category (类目) a store sells in."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("类目")
        verbose_name_plural = _("类目")


class Service(ReferenceData):
    """A service a provider offers (operation, warehousing, cross_border, …)."""

    class Meta(ReferenceData.Meta):
        verbose_name = _("服务")
        verbose_name_plural = _("服务")


class Provider(models.Model):
    """An agency-operation provider (代运营服务商) listed in the directory."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        PROBATION = "probation", _("考察期")
        DELISTED = "delisted", _("已清退")
        SUSPENDED = "suspended", _("已暂停")

    class Sanction(models.TextChoices):
        NONE = "none", _("无")
        WARNING = "warning", _("服务警告")
        HIDDEN = "hidden", _("服务隐藏")
        FROZEN = "frozen", _("新签冻结")
        DELISTED = "delisted", _("服务下架")
        CLEARED = "cleared", _("清退")

    class SizeBand(models.TextChoices):
        MICRO = "micro", _("20人以下")
        SMALL = "small", _("20–99人")
        MEDIUM = "medium", _("100–499人")
        LARGE = "large", _("500–1999人")
        XLARGE = "xlarge", _("2000人以上")

    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    name = models.CharField(_("公司名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160, blank=True)
    description = models.TextField(_("简介"), blank=True)
    description_en = models.TextField(_("英文简介"), blank=True)
    city = models.CharField(_("总部城市"), max_length=40, db_index=True)
    founded_year = models.PositiveSmallIntegerField(_("成立年份"), null=True, blank=True)
    size_band = models.CharField(_("公司规模"), max_length=10, choices=SizeBand.choices, blank=True)
    fee_min = models.DecimalField(_("月服务费下限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    fee_max = models.DecimalField(_("月服务费上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    international_brands = models.PositiveIntegerField(_("服务国际品牌数"), default=0)
    warehouse_area_m2 = models.PositiveIntegerField(_("仓储面积（㎡）"), default=0)
    website = models.URLField(_("网站"), blank=True)
    # Said by the provider's team (a profile change a grader approves); the directory filters on it and requests
    # for proposals reach only providers that accept new clients.
    accepting_new_clients = models.BooleanField(_("接受新客户"), default=True, db_index=True)
    # The cities the team serves clients in (Chinese names from providers.cities), said by the team like the above.
    cities_served = models.JSONField(_("服务城市"), default=list, blank=True)
    verified = models.BooleanField(_("已核验"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    # Set by the reinstate service: failing periods before this month no longer count toward delisting.
    reinstated_on = models.DateField(_("恢复日期"), null=True, blank=True)

    platforms = models.ManyToManyField(Platform, related_name="providers", blank=True, verbose_name=_("平台"))
    categories = models.ManyToManyField(Category, related_name="providers", blank=True, verbose_name=_("类目"))
    services = models.ManyToManyField(Service, related_name="providers", blank=True, verbose_name=_("服务"))
    # Staff accounts that act for the provider (answer reviews, run the portal), each with a role (Membership).
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="provider_memberships",
        blank=True,
        verbose_name=_("服务商账号"),
    )

    # Denormalized by conduct.services (the conduct ledger's sanction in force today, and this year's points), so
    # listings filter without joins; codes as conduct.ledger's.
    sanction = models.CharField(_("违规处罚"), max_length=10, choices=Sanction.choices, default=Sanction.NONE,
                                db_index=True)
    sanction_points = models.PositiveSmallIntegerField(_("本年违规积分"), default=0)
    # Denormalized from the latest score snapshot by the ratings recompute, so listings sort without joins.
    tier = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True, db_index=True)
    score = models.DecimalField(_("综合分"), max_digits=4, decimal_places=2, null=True, blank=True, db_index=True)
    at_risk = models.BooleanField(_("降级预警"), default=False)
    rated_period = models.DateField(_("评级月份"), null=True, blank=True)
    review_count = models.PositiveIntegerField(_("评价数"), default=0)
    review_average = models.DecimalField(_("平均评分"), max_digits=3, decimal_places=2, null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务商")
        verbose_name_plural = _("服务商")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_min__isnull=True) | Q(fee_min__gte=0),
                name="%(app_label)s_%(class)s_fee_min_non_negative",
                violation_error_message=_("月服务费下限不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(fee_min__isnull=True) | Q(fee_max__isnull=True) | Q(fee_max__gte=F("fee_min")),
                name="%(app_label)s_%(class)s_fee_range_ordered",
                violation_error_message=_("月服务费上限不能低于下限。"),
            ),
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True) | Q(founded_year__gte=1949, founded_year__lte=2100),
                name="%(app_label)s_%(class)s_founded_year_range",
                violation_error_message=_("成立年份须在 1949–2100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(tier__isnull=True) | Q(tier__gte=3, tier__lte=6),
                name="%(app_label)s_%(class)s_tier_range",
                violation_error_message=_("星级须为 3–6。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "probation", "delisted", "suspended"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("providers:detail", kwargs={"slug": self.slug})


class Membership(models.Model):
    """A staff account's place in a provider's team: owners manage the team, managers the portal, members read."""

    class Role(models.TextChoices):
        OWNER = "owner", _("所有者")
        MANAGER = "manager", _("管理员")
        MEMBER = "member", _("成员")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("服务商"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_roles", verbose_name=_("账号")
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        # The table Django made for the plain many-to-many before roles existed (migration 0007 keeps it).
        db_table = "providers_provider_members"
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["provider", "joined_at", "pk"]
        unique_together = [("provider", "user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["owner", "manager", "member"]), name="%(app_label)s_%(class)s_role_valid"
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.get_role_display()} #{self.user_id}"


class Store(models.Model):
    """A merchant's shop on one platform, identified by the platform's own id."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="stores", verbose_name=_("平台"))
    external_id = models.CharField(_("平台店铺ID"), max_length=64)
    name = models.CharField(_("店铺名称"), max_length=120)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="stores", verbose_name=_("类目")
    )
    # Merchant accounts that own the store: they may review the providers that run (or ran) it.
    merchants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="stores", blank=True, verbose_name=_("商家账号")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("店铺")
        verbose_name_plural = _("店铺")
        ordering = ["platform", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                name="%(app_label)s_%(class)s_unique_platform_external_id",
                violation_error_message=_("该平台上已存在相同店铺ID。"),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.platform.code}:{self.external_id})"


class Engagement(models.Model):
    """A provider running a store from start_date until end_date (open-ended while it lasts)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("数据导入")
        API = "api", _("合作方接口")
        # Hired through a request on the directory and confirmed by the provider: verified by both sides.
        DIRECTORY = "directory", _("目录内签约")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="engagements", verbose_name=_("服务商"))
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="engagements", verbose_name=_("店铺"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.IMPORT)
    # What the provider did for the store; a review of the engagement shows it as context (never the store).
    services = models.ManyToManyField(
        Service, related_name="engagements", blank=True, verbose_name=_("所用服务")
    )

    class Meta:
        verbose_name = _("合作")
        verbose_name_plural = _("合作")
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["store", "provider"], name="providers_engagement_store_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "store", "start_date"],
                name="%(app_label)s_%(class)s_unique_provider_store_start",
                violation_error_message=_("该服务商与店铺在同一开始日期已有合作。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.provider} → {self.store}"


class ProviderSearch(models.Model):
    """A provider's search tokens and name sort keys (providers.search), one row per provider.

    Kept apart from Provider so that the ratings recompute, which rewrites providers' tiers and scores every
    month, never maintains a text index; providers.search.services keeps the rows in step with the directory.
    """

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, primary_key=True, related_name="search", verbose_name=_("服务商")
    )
    # Space-separated tokens (providers.search.text.document_tokens): names, and everything else searchable.
    names = models.TextField(_("名称词元"), blank=True)
    body = models.TextField(_("其他词元"), blank=True)
    name_sort = models.CharField(_("中文名排序键"), max_length=200, db_index=True)
    name_en_sort = models.CharField(_("英文名排序键"), max_length=200, db_index=True)

    class Meta:
        verbose_name = _("搜索索引")
        verbose_name_plural = _("搜索索引")

    def __str__(self):
        return f"{self.provider_id}: {self.name_sort}"


class ShortlistEntry(models.Model):
    """A provider on a signed-in user's compare shortlist (providers.shortlist; visitors keep theirs in the session)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlist_entries", verbose_name=_("账号")
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+", verbose_name=_("服务商"))
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("对比清单条目")
        verbose_name_plural = _("对比清单条目")
        ordering = ["user", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="%(app_label)s_%(class)s_once_per_user"),
        ]

    def __str__(self):
        return f"#{self.user_id} → {self.provider_id}"
