"""Demo descriptions never state figures the page shows beside them from live data (issue #16 item 5)."""
import re

import pytest

from ingest import demo
from providers.models import Provider


@pytest.mark.django_db
def test_demo_descriptions_state_no_store_count():
    demo.demo_seed(providers=30, seed=5)

    descriptions = list(Provider.objects.values_list("description", "description_en"))

    assert len(descriptions) == 30
    for zh, en in descriptions:
        assert not re.search(r"\d+\s*家店铺|单个店铺", zh), zh
        assert not re.search(r"\d+\s+stores", en), en
        assert zh.endswith("。") and "，已服务" not in zh and "，自有仓储" not in zh, zh
