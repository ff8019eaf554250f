"""OpenAPI 3, generated from the plugins' routes and the same marshmallow schemas that validate."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from shared.plugins import Route

PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "code": {"type": "string", "description": "stable error code"}, "instance": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def _resolver():
    """Component names for the schemas: the class name without ``Schema``; when two services
    each have a class of that name (``CheckIn`` of the congress and of events), the later one is
    named after its service too (``EventsCheckIn``), so every name is unique and stable."""
    names: dict[type, str] = {}
    taken: set[str] = set()

    def resolve(schema):
        cls = schema if isinstance(schema, type) else type(schema)
        if not isinstance(schema, type) and (schema.only or schema.exclude or schema.partial):
            return None  # inline a modified schema rather than register a clashing name
        if cls not in names:
            base = cls.__name__[:-6] if cls.__name__.endswith("Schema") else cls.__name__
            name = base
            if name in taken:
                parts = cls.__module__.split(".")
                owner = parts[1] if len(parts) > 2 and parts[0] == "services" else parts[0]
                name = owner.title() + base
                n = 2
                while name in taken:
                    name, n = f"{owner.title()}{base}{n}", n + 1
            names[cls] = name
            taken.add(name)
        return names[cls]
    return resolve


def build_spec(plugins: dict) -> dict:
    spec = APISpec(title="UnionHub API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_resolver())],
                   info={"description": "区教育工会与学校工会平台 API. Errors are application/problem+json. "
                                        "Send Accept-Language: en for English messages."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    paths: dict[str, dict] = {}
    for plugin in plugins.values():
        for route in plugin.routes:
            paths.setdefault(route.path, {})[route.method.lower()] = _operation(plugin.name, route)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(plugin: str, route: Route) -> dict:
    op = {"summary": route.summary, "description": route.summary_en, "tags": list(route.tags) or [plugin],
          "operationId": (route.rpc or route.handler.split(":")[1]).replace(".", "_") + "_" + route.method.lower(),
          "parameters": [{"name": p, "in": "path", "required": True,
                          "schema": {"type": "integer" if p.endswith("_id") else "string"}} for p in route.params],
          "responses": {}}
    if route.query is not None:
        op["parameters"].append({"in": "query", "schema": route.query})
    if route.request is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.request}}}
    if route.body == "upload":
        op["requestBody"] = {"required": True, "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    ok = {"description": "OK"}
    if route.produces != "json":
        from services.gateway.pipeline import FILE_TYPES
        formats = FILE_TYPES if route.produces == "file" else {route.produces: FILE_TYPES[route.produces]}
        ok["content"] = {ctype.split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for ctype in formats.values()}
    elif route.response is not None:
        ok["content"] = {"application/json": {"schema": route.response}}
    op["responses"][str(route.status)] = ok
    problem = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status, text in (("400", "Malformed request"), ("401", "Not authenticated"), ("403", "Role not allowed"),
                         ("404", "Not found"), ("409", "Conflict"), ("422", "Invalid fields")):
        if route.public and status in ("401", "403"):
            continue
        op["responses"][status] = {"description": text, **problem}
    if not route.public:
        op["security"] = [{"bearer": []}]
    return op


DOCS_HTML = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>UnionHub API 文档</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/api/v1/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""
