"""The one error shape of the API, ``{"error": {"code", "message", "message_en"?, "details"?}}``, declared
in the OpenAPI for every operation, so clients (and the fuzzer) know every refusal's form.

Routers live in apps that may not import ``api``: they declare their success responses only, and
``DocumentedAPI`` adds the error responses to each operation of the generated schema."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema

# Every operation may answer these: 400 unreadable body, 413 oversize body, 422 invalid input or a
# refusal by the rules; operations behind a login also 401, 403, 404 (or outside the scope) and 409.
PUBLIC_ERRORS = {400: gettext_lazy("Nội dung không đọc được (JSON)"), 413: gettext_lazy("Nội dung quá lớn"),
                 422: gettext_lazy("Dữ liệu không hợp lệ hoặc bị từ chối")}
SECURED_ERRORS = {
    401: gettext_lazy("Cần đăng nhập hoặc API token"),
    403: gettext_lazy("Không có quyền"),
    404: gettext_lazy("Không có hoặc ngoài địa bàn"),
    409: gettext_lazy("Trùng hoặc đã xử lý"),
}


class ErrorDetail(Schema):
    code: str
    message: str
    message_en: str | None = None
    details: Any = None


class ErrorOut(Schema):
    error: ErrorDetail


class DocumentedAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_errors(schema)
        return schema


def declare_errors(schema: dict[str, Any]) -> None:
    """Add ``ErrorOut`` to the components and the error responses to every operation."""
    model = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(model.pop("$defs", {}))
    components["ErrorOut"] = model
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            errors = PUBLIC_ERRORS | (SECURED_ERRORS if operation.get("security") else {})
            for status, description in errors.items():
                operation["responses"].setdefault(str(status), {"description": description, "content": content})
