"""The OpenAPI document describes every answer: a typed schema for each path's success and for
its errors, so integrators can generate clients from it."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_every_operation_has_a_typed_success_and_error_schema():
    doc = Client().get("/api/v1/openapi.json").json()
    operations = [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]
    assert len(operations) >= 20
    for path, method, op in operations:
        successes = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert successes, (method, path)
        for code, response in successes.items():
            if code == "204":
                # "No content" has no body to describe (a deletion).
                assert "content" not in response, (method, path)
                continue
            schema = response["content"]["application/json"]["schema"]
            # A named schema, not an untyped object.
            assert "$ref" in schema, (method, path, code, schema)
        assert op["responses"]["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


@pytest.mark.django_db
def test_the_inbox_channel_is_one_of_the_installed_connectors(admin_api):
    for channel in ("api", "whatsapp", "telegram"):
        assert admin_api.post("/inboxes", {"name": channel, "channel": channel}).status_code == 201
    refused = admin_api.post("/inboxes", {"name": "x", "channel": "fax"})
    assert refused.status_code == 422 and "telegram" in refused.json_body["detail"]
