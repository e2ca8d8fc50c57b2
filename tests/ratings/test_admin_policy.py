"""ratings.admin.policy: drafts, the what-if preview, activation by graders, frozen versions."""
import datetime as dt
from collections import Counter
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from ratings import services
from ratings.models import RatingPolicy, ScoreSnapshot, TierGate
from tests.factories import ScoreSnapshotFactory, rated_provider, table_counts

pytestmark = pytest.mark.django_db


def v1():
    return RatingPolicy.objects.get(version=1)


def change_url(policy):
    return reverse("admin:ratings_ratingpolicy_change", args=[policy.pk])


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _plain(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return "" if value is None else value


def change_form_data(client, policy) -> dict:
    """The policy's change form as the browser would post it back unchanged (main form and gate inline)."""
    response = client.get(change_url(policy))
    form = response.context["adminform"].form
    data = {name: _plain(form.initial.get(name)) for name in form.fields}
    formset = response.context["inline_admin_formsets"][0].formset
    data.update({f"{formset.prefix}-{key}": value for key, value in formset.management_form.initial.items()})
    for gate_form in formset.forms:
        for name in gate_form.fields:
            value = gate_form.instance.pk if name == "id" else gate_form.initial.get(name)
            data[f"{gate_form.prefix}-{name}"] = _plain(value)
    return data


def gate_prefix(data, tier):
    return next(key[: -len("-tier")] for key, value in data.items() if key.endswith("-tier") and value == tier)


def copy_v1_as_draft(client) -> RatingPolicy:
    client.post(reverse("admin:ratings_ratingpolicy_changelist"),
                {"action": "copy_as_draft", "_selected_action": [v1().pk]})
    return RatingPolicy.objects.get(version__isnull=True)


@pytest.fixture
def three_providers():
    """Rated under v1 as of today: 3★ (S 3.80), 4★ (S 4.16, 8 excellent stores) and unrated-tier (S 3.44)."""
    providers = {
        "three": rated_provider(stores=3, score="4.00"),
        "four": rated_provider(stores=8, score="4.60"),
        "none": rated_provider(stores=3, score="3.40"),
    }
    services.ratings_recompute(as_of=timezone.localdate())
    return providers


def snapshot_tiers(period):
    return dict(ScoreSnapshot.objects.filter(period=period).values_list("provider_id", "tier"))


def tier_changes(before: dict, after: dict) -> dict:
    """Per tier: how many providers have it now, after, kept it, gained it, lost it (the preview's shape)."""
    now, then = Counter(before.values()), Counter(after.values())
    kept = Counter(tier for pk, tier in before.items() if after[pk] == tier)
    return {tier: {"now": now[tier], "draft": then[tier], "keep": kept[tier], "gain": then[tier] - kept[tier],
                   "lose": now[tier] - kept[tier]} for tier in (3, 4, 5, 6, None)}


def test_copy_as_draft_takes_every_number_and_gate(grader_client):
    draft = copy_v1_as_draft(grader_client)

    assert (draft.version, draft.is_active, draft.name) == (None, False, "默认规则 v1（草稿）")
    for field in ("prior_mean", "half_life_days", "review_weight", "probation_threshold", "burst_min_reviews"):
        assert getattr(draft, field) == getattr(v1(), field), field

    def gates(policy):
        return [(g.tier, g.min_score, g.min_active_stores, g.min_excellent_stores,
                 sorted(g.required_services.values_list("code", flat=True))) for g in policy.gates.order_by("tier")]

    assert gates(draft) == gates(v1())


def test_a_draft_is_edited_in_the_admin_gates_included(grader_client):
    draft = copy_v1_as_draft(grader_client)
    data = change_form_data(grader_client, draft)
    data.update({"prior_weight": "8", f"{gate_prefix(data, 3)}-min_score": "3.90"})

    response = grader_client.post(change_url(draft), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.prior_weight == D("8")
    assert TierGate.objects.get(policy=draft, tier=3).min_score == D("3.90")


def test_versions_are_read_only(grader_client):
    policy = v1()
    data = change_form_data(grader_client, policy)

    page = grader_client.get(change_url(policy))
    changed = grader_client.post(change_url(policy), {**data, "prior_weight": "8"})
    deleted = grader_client.post(reverse("admin:ratings_ratingpolicy_delete", args=[policy.pk]), {"post": "yes"})

    assert 'name="_save"' not in page.content.decode()
    assert page.context["inline_admin_formsets"][0].has_change_permission is False
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert v1().prior_weight == D("5.00")


def test_preview_counts_match_the_recompute_after_activation(
    grader_client, grader, three_providers, django_capture_on_commit_callbacks
):
    period = timezone.localdate().replace(day=1)
    draft = copy_v1_as_draft(grader_client)
    data = change_form_data(grader_client, draft)
    data.update({f"{gate_prefix(data, 3)}-min_score": "3.90", f"{gate_prefix(data, 4)}-min_score": "4.20"})
    assert grader_client.post(change_url(draft), data).status_code == 302
    before = snapshot_tiers(period)

    preview = grader_client.get(reverse("admin:ratings_ratingpolicy_preview", args=[draft.pk])).context["preview"]

    assert (preview.providers, preview.up, preview.down, preview.unchanged) == (3, 0, 2, 1)
    assert preview.tiers == {
        3: {"now": 1, "draft": 1, "keep": 0, "gain": 1, "lose": 1},
        4: {"now": 1, "draft": 0, "keep": 0, "gain": 0, "lose": 1},
        5: {"now": 0, "draft": 0, "keep": 0, "gain": 0, "lose": 0},
        6: {"now": 0, "draft": 0, "keep": 0, "gain": 0, "lose": 0},
        None: {"now": 1, "draft": 2, "keep": 1, "gain": 1, "lose": 0},
    }
    # Listed biggest fall first.
    assert [(m.provider_id, m.tier_now, m.tier_draft, m.direction) for m in preview.moves] == [
        (three_providers["three"].pk, 3, None, "down"), (three_providers["four"].pk, 4, 3, "down")]

    with django_capture_on_commit_callbacks(execute=True):
        response = grader_client.post(reverse("admin:ratings_ratingpolicy_activate", args=[draft.pk]), follow=True)

    assert message_texts(response) == ["已启用 v2；本月评级正在按新规则重算。"]
    after = snapshot_tiers(period)
    assert tier_changes(before, after) == preview.tiers
    draft.refresh_from_db()
    assert (draft.version, draft.is_active, draft.activated_by) == (2, True, grader)
    assert (v1().is_active, v1().version) == (False, 1)
    assert set(ScoreSnapshot.objects.filter(period=period).values_list("policy__version", flat=True)) == {2}


def test_preview_writes_nothing(grader_client, three_providers):
    draft = services.policy_draft_create(source=v1())
    TierGate.objects.filter(policy=draft).update(min_score=D("1.00"))
    snapshots = list(ScoreSnapshot.objects.order_by("pk").values())
    counts = table_counts()

    response = grader_client.get(reverse("admin:ratings_ratingpolicy_preview", args=[draft.pk]))

    assert response.status_code == 200
    assert response.context["preview"].up == 1  # the provider without a tier would get 3★
    assert list(ScoreSnapshot.objects.order_by("pk").values()) == snapshots
    assert table_counts() == counts
    assert RatingPolicy.objects.get(is_active=True).version == 1


def test_an_invalid_draft_is_not_activated(grader_client):
    draft = services.policy_draft_create(source=v1())
    RatingPolicy.objects.filter(pk=draft.pk).update(review_weight=D("0.5"))

    response = grader_client.post(reverse("admin:ratings_ratingpolicy_activate", args=[draft.pk]), follow=True)

    assert message_texts(response) == ["评价分与表现分权重之和、三项体验分权重之和都必须为 1。"]
    draft.refresh_from_db()
    assert (draft.version, draft.is_active) == (None, False)


def test_a_version_cannot_be_previewed_or_activated_again(grader_client):
    assert grader_client.get(reverse("admin:ratings_ratingpolicy_preview", args=[v1().pk])).status_code == 403
    assert grader_client.post(reverse("admin:ratings_ratingpolicy_activate", args=[v1().pk])).status_code == 403


def test_activation_recompute_is_sent_only_after_commit(grader_client, django_capture_on_commit_callbacks):
    draft = services.policy_draft_create(source=v1())

    with django_capture_on_commit_callbacks() as callbacks:
        grader_client.post(reverse("admin:ratings_ratingpolicy_activate", args=[draft.pk]))

    assert [c.__name__ for c in callbacks] == ["_recompute_today"]
    assert not ScoreSnapshot.objects.exists()


def test_drafts_can_be_deleted_but_versions_cannot(grader_client):
    draft = services.policy_draft_create(source=v1())

    grader_client.post(reverse("admin:ratings_ratingpolicy_delete", args=[draft.pk]), {"post": "yes"})

    assert list(RatingPolicy.objects.values_list("version", flat=True)) == [1]


def test_preview_shows_hysteresis_holding_a_tier_at_risk(grader_client, django_capture_on_commit_callbacks):
    """A provider 4★ last month whose candidate falls to 3★ keeps 4★ this month, flagged at risk."""
    today = timezone.localdate()
    provider = rated_provider(stores=8, score="4.60")  # S 4.16, 4★ under v1
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ScoreSnapshotFactory(provider=provider, period=last_month, as_of=last_month, candidate_tier=4, computed_tier=4,
                         tier=4)
    draft = services.policy_draft_create(source=v1())
    TierGate.objects.filter(policy=draft, tier=4).update(min_score=D("4.20"))

    preview = grader_client.get(reverse("admin:ratings_ratingpolicy_preview", args=[draft.pk])).context["preview"]

    assert (preview.up, preview.down, preview.newly_at_risk) == (0, 0, 1)
    assert preview.tiers[4] == {"now": 1, "draft": 1, "keep": 1, "gain": 0, "lose": 0}
    assert [(m.tier_now, m.tier_draft, m.candidate_now, m.candidate_draft, m.at_risk_draft, m.direction)
            for m in preview.moves] == [(4, 4, 4, 3, True, "same")]

    with django_capture_on_commit_callbacks(execute=True):
        grader_client.post(reverse("admin:ratings_ratingpolicy_activate", args=[draft.pk]))

    snapshot = ScoreSnapshot.objects.get(provider=provider, period=today.replace(day=1))
    assert (snapshot.tier, snapshot.candidate_tier, snapshot.at_risk, snapshot.policy.version) == (4, 3, True, 2)


def test_rating_policy_page_edits_tier_gates_inline(admin_client, db):
    policy = RatingPolicy.objects.get(is_active=True)

    response = admin_client.get(reverse("admin:ratings_ratingpolicy_change", args=[policy.pk]))

    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.model.__name__ == "TierGate"
    assert sorted(form.instance.tier for form in formset.forms) == [3, 4, 5, 6]  # the four gates of policy v1
