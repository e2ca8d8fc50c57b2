"""Demo conduct data (called by `manage.py seed_demo`): a provider under each sanction today, violations withdrawn and
reinstated, complaints in every state and appeals in every state, all written through the services (audited).

Deterministic: the providers are the first listed ones by slug that have an engagement; dates count back from today
and stay inside this calendar year where the sanction depends on it.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from providers.models import Engagement, Membership, Provider

from . import complaints, services
from .models import Violation

SOURCE = Violation.Source.ADMIN


def _day(today: dt.date, back: int) -> dt.date:
    """`back` days before today, but not before 1 January (this year's points are what the sanction reads)."""
    return max(today - dt.timedelta(days=back), dt.date(today.year, 1, 1))


def _record(provider, violation_type, day, reference):
    return services.violation_record(provider=provider, violation_type=violation_type, occurred_on=day,
                                     decided_on=day, reference=reference, source=SOURCE, note="演示数据")


@transaction.atomic
def conduct_demo(*, today: dt.date, actor=None) -> dict[str, str]:
    """Write the demo ledger; returns slug → the sanction it is under today."""
    engaged = (Provider.objects.filter(status__in=[Provider.Status.ACTIVE, Provider.Status.PROBATION],
                                       engagements__isnull=False)
               .distinct().order_by("slug"))
    providers = list(engaged[:8])
    if len(providers) < 8:
        return {}
    warning, hidden, frozen, delisted, cleared, reinstated, complained, appealed = providers
    last_year = dt.date(today.year - 1, 6, 1)
    _record(warning, "over_promise", _day(today, 20), "DEMO-W1")
    _record(hidden, "store_access", _day(today, 3), "DEMO-H1")
    _record(frozen, "fake_reviews", _day(today, 40), "DEMO-F1")
    _record(delisted, "fake_reviews", _day(today, 60), "DEMO-D1")
    _record(delisted, "store_access", _day(today, 30), "DEMO-D2")
    _record(cleared, "fraud", last_year, "DEMO-C1")
    _record(reinstated, "fake_reviews", last_year, "DEMO-R1")
    _record(reinstated, "store_access", last_year, "DEMO-R2")
    grader = actor or _demo_staff()
    services.reinstatement_record(provider=reinstated, reason="演示：整改完成", actor=grader, on=today)
    withdrawn = _record(warning, "unauthorised_case", _day(today, 10), "DEMO-W2")
    services.violation_withdraw(violation=withdrawn, actor=grader, reason="演示：客户补充授权")
    _complaints(complained, appealed, grader=grader, today=today)
    return dict(Provider.objects.filter(pk__in=[p.pk for p in providers]).values_list("slug", "sanction"))


def _demo_staff():
    """A staff account in the moderator and grader roles (providers/migrations/*_roles), no password: it only signs
    the demo decisions."""
    user = _demo_user("conduct-demo-staff", is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["Moderators", "Graders"]))
    return user


def _demo_user(username: str, *, is_staff: bool = False):
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com", "is_staff": is_staff})
    if _created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _complaints(provider: Provider, appealed: Provider, *, grader, today: dt.date) -> None:
    """Complaints open, answered, unanswered, upheld and dismissed; appeals pending, granted and refused."""
    merchant = _demo_user("conduct-demo-merchant")
    manager = _demo_user("conduct-demo-manager")
    for target in (provider, appealed):
        Membership.objects.get_or_create(provider=target, user=manager, defaults={"role": Membership.Role.MANAGER})
    memberships = {m.provider_id: m for m in Membership.objects.filter(user=manager)}

    def file(target, violation_type, text):
        engagement = Engagement.objects.filter(provider=target).select_related("store").order_by("pk").first()
        engagement.store.merchants.add(merchant)
        return complaints.complaint_file(merchant=merchant, engagement=engagement, violation_type=violation_type,
                                         description=text)

    file(provider, "refund_overdue", "演示：合作终止后尾款未退。")  # open
    answered = file(provider, "over_promise", "演示：签约时承诺月销 50 万。")
    complaints.complaint_answer(complaint=answered, membership=memberships[provider.pk], answer="演示：合同未承诺销量。")
    ignored = file(provider, "store_access", "演示：店铺后台权限未交还。")
    ignored.answer_due = today - dt.timedelta(days=1)
    ignored.save(update_fields=["answer_due"])
    complaints.complaints_mark_unanswered(today=today)  # unanswered
    dismissed = file(provider, "unauthorised_case", "演示：案例页展示了我们的店铺。")
    complaints.complaint_dismiss(complaint=dismissed, actor=grader, reason="演示：已获书面授权。")
    for index, grant in enumerate([None, True, False]):
        upheld = file(appealed, "over_promise", f"演示：保证 ROI（{index + 1}）。")
        violation = complaints.complaint_uphold(complaint=upheld, actor=grader, reason="演示：聊天记录属实。")
        appeal = complaints.appeal_file(violation=violation, membership=memberships[appealed.pk],
                                        reason="演示：承诺系口误。")
        if grant is not None:
            complaints.appeal_decide(appeal=appeal, actor=grader, grant=grant, reason="演示：复核完毕。")
