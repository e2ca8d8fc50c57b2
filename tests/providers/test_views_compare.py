"""The compare page and the shortlist (providers.views.compare_view, compare_change_view)."""
import datetime as dt
from decimal import Decimal
from decimal import Decimal as D

import pytest
from django.urls import reverse

from providers.models import Provider
from tests.factories import ProviderFactory, ScoreSnapshotFactory

LIST_URL = reverse("providers:list")
COMPARE_URL = reverse("providers:compare")
JUNE = dt.date(2025, 6, 1)


def test_compare_shows_providers_side_by_side_and_highlights_the_best(client, demo):
    ScoreSnapshotFactory(provider=demo["xinghai"], period=dt.date(2025, 6, 1), active_stores=60, excellent_stores=20,
                         review_score=Decimal("4.6000"), performance_score=Decimal("4.9000"))
    ScoreSnapshotFactory(provider=demo["yunfan"], period=dt.date(2025, 6, 1), active_stores=25, excellent_stores=6,
                         review_score=Decimal("4.3000"), performance_score=Decimal("4.7000"))
    Provider.objects.filter(slug__in=["xinghai", "yunfan"]).update(rated_period=dt.date(2025, 6, 1))

    response = client.get(COMPARE_URL, {"p": "xinghai,yunfan,qinghe"})

    assert response.status_code == 200
    assert [p.slug for p in response.context["providers"]] == ["xinghai", "yunfan", "qinghe"]
    rows = {row["key"]: row for row in response.context["rows"]}
    assert [c["best"] for c in rows["score"]["cells"]] == [True, False, False]
    assert [c["text"] for c in rows["score"]["cells"]] == ["4.85", "4.55", "3.40"]
    assert [c["text"] for c in rows["active_stores"]["cells"]] == ["60", "25", "—"]
    assert [c["best"] for c in rows["active_stores"]["cells"]] == [True, False, False]
    # The lowest fee is "lowest", never "best" (cheaper is not better by itself).
    assert [(c["mark"], c["best"]) for c in rows["fee"]["cells"]] == [("lowest", False), (None, False), (None, False)]
    assert [c["text"] for c in rows["platforms"]["cells"]] == ["天猫、京东", "抖音", "淘宝"]
    html = response.content.decode()
    assert "最优" in html and "星海电商" in html and "青禾品牌管理" in html
    fee_row = html.split("compare-row--fee", 1)[1].split("</tr>", 1)[0]
    assert '<span class="best-mark best-mark--neutral">最低</span>' in fee_row and "最优" not in fee_row
    assert "is-best" not in fee_row
    # A shared address shows its set and leaves the visitor's own shortlist alone.
    assert "compare" not in client.session
    assert "这组对比来自分享的链接" in html


def test_compare_ticked_boxes_redirect_to_the_shareable_address(client, demo):
    response = client.get(COMPARE_URL, {"p": ["xinghai", "yunfan"]})

    assert response.status_code == 302
    assert response["Location"] == f"{COMPARE_URL}?p=xinghai%2Cyunfan"


def test_compare_keeps_at_most_four(client, db):
    for index in range(5):
        ProviderFactory(slug=f"p{index}")

    response = client.get(COMPARE_URL, {"p": "p0,p1,p2,p3,p4"}, follow=True)

    assert response.redirect_chain == [(f"{COMPARE_URL}?p=p0%2Cp1%2Cp2%2Cp3", 302)]
    assert len(response.context["providers"]) == 4
    assert "最多同时对比 4 家服务商" in response.content.decode()


def test_compare_without_providers_offers_the_directory(client, db):
    html = client.get(COMPARE_URL).content.decode()

    assert "还没有选择要对比的服务商" in html


def test_compare_ignores_unknown_slugs(client, demo):
    response = client.get(COMPARE_URL, {"p": "xinghai,nobody"})

    assert [p.slug for p in response.context["providers"]] == ["xinghai"]
    assert "nobody" in response.content.decode()


def test_add_to_compare_from_the_provider_page_keeps_the_shortlist_in_the_session(client, demo):
    change = reverse("providers:compare_change")
    page = reverse("providers:detail", kwargs={"slug": "xinghai"})

    response = client.post(change, {"slug": "xinghai", "next": page})
    client.post(change, {"slug": "yunfan", "next": "https://evil.example.com/"})

    assert response["Location"] == page
    assert client.session["compare"] == ["xinghai", "yunfan"]
    assert client.get(COMPARE_URL)["Location"] == f"{COMPARE_URL}?p=xinghai%2Cyunfan"
    assert "云帆运营" in client.get(LIST_URL).content.decode().split('id="compare-tray"', 1)[1]
    client.post(change, {"slug": "xinghai", "action": "remove"})
    assert client.session["compare"] == ["yunfan"]


