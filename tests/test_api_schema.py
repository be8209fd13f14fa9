"""The API's OpenAPI 3.1 document: valid, generated from the routes, and true. Schemathesis,
run in the test process against the WSGI app with a real token, sends what the document
allows (ids, slugs, page numbers, ETags of every shape) and checks each answer against it:
no server error, no status, header, content type or body the document does not describe."""

import contextvars
from collections import Counter
from collections.abc import Callable, Iterable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from .conftest import IsolatedClient

API = "/api/v1"
DOCUMENT = f"{API}/openapi.json"
EXAMPLES = 15  # per operation and way of filling its URL: about 15 s for both databases


def test_the_document_is_valid_openapi_3_1(app):
    document = app.test_client().get(DOCUMENT).get_json()
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert document["security"] == [{"token": []}]


def test_the_document_describes_every_route_of_the_api_and_nothing_else(app):
    document = app.test_client().get(DOCUMENT).get_json()
    documented = {
        (path, method) for path, operations in document["paths"].items() for method in operations
    }
    routes = {
        (rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}"), "get")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    }
    assert documented == routes
    for operations in document["paths"].values():
        answers = operations["get"]["responses"]
        assert {"200", "304", "401", "404"} <= set(answers)
        assert answers["401"] == {"$ref": "#/components/responses/Unauthorized"}
    measures = document["paths"][f"{API}/councils/{{council_slug}}/measures"]["get"]
    assert {p["name"] for p in measures["parameters"]} >= {"council_slug", "page", "per_page"}


def _isolated(app) -> Callable:
    """The app as a WSGI callable that runs each request in a fresh context, as the tests'
    own client does (conftest.IsolatedClient): no request shares the test's session."""

    def wsgi(environ, start_response) -> Iterable[bytes]:
        return contextvars.Context().run(app, environ, start_response)

    return wsgi


@pytest.fixture
def filled(
    app,
    council,
    coordinator,
    police,
    make_measure,
    make_meeting,
    make_decision,
    make_note,
    make_api_token,
) -> dict[str, object]:
    """A council with a measure, a meeting with a decision and a shared note, a police token
    (the police read every call, notes too) and the path parameters naming them."""
    measure = make_measure(council, owners=[coordinator])
    make_decision(make_meeting(council), coordinator, owner=police)
    note = make_note(council, police)
    assert app.test_client_class is IsolatedClient
    return {
        "token": make_api_token(police),
        "known": {"council_slug": council.slug, "measure_id": measure.id, "note_id": note.id},
    }


def test_schemathesis_finds_no_server_error_and_no_answer_off_the_document(
    app, filled, monkeypatch
):
    # schemathesis also calls with wrong tokens (that the token is not ignored): no limit
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", 1_000_000)
    schema = schemathesis.openapi.from_wsgi(DOCUMENT, _isolated(app))
    headers = {"Authorization": f"Bearer {filled['token']}"}
    known = filled["known"]
    answered: dict[str, Counter] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        # anything the document allows; the real council with any ids; the real objects
        strategies = [operation.as_strategy()]
        if names:
            strategies.append(
                operation.as_strategy(path_parameters={"council_slug": known["council_slug"]})
            )
            strategies.append(operation.as_strategy(path_parameters={n: known[n] for n in names}))
        answered[operation.label] = _explore(st.one_of(strategies), len(strategies), headers)
    assert len(answered) == 8, answered
    # the checks looked at real answers of every call, not only at refusals
    assert all(statuses[200] for statuses in answered.values()), answered


def _explore(cases: st.SearchStrategy, ways: int, headers: dict[str, str]) -> Counter:
    """Send the cases, checking every answer against the document; the statuses seen."""
    statuses: Counter = Counter()

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES * ways,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        statuses[case.call_and_validate(headers=headers).status_code] += 1

    check()
    return statuses
