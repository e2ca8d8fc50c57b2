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
