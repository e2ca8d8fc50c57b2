"""docs/conduct-policy.md matches the live policy row; the public page shows the same numbers."""
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conduct.presenters import policy_markdown
from conduct.selectors import policy_active

pytestmark = pytest.mark.django_db


def test_the_published_document_is_the_live_policy():
    document = Path(settings.BASE_DIR, "docs", "conduct-policy.md").read_text(encoding="utf-8")
    assert document == policy_markdown(policy_active())


def test_the_policy_page_lists_every_type_and_sanction(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("conduct:policy"))
    html = response.content.decode()
    assert response.status_code == 200
    for code, points in [("over_promise", 12), ("store_access", 24), ("fraud", 120), ("complaint_ignored", 6)]:
        assert f"<td><code>{code}</code></td>" in html
    assert "本年积分达到 48 分" in html and "X 至 X+29 天" in html
