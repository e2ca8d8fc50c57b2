"""The message catalogs under locale/: complete, compiled, and English written with English punctuation."""
import re
from pathlib import Path

import pytest
from django.conf import settings


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_message_catalog_translates_every_message_and_is_compiled(language):
    import gettext
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES"
    entries = (folder / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]  # the header comes first
    empty = [entry for entry in entries if entry.strip() and entry.rstrip().endswith(('msgstr ""', '] ""'))]
    assert empty == []
    compiled = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    assert compiled.gettext("服务商目录") == ("Provider directory" if language == "en" else "服务商目录")
    # The .mo holds every message of the .po: run `manage.py compilemessages` after editing a catalog.
    plural_forms = 2 if language == "en" else 1
    plurals = sum(1 for entry in entries if "\nmsgid_plural " in entry)
    singles = sum(1 for entry in entries if "\nmsgid " in f"\n{entry}") - plurals
    assert len(compiled._catalog) == 1 + singles + plurals * plural_forms  # 1: the header


@pytest.mark.parametrize(
    ("msgid", "english"),
    [
        ("“%(value)s”不是整数", '"%(value)s" is not a whole number'),
        ("已创建草稿“%(name)s”。", 'Created draft "%(name)s".'),
        ("勾选服务商卡片上的“加入对比”，最多 %(max)s 家。", 'Tick "Add to compare" on provider cards, up to %(max)s.'),
    ],
)
def test_english_messages_use_ascii_quotes(msgid, english):
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext(msgid) == english


def test_fixed_english_msgstrs_have_no_full_width_punctuation():
    po = (Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    msgstrs = re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', po, flags=re.MULTILINE)
    fixed = ("lacks the", "CSV UTF-8", "is not a whole number", "is not a valid number", "is not one of the choices",
             "Created draft", "Copy as a new draft", "Add to compare", "at risk of demotion", "Write a review",
             "Edit review:", "Budget ")

    checked = [s for s in msgstrs if any(text in s for text in fixed)]

    assert len(checked) >= len(fixed)
    assert [s for s in checked if re.search("[：“”（），。；！？]", s)] == []


# The pages added with the directory's inquiries, claims and profiles, read in English: the catalog has their
# messages, so their headings, table heads, labels and buttons carry no Chinese. Names and descriptions the
# providers wrote themselves are data and stay as written; the pages below are given English or ASCII data.

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


class _Chrome(__import__("html.parser").parser.HTMLParser):
    """The text of each h1, h2, h3, th, label and button of a page (the words a reader scans)."""

    TAGS = frozenset({"h1", "h2", "h3", "th", "label", "button"})

    def __init__(self):
        super().__init__()
        self.open: list[list[str]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append([])

    def handle_endtag(self, tag):
        if tag in self.TAGS and self.open:
            self.texts.append(" ".join("".join(self.open.pop()).split()))

    def handle_data(self, data):
        if self.open:
            self.open[-1].append(data)


def chrome_texts(html: str) -> list[str]:
    parser = _Chrome()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def english_client(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def team(db):
    from tests.factories import ProviderFactory, provider_staff

    provider = ProviderFactory(slug="xinghai", name="星海电商", name_en="Xinghai Commerce", description="Old profile",
                               platforms=["tmall"], categories=["beauty"], services=["operation"])
    return provider, provider_staff(provider, role="manager")


def english_page(client, path: str) -> tuple[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    return html, chrome_texts(html)


def test_the_request_form_reads_in_english(english_client):
    from tests.factories import StoreFactory, merchant_of

    english_client.force_login(merchant_of(StoreFactory(name="Rose Flagship")))
    html, texts = english_page(english_client, "/requests/new/")

    assert "<h1>Get proposals</h1>" in html
    assert {"Platform *", "Services needed", "Store operation", "Preferred start month *", "Description of needs *",
            "Send request"} <= set(texts)
    assert [text for text in texts if CJK.search(text)] == []


def test_the_merchant_s_claims_and_case_naming_pages_read_in_english(english_client):
    from tests.factories import StoreFactory, merchant_of

    english_client.force_login(merchant_of(StoreFactory(name="Rose Flagship")))
    for path in ("/me/", "/me/cases/"):
        html, texts = english_page(english_client, path)
        assert texts and [text for text in texts if CJK.search(text)] == [], path
    assert "No provider has asked to name your store in a case study." in html


@pytest.mark.parametrize(
    ("section", "english"),
    [
        ("profile", ["Edit public profile", "Submit for review"]),
        ("credentials", ["Submit a platform credential", "Submit for verification", ">Tmall</option>"]),
        ("cases", ["Submit a case study", "No case studies yet.", ">Beauty &amp; personal care</option>"]),
    ],
)
def test_the_portal_profile_pages_read_in_english(english_client, team, section, english):
    provider, manager = team
    english_client.force_login(manager)
    html, texts = english_page(english_client, f"/portal/{provider.slug}/{section}/")

    assert [text for text in english if text not in html] == []
    assert [text for text in texts if CJK.search(text)] == []
    nav = html.split('class="portal__nav"', 1)[1].split("</nav>", 1)[0]
    assert ">Profile</a>" in nav and ">Credentials</a>" in nav and ">Cases</a>" in nav


def test_the_provider_page_s_credentials_and_cases_read_in_english(english_client, team):
    import datetime as dt

    from profiles import services
    from profiles.models import PlatformCredential
    from providers.models import Category, Platform
    from tests.factories import staff_user

    provider, manager = team
    tmall = Platform.objects.get(code="tmall")
    PlatformCredential.objects.create(provider=provider, platform=tmall, kind="tmall_star", level="5",
                                      period_start=dt.date(2020, 1, 1), period_end=dt.date(2099, 12, 31),
                                      status="verified")
    case = services.case_submit(membership=provider.memberships.get(user=manager), title="Sales doubled",
                                platform=tmall, category=Category.objects.get(code="beauty"),
                                period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 3, 1),
                                work_done="New product pages", result="Twice the orders")
    services.case_decide(case=case, action="publish", actor=staff_user("Graders"))

    html, texts = english_page(english_client, provider.get_absolute_url())

    assert 'aria-label="Platform credentials (granted by the platforms, not this site\'s star tiers)"' in html
    assert '<span class="credential__source">Tmall star-rated provider</span>' in html
    assert "Sales doubled" in html and "Case studies are stated by the provider" in html
    assert [text for text in texts if CJK.search(text)] == []
