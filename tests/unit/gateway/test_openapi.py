"""The OpenAPI document built from the plugins' routes and schemas (services/gateway/openapi.py)."""
from __future__ import annotations

import json
import re

import pytest

from services.gateway.openapi import build_spec

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec(plugins):
    return build_spec(plugins)


@pytest.fixture(scope="module")
def routes(plugins):
    return [(p.name, r) for p in plugins.values() for r in p.routes]


def operation(spec, route):
    return spec["paths"][route.path][route.method.lower()]


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_document_is_openapi_3_with_info_paths_and_components(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"] and spec["components"]["schemas"]["Problem"]["properties"]["code"]
    json.dumps(spec)  # serialisable as served


def test_every_route_of_every_plugin_is_present_with_its_method(spec, routes):
    for _, route in routes:
        assert route.method.lower() in spec["paths"].get(route.path, {}), (route.method, route.path)
    documented = {(m.upper(), path) for path, ops in spec["paths"].items() for m in ops if m in METHODS}
    assert documented == {(r.method, r.path) for _, r in routes}


def test_operation_ids_are_unique(spec):
    ids = [op["operationId"] for ops in spec["paths"].values() for m, op in ops.items() if m in METHODS]
    assert len(ids) == len(set(ids))


def test_every_path_parameter_is_declared_required_and_ids_are_integers(spec, routes):
    for _, route in routes:
        declared = {p["name"]: p for p in operation(spec, route)["parameters"] if p["in"] == "path"}
        assert set(declared) == set(re.findall(r"\{(\w+)\}", route.path)), route.path
        for name, param in declared.items():
            assert param["required"] is True
            assert param["schema"]["type"] == ("integer" if name.endswith("_id") else "string")


def test_request_schemas_are_referenced_from_the_components(spec, routes):
    with_body = [r for _, r in routes if r.request is not None]
    assert with_body
    for route in with_body:
        schema = operation(spec, route)["requestBody"]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/")
    create = operation(spec, next(r for _, r in routes if r.rpc == "membership.admit_member"))
    assert create["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/MemberCreate"}
    assert {"name", "id_number", "category"} <= set(spec["components"]["schemas"]["MemberCreate"]["required"])


def test_every_reference_resolves(spec):
    schemas = spec["components"]["schemas"]
    for ref in refs(spec):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def test_query_schemas_become_query_parameters(spec, routes):
    listing = operation(spec, next(r for _, r in routes if r.rpc == "membership.list_members"))
    names = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert {"status", "category", "group", "q", "page", "page_size"} <= names


def test_non_public_routes_require_the_bearer_token_and_public_ones_do_not(spec, routes):
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for _, route in routes:
        op = operation(spec, route)
        if route.public:
            assert "security" not in op, route.path
        else:
            assert op["security"] == [{"bearer": []}], route.path
            assert "401" in op["responses"] and "403" in op["responses"]
    assert any(r.public for _, r in routes)


def test_each_operation_documents_its_success_status_and_problem_answers(spec, routes):
    for _, route in routes:
        responses = operation(spec, route)["responses"]
        assert str(route.status) in responses
        assert responses["422"]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"}
    admit = operation(spec, next(r for _, r in routes if r.rpc == "membership.admit_member"))
    assert "201" in admit["responses"]


def test_uploads_and_spreadsheet_exports_are_documented_as_binary(spec, routes):
    upload = operation(spec, next(r for _, r in routes if r.body == "upload"))
    assert "multipart/form-data" in upload["requestBody"]["content"]
    export = operation(spec, next(r for _, r in routes if r.produces == "xlsx"))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert export["responses"]["200"]["content"][xlsx]["schema"]["format"] == "binary"


def test_operations_are_tagged_and_summarised(spec, routes):
    for plugin, route in routes:
        op = operation(spec, route)
        assert op["summary"] == route.summary and op["tags"]


def test_two_services_schemas_of_one_class_name_get_distinct_component_names(plugins):
    """congress and events both have a ``CheckInSchema``: each is its own component, named after
    its service when the plain name is taken, and building the document warns about nothing."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        document = build_spec(plugins)
    names = set(document["components"]["schemas"])
    check_ins = {n for n in names if n.endswith("CheckIn")}
    assert "CheckIn" in check_ins and len(check_ins) >= 2
    assert all(re.fullmatch(r"[A-Za-z0-9]+", n) for n in names)
    assert all(ref.split("/")[-1] in names for ref in refs(document))
