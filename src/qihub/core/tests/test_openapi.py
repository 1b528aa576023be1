"""The published OpenAPI schema: one schema per name, every error declared."""

import typing
from functools import cache

import pydantic
import pytest

from qihub.config.api import api
from qihub.core.api_errors import error_codes


@cache
def _schema() -> dict:
    return api.get_openapi_schema()


def _types(annotation) -> list:
    found = [annotation]
    for arg in typing.get_args(annotation):
        found += _types(arg)
    return found


def _models(model, seen: set) -> None:
    if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)):
        return
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        for t in _types(field.annotation):
            _models(t, seen)


def test_no_two_schemas_share_a_name():
    """Two models of one name: the schema keeps one, and every answer of the
    other violates it (metrology's StandardOut replaced the catalogue's)."""
    api.get_openapi_schema()
    seen: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    for t in _types(model):
                        _models(t, seen)
                for model in operation.models:
                    _models(model, seen)
    names: dict[str, set[str]] = {}
    for model in seen:
        if model.__qualname__.endswith(".Input"):
            continue  # pagination parameters: flattened into the query string
        names.setdefault(model.__name__, set()).add(
            f"{model.__module__}.{model.__qualname__}"
        )
    duplicates = {n: sorted(q) for n, q in names.items() if len(q) > 1}
    assert duplicates == {}


def test_catalogue_answers_use_the_catalogue_schema():
    schema = api.get_openapi_schema()
    standard = schema["components"]["schemas"]["StandardOut"]
    assert "identifier" in standard["properties"]
    assert "title_zh" in standard["properties"]
    event = schema["components"]["schemas"]["EventOut"]
    assert "changes" in event["properties"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        (m, p)
        for p, item in _schema()["paths"].items()
        for m in item
        if m in {"get", "post", "put", "patch", "delete"}
    ],
)
def test_every_operation_declares_its_errors(method, path):
    operation = _schema()["paths"][path][method]
    declared = {int(code) for code in operation["responses"]}
    expected = set(error_codes(operation))
    assert {400, 404, 409, 422} <= expected
    if operation.get("security"):
        assert {401, 403} <= expected
    assert expected <= declared, f"{method.upper()} {path} lacks {expected - declared}"
    for code in expected:
        content = operation["responses"][code]["content"]["application/json"]
        assert content["schema"]["$ref"].startswith("#/components/schemas/")
