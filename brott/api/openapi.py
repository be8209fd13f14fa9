"""The OpenAPI 3.1 document of the API, generated from the code: the routes of the `api`
blueprint in the URL map, what each view declares with `@operation` (api/views.py) and the
marshmallow schemas it answers with (api/schemas.py), put together by apispec. Nothing of it
is written by hand, so it cannot drift from what the API does.
"""

import inspect
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from marshmallow import Schema
from werkzeug.routing import Rule

from brott.api.schemas import ErrorOut, PageQuery, page_of
from brott.input_guard import MAX_ID
from brott.services.councils import SLUG_PATTERN

TITLE = "brott API"
VERSION = "1"
CACHED = "brott.openapi"  # app.extensions: the document, built once per app
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")  # <int:measure_id>, <council_slug>
SECURITY_SCHEME = "token"
DESCRIPTION = """\
Read-only JSON access to a council's citizen promises, measures (with their journal and
indicators), EST meetings and actions, and, for the police, the situation notes the
municipality shares with them.

**Tokens.** Every call but this document's needs a personal API token, made (and revoked)
on your account page and sent as `Authorization: Bearer <token>`. A token reads what you
may read in each of your councils, never more, and never residents' reports, e-mail
addresses or the measure tools. A missing, wrong or revoked token is answered with 401; a
council you are not a member of with 404, as one that does not exist.

**Pages.** Lists come in pages: `page` (from 1) and `per_page` (at most 100), with the total
and links to the first, previous, next and last page. A page past the last one is a 404.

**Caching.** Answers carry an ETag; send it back in `If-None-Match` to get 304 Not Modified
while nothing has changed.

**Errors** are JSON: `{"error": {"status": 404, "code": "not_found", "message": "…"}}`, the
message in the language of `Accept-Language` (Swedish or English).
"""

# the error answers every call may give, named in the document's components
ERRORS = {
    400: ("BadRequest", "The request is not valid, e.g. a page number that is no number."),
    401: ("Unauthorized", "No token, or a wrong or revoked one."),
    403: ("Forbidden", "The token's user may not read this in the council."),
    404: ("NotFound", "No such council, object or page, or not one the token may read."),
    429: ("TooManyRequests", "Too many wrong tokens from this address: wait and try again."),
    500: ("InternalServerError", "A server error; the reference finds its log lines."),
    503: ("ServiceUnavailable", "The database is out of reach for now."),
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of an answer you have: 304 while it is unchanged.",
}


def document(app: Flask) -> dict[str, Any]:
    """The document of `app`'s API (built on the first call)."""
    if CACHED not in app.extensions:
        app.extensions[CACHED] = _build(app)
    return app.extensions[CACHED]


def _schema_name(schema: Any) -> str:
    found = resolve_schema_cls(schema)
    return (found[0] if isinstance(found, list) else found).__name__.removesuffix("Out")


def _build(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": DESCRIPTION},
        security=[{SECURITY_SCHEME: []}],
    )
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A personal API token."},
    )
    spec.components.schema("Error", schema=ErrorOut)
    for name, text in ERRORS.values():
        spec.components.response(
            name, {"description": text, "content": {"application/json": {"schema": "Error"}}}
        )
    pages: dict[type[Schema], type[Schema]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "api_operation", None)
        if declared is None:
            continue
        schema = declared.schema
        if declared.many:
            if schema not in pages:
                pages[schema] = page_of(schema, f"{_schema_name(schema)}Page")
            schema = pages[schema]
        spec.path(path=_path(rule), operations={"get": _operation(rule, view, declared, schema)})
    return spec.to_dict()


def _path(rule: Rule) -> str:
    return ARGUMENT.sub(lambda found: "{" + found.group(2) + "}", rule.rule)


def _operation(rule: Rule, view: Any, declared: Any, schema: type[Schema]) -> dict[str, Any]:
    # the docstring's first paragraph is the summary, the rest the description
    summary, _, description = (inspect.getdoc(view) or "").partition("\n\n")
    parameters: list[dict[str, Any]] = [
        _path_parameter(converter, name) for converter, name in ARGUMENT.findall(rule.rule)
    ]
    if declared.many:
        parameters.append({"in": "query", "schema": PageQuery})
    parameters.append(IF_NONE_MATCH)
    refused = [400, 401, 404, 429, 500, 503]
    if declared.permission is not None:
        refused.append(403)
    headers = {"ETag": {"schema": {"type": "string"}, "description": "Of the content."}}
    return {
        "operationId": rule.endpoint.removeprefix("api."),
        "summary": " ".join(summary.split()),
        **({"description": " ".join(description.split())} if description.strip() else {}),
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "OK",
                "headers": headers,
                "content": {"application/json": {"schema": schema}},
            },
            "304": {"description": "Not modified: the ETag sent is current.", "headers": headers},
            **{str(code): ERRORS[code][0] for code in sorted(refused)},
        },
    }


def _path_parameter(converter: str, name: str) -> dict[str, Any]:
    if converter == "int":  # an id: the converter takes no more than the database holds
        schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    elif name == "council_slug":
        schema = {"type": "string", "pattern": SLUG_PATTERN.pattern}
    else:
        schema = {"type": "string"}
    return {"in": "path", "name": name, "required": True, "schema": schema}
