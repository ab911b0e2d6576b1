"""schemathesis against the live app's own OpenAPI document: no server error, no response outside its schema,
no status code, content type or header the document does not announce, for data that fits the document and data that does not."""

from __future__ import annotations

import time

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from participation.api import registry
from tests.api.helpers import seed_public_items

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, response_headers_conformance]
# Per operation and mode; 20 resources have two operations each (the agenda, one).
EXAMPLES = 8


def test_the_api_keeps_to_its_openapi_document(app, capsys):
    seed_public_items()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 2 * len(registry.resources()) - 1
    started = time.monotonic()
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(case):  # called at once, in this iteration
                response = case.call_and_validate(checks=CHECKS)
                statuses.setdefault(operation.label, set()).add(response.status_code)  # noqa: B023

            run()
    # Generated ids seldom name an item: each seeded item's page is checked too.
    by_label = {operation.label: operation for operation in operations}
    client = app.test_client()
    for resource in registry.resources():
        if resource.collect is not None:
            continue
        listed = client.get(f"/api/v1/{resource.name}").get_json()["data"]
        assert listed, f"{resource.name} : rien à lire dans la base de test"
        case = by_label[f"GET /api/v1/{resource.name}/{{id}}"].Case(path_parameters={"id": listed[0]["id"]})
        statuses[case.operation.label].add(case.call_and_validate(checks=CHECKS).status_code)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nschemathesis : {len(operations)} opérations, {elapsed:.1f} s")
    for operation, codes in statuses.items():
        assert 200 in codes, operation
        # Bad parameters (negative data) are told apart from missing items.
        assert 400 in codes or "{id}" in operation, operation
        if "{id}" in operation:
            assert 404 in codes, operation
