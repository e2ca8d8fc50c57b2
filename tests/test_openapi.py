"""The OpenAPI contract: the live schema validates, Swagger UI is served locally, and the API honours the schema.

The last test is schemathesis driving every operation of the schema served at /api/v1/schema/, with an API key
holding every scope, through the project's WSGI application: no server errors, and every status code, content
type, header and body as documented.
"""
import datetime as dt
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, note
from hypothesis.errors import Unsatisfiable
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from providers.models import Provider
from tests.factories import (
    EngagementFactory,
    ProviderFactory,
    ReviewFactory,
    ScoreSnapshotFactory,
    api_client,
    api_key,
    reset_anonymous_throttle,
)

SCHEMA_URL = "/api/v1/schema/?format=json"


@pytest.mark.django_db
def test_schema_is_served_and_valid():
    reset_anonymous_throttle()
    response = api_client().get(SCHEMA_URL)

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/categories/", "/api/v1/compare/", "/api/v1/leads/", "/api/v1/leads/{id}/", "/api/v1/performance/",
        "/api/v1/platforms/", "/api/v1/policy/",
        "/api/v1/providers/", "/api/v1/providers/{slug}/", "/api/v1/providers/{slug}/history/",
        "/api/v1/providers/{slug}/reviews/", "/api/v1/services/", "/api/v1/store-claims/{id}/verify/",
        "/api/v1/tiers/", "/api/v1/violations/", "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/", "/api/v1/webhooks/{id}/deliveries/",
    ]
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"],
    }
    listing = schema["paths"]["/api/v1/providers/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "tier", "min_tier", "platform", "category", "service", "city", "min_score", "no_sanction", "status", "search",
        "ordering", "cursor", "page_size",
    }
    no_sanction = next(p for p in listing["parameters"] if p["name"] == "no_sanction")
    assert no_sanction["schema"] == {"type": "boolean"} and no_sanction["description"].startswith("true：")
    assert listing["security"] == [{"ApiKeyAuth": []}, {}]
    assert schema["paths"]["/api/v1/performance/"]["post"]["security"] == [{"ApiKeyAuth": []}]
    for path in schema["paths"].values():
        for operation in path.values():
            for code in ("401", "403", "429"):
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}


def test_old_schema_address_is_gone_and_docs_use_vendored_assets(client, db):
    reset_anonymous_throttle()
    docs = client.get(reverse("api-docs"))

    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI's init script is a separate response (?script), not inline, for the Content-Security-Policy.
    init = client.get(reverse("api-docs"), {"script": ""}).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in (html + init).lower()
    assert "/api/v1/schema/" in init
    assert client.get("/api/schema/").status_code == 404


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in-process inside the test's transaction.

    Like Django's test client, it must not close the connection at the end of each request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def live_schema(db, wsgi_app, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {scope: "100000/min" for scope in ("anon", "read", "ingest", "webhooks", "claims")},
    }
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app)


@pytest.fixture
def partner_key(db):
    """A key with every scope, and a little data for the generated requests to find."""
    for n, status in enumerate(["active", "probation", "delisted"]):
        provider = ProviderFactory(slug=f"p{n}", status=status, platforms=["tmall"], services=["operation"])
        ScoreSnapshotFactory(provider=provider, period=dt.date(2025, 6, 1))
        Provider.objects.filter(pk=provider.pk).update(score=Decimal("4.44"), tier=4, rated_period=dt.date(2025, 6, 1))
        ReviewFactory(provider=provider, body="电话 13812345678")
        EngagementFactory(provider=provider)
    return api_key(scopes=["read", "ingest", "webhooks", "claims"])[1]


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


# schemathesis' own pytest parametrization relies on pytest internals that pytest 9 removed, so the operations are
# driven here through its public API: one Hypothesis run per operation and generation mode.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_api_honours_its_schema(live_schema, partner_key, mode):
    # The in-process WSGI client does not undo gzip: ask for plain bodies (gzip has its own test).
    headers = {"Authorization": f"Api-Key {partner_key}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert len(operations) == 21

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                             phases=[Phase.explicit, Phase.generate])
        def honours(case):
            note(f"{operation.method.upper()} {operation.path}")
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            honours()
        except Unsatisfiable:
            # Nothing to get wrong: the operation takes no parameters or body.
            assert mode is GenerationMode.NEGATIVE, operation.label
