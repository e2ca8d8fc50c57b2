"""The admin in Chinese: the project's catalogue must not put English back over Django's own translations."""
import pytest
from django.utils import translation


@pytest.mark.parametrize(("language", "home"), [("zh-hans", "首页"), ("en", "Home")])
def test_the_admin_breadcrumbs_start_at_home_in_the_page_language(admin_client, language, home):
    admin_client.cookies["django_language"] = language

    html = admin_client.get("/admin/providers/provider/").content.decode()

    assert f'<a href="/admin/">{home}</a>' in html


def test_the_project_catalogue_translates_home_as_django_does():
    with translation.override("zh-hans"):
        assert translation.gettext("Home") == "首页"
