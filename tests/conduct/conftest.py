import datetime as dt
from unittest import mock

import pytest


@pytest.fixture
def today():
    """Pin the local day (services default to it); returns a setter for tests that move through days."""
    state = {"day": dt.date(2025, 6, 10)}
    with mock.patch("django.utils.timezone.localdate", side_effect=lambda *a, **k: state["day"]):
        def move(day: dt.date) -> dt.date:
            state["day"] = day
            return day
        move.day = lambda: state["day"]
        yield move
