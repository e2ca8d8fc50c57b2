"""export_conduct: the published policy, day by day, for every provider of a seeded scenario."""
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from conduct.models import Reinstatement, Violation
from tests.factories import GRADERS, ProviderFactory, staff_user

pytestmark = pytest.mark.django_db
D = dt.date


def violation(provider, decided_on, points, reference, status="upheld"):
    return Violation.objects.create(provider=provider, type="over_promise", occurred_on=decided_on,
                                    decided_on=decided_on, reference=reference, points=points, status=status,
                                    source="admin")


def export(day, fmt="csv"):
    out = io.StringIO()
    call_command("export_conduct", "--as-of", day.isoformat(), "--format", fmt, stdout=out)
    return out.getvalue()


def expected_by_hand(slug, day):
    """The published policy v1 read literally, for the scenario below (points, sanction)."""
    if slug == "a-hidden":  # 12 on 2025-03-01, +12 on 2025-04-10 (24: hidden 04-10 … 05-09)
        points = (12 if day >= D(2025, 3, 1) else 0) + (12 if day >= D(2025, 4, 10) else 0)
        points = points if day.year == 2025 else 0
        if D(2025, 4, 10) <= day <= D(2025, 5, 9):
            return points, "hidden"
        return points, "warning" if points >= 12 else "none"
    if slug == "b-frozen":  # 48 on 2025-12-20: frozen to 31 December, none from 1 January
        points = 48 if D(2025, 12, 20) <= day <= D(2025, 12, 31) else 0
        return points, "frozen" if points else "none"
    if slug == "c-delisted":  # 72 on 2025-06-01, reinstated 2026-01-02
        points = 72 if D(2025, 6, 1) <= day <= D(2025, 12, 31) else 0
        return points, "delisted" if D(2025, 6, 1) <= day < D(2026, 1, 2) else "none"
    if slug == "d-cleared":  # 60 + 60 the same day 2025-11-30: cleared for ever
        points = 120 if D(2025, 11, 30) <= day <= D(2025, 12, 31) else 0
        return points, "cleared" if day >= D(2025, 11, 30) else "none"
    if slug == "e-withdrawn":  # 120 withdrawn: counts nowhere
        return 0, "none"
    raise AssertionError(slug)


def test_export_agrees_with_the_policy_for_every_provider_on_every_day():
    a, b, c = ProviderFactory(slug="a-hidden"), ProviderFactory(slug="b-frozen"), ProviderFactory(slug="c-delisted")
    d, e = ProviderFactory(slug="d-cleared"), ProviderFactory(slug="e-withdrawn")
    violation(a, D(2025, 3, 1), 12, "A1")
    violation(a, D(2025, 4, 10), 12, "A2")
    violation(b, D(2025, 12, 20), 48, "B1")
    violation(c, D(2025, 6, 1), 72, "C1")
    Reinstatement.objects.create(provider=c, on=D(2026, 1, 2), reason="整改", granted_by=staff_user(GRADERS))
    violation(d, D(2025, 11, 30), 60, "D1")
    violation(d, D(2025, 11, 30), 60, "D2")
    violation(e, D(2025, 5, 5), 120, "E1", status="withdrawn")
    day = D(2025, 2, 27)
    while day <= D(2026, 1, 5):
        lines = export(day).splitlines()
        assert lines[0] == "slug,as_of,points,sanction"
        for line in lines[1:]:
            slug, as_of, points, sanction = line.split(",")
            assert as_of == day.isoformat()
            assert (int(points), sanction) == expected_by_hand(slug, day), (slug, day)
        assert len(lines) == 6
        day += dt.timedelta(days=1)


def test_export_as_json_and_a_bad_day():
    ProviderFactory(slug="solo")
    assert json.loads(export(D(2025, 1, 1), "json")) == [
        {"slug": "solo", "as_of": "2025-01-01", "points": 0, "sanction": "none"}]
    with pytest.raises(CommandError, match="'2025-13-01' is not a day in the form YYYY-MM-DD"):
        call_command("export_conduct", "--as-of", "2025-13-01")
