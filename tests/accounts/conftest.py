import re

import pytest

PASSWORD = "Correct-horse-42"


def link_in(body: str, path_part: str) -> str:
    """The one link in a mail's text whose path contains `path_part`, as a path for the test client."""
    links = re.findall(r"https?://testserver(/\S+)", body)
    matching = [link for link in links if path_part in link]
    assert len(matching) == 1, links
    return matching[0]


@pytest.fixture
def password():
    return PASSWORD
