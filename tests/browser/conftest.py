"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

They are skipped (with the reason) where /usr/bin/chromium is missing; CI installs it. Playwright's own
browser downloads are never used.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    browser = [item for item in items if "browser" in item.keywords]
    # Live-server tests are transactional: they end by emptying the tables (reference data included) and only
    # restore them when the next such test starts, so every other test must run before them.
    items[:] = [item for item in items if "browser" not in item.keywords] + browser
    if not os.path.exists(CHROMIUM):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it")
        for item in browser:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot as a CI artifact: screenshot("directory")."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, target=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        if target is None:
            page.screenshot(path=str(path), full_page=True)
        else:
            target.screenshot(path=str(path))
        return path

    return take


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Platforms, categories, services, the default rating and conduct policies, whatever an earlier transactional
    test left.

    Transactional tests end by emptying every table; serialized rollback should restore the migrations' rows,
    but this suite does not rely on it: the data migrations' own loaders put them back when they are missing.
    """
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    from conduct.models import ConductPolicy
    from providers.models import Platform
    from ratings.models import RatingPolicy

    if not Platform.objects.exists():
        import_module("providers.migrations.0002_reference_data").load(apps, None)
    if not RatingPolicy.objects.exists():
        import_module("ratings.migrations.0002_default_policy").load(apps, None)
    if not ConductPolicy.objects.exists():
        import_module("conduct.migrations.0002_policy_v1").load(apps, None)
    _roles_restore(apps, import_module)


# The admin roles as the migrations grant them (providers' base roles, then each app's grants).
ROLE_MIGRATIONS = {
    "providers.migrations.0005_roles": "ROLES", "claims.migrations.0002_roles": "GRANTS",
    "profiles.migrations.0002_roles": "GRANTS", "conduct.migrations.0003_roles": "GRANTS",
    "inquiries.migrations.0003_roles": "GRANTS", "ingest.migrations.0003_import_violations": "GRANTS",
}


def _roles_restore(apps, import_module):
    """An earlier transactional test may have emptied the tables (groups, permissions and content types too)."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if Group.objects.filter(name="Graders", permissions__codename="decide_providerclaim").exists():
        return
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for module, name in ROLE_MIGRATIONS.items():
        for role, perms in getattr(import_module(module), name).items():
            group, _created = Group.objects.get_or_create(name=role)
            for perm in perms:
                # Some apps' grants name the codename alone (their own app's permissions).
                app_label, codename = perm.split(".") if "." in perm else (module.split(".")[0], perm)
                # Frozen names: the import permissions moved from ratings to ingest after providers' 0005 froze them.
                permission = (Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                              or Permission.objects.filter(codename=codename).first())
                # A permission a later migration removed (its model gone) has nothing to grant any more.
                if permission is not None:
                    group.permissions.add(permission)
