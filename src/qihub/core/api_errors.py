"""The one error body of the API and the error answers each operation declares.

Every handler answers a refusal as ``{"detail": ..., "errors": ...}`` (see
``qihub.config.api``). The schema declares, for every operation, the refusals
any handler can give: 400 invalid input (``ApplicationError``), 404 a thing
named in the path or body is unknown, 409 a conflict with the current state,
422 the input does not match the schema; operations that need a token also
401 and 403; operations with a body also 413 (over the upload limit).
"""

from typing import Any

from pydantic import BaseModel

ERROR_SCHEMA_NAME = "ErrorOut"

#: The error answers, with the description the schema gives them.
ERROR_DESCRIPTIONS = {
    400: "Invalid input: a message naming the field.",
    401: "Authentication required: send a valid bearer token.",
    403: "Not allowed for this user.",
    404: "Not found.",
    409: "Conflicts with the current state.",
    413: "The request body is larger than the server accepts.",
    422: "The input does not match the schema.",
}


class ErrorOut(BaseModel):
    """An error answer: a message for people, details per field for programs."""

    detail: str
    errors: Any = None


def error_codes(operation: dict) -> list[int]:
    """The error codes an operation of the generated schema can answer."""
    codes = [400, 404, 409, 422]
    if operation.get("security"):
        codes += [401, 403]
    if "requestBody" in operation:
        codes.append(413)
    return sorted(codes)


def declare_errors(schema: dict) -> dict:
    """Add the shared error schema and each operation's error answers (an
    answer an operation declares itself is kept as it is)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        ERROR_SCHEMA_NAME,
        ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"),
    )
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in error_codes(operation):
                if code in responses or str(code) in responses:
                    continue
                responses[code] = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ref}},
                }
    return schema
