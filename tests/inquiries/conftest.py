import pytest

from tests.inquiries.panel import panel_build


@pytest.fixture
def panel(db):
    return panel_build()