def test_the_directory_tray_removes_a_shortlisted_provider(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(LIST_URL)
    token = lambda: client.cookies["csrftoken"].value  # noqa: E731
    client.post(reverse("providers:compare_change"), {"slug": "xinghai", "csrfmiddlewaretoken": token()})
    client.post(reverse("providers:compare_change"), {"slug": "yunfan", "csrfmiddlewaretoken": token()})
    tray = client.get(LIST_URL, {"tier": "5"}).content.decode().split('id="compare-tray"', 1)[1]

    assert 'form="shortlist-remove-form" name="slug" value="xinghai"' in tray
    assert '<span class="visually-hidden">移出对比 星海电商</span>' in tray
    assert 'name="next" value="/providers/?tier=5"' in tray and 'name="csrfmiddlewaretoken"' in tray
    response = client.post(reverse("providers:compare_change"), {
        "slug": "xinghai", "action": "remove", "next": "/providers/?tier=5", "anchor": "tray",
        "csrfmiddlewaretoken": token(),
    })

    assert response["Location"] == "/providers/?tier=5#compare-tray"
    assert client.session["compare"] == ["yunfan"]


def test_add_to_compare_requires_post_and_csrf(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("providers:compare_change")).status_code == 405
    assert client.post(reverse("providers:compare_change"), {"slug": "xinghai"}).status_code == 403


def test_compare_query_count_is_fixed(client, db, django_assert_max_num_queries):
    for index in range(4):
        provider = ProviderFactory(slug=f"p{index}", platforms=["tmall"], services=["operation"],
                                   rated_period=dt.date(2025, 6, 1))
        ScoreSnapshotFactory(provider=provider)

    # providers, 3 prefetches, snapshots, service names; saving the shortlist: session lookup, savepoint, insert, release
    with django_assert_max_num_queries(10):
        assert client.get(COMPARE_URL, {"p": "p0,p1,p2,p3"}).status_code == 200


# Best on the shown figures, readable gate cells, below three stars


@pytest.mark.django_db
def test_compare_tier_row_says_below_three_stars(client):
    ProviderFactory(slug="a", tier=None, score=D("3.90"))
    ProviderFactory(slug="b", tier=4, score=D("4.20"))

    response = client.get(COMPARE_URL, {"p": "a,b"})

    rows = {row["key"]: row for row in response.context["rows"]}
    assert [(c["tier"], c["score"]) for c in rows["tier"]["cells"]] == [(None, D("3.90")), (4, D("4.20"))]
    tier_row = response.content.decode().split("compare-row--tier", 1)[1].split("</tr>", 1)[0]
    assert '<span class="stars__label">未达三星</span>' in tier_row


def compare_providers():
    """Three rated providers whose P reads 4.71, 4.71 and 4.60 (raw 4.7130, 4.7050 and 4.6000)."""
    gates = [
        {"tier": 5, "met": False, "checks": [
            {"name": "composite", "value": "4.66", "threshold": "4.50", "met": True},
            {"name": "active_stores", "value": 3, "threshold": 20, "met": False},
            {"name": "excellent_stores", "value": 5, "threshold": 5, "met": True},
            {"name": "services", "value": [], "threshold": ["warehousing"], "met": False, "missing": ["warehousing"]},
        ]},
        {"tier": 4, "met": True, "checks": [
            {"name": "composite", "value": "4.66", "threshold": "4.00", "met": True},
            {"name": "services", "value": [], "threshold": [], "met": True, "missing": []},
        ]},
    ]
    for slug, performance, score in (("a", "4.7130", "4.66"), ("b", "4.7050", "4.66"), ("c", "4.6000", "4.58")):
        provider = ProviderFactory(slug=slug, tier=4, score=D(score), rated_period=JUNE)
        ScoreSnapshotFactory(provider=provider, period=JUNE, performance_score=D(performance),
                             explanation={"gates": gates} if slug == "a" else {})


@pytest.mark.django_db
def test_compare_marks_best_on_the_values_as_shown_and_marks_ties(client):
    compare_providers()

    response = client.get(COMPARE_URL, {"p": "a,b,c"})

    rows = {row["key"]: row for row in response.context["rows"]}
    assert [c["text"] for c in rows["performance_score"]["cells"]] == ["4.71", "4.71", "4.60"]
    assert [c["best"] for c in rows["performance_score"]["cells"]] == [True, True, False]
    assert [c["best"] for c in rows["score"]["cells"]] == [True, True, False]
    html = response.content.decode()
    performance_row = html.split("compare-row--performance_score", 1)[1].split("</tr>", 1)[0]
    assert performance_row.count("最优") == 2


@pytest.mark.django_db
def test_compare_gate_cell_shows_each_figure_against_its_threshold(client):
    compare_providers()

    response = client.get(COMPARE_URL, {"p": "a,b,c"})

    rows = {row["key"]: row for row in response.context["rows"]}
    five = rows["gate_5"]["cells"]
    assert five[0]["met"] is False
    assert [(c["text"], c["met"]) for c in five[0]["checks"]] == [
        ("综合分 4.66 / 需 4.50", True), ("在营店铺 3 / 需 20", False), ("优秀店铺 5 / 需 5", True),
        ("必备服务：缺 仓储物流", False),
    ]
    assert [c["text"] for c in five[1:]] == ["—", "—"] and five[1]["met"] is None
    # A gate that requires no service gets no services line (no "—/—").
    assert [c["text"] for c in rows["gate_4"]["cells"][0]["checks"]] == ["综合分 4.66 / 需 4.00"]
    cell = response.content.decode().split("compare-row--gate_5", 1)[1].split("</td>", 1)[0]
    # Each line's ✓/✗ carries its words for screen readers (role="img": no absolutely placed text to overflow).
    assert ('<span role="img" aria-label="达标">✓</span> 综合分 4.66 / 需 4.50<br>'
            '<span role="img" aria-label="未达标">✗</span> 在营店铺 3 / 需 20<br>') in cell
    assert "必备服务：缺 仓储物流</span>" in cell
    assert "—/—" not in response.content.decode()
