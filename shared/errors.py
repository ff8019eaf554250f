"""Domain errors that cross process boundaries intact.

Every error the platform shows a user is a ``DomainError`` with a stable ``code``; the gateway maps
the class to an HTTP status and renders ``application/problem+json`` once (STYLE habit 5).
The module imports no framework: ``shared.rpc`` registers these classes with nameko so an error
raised in a service arrives in the gateway as the same class, not as a ``RemoteError``.

``fields`` names every bad field: ``{"id_number": ["id_checksum"], "birth_date": ["required"]}``.
``params`` fills the message template (``{"school": "S001"}``).
"""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    default_code = "bad_request"

    def __init__(self, code: str | None = None, fields: dict | None = None, params: dict | None = None):
        self.code = code or self.default_code
        self.fields = {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in (fields or {}).items()}
        self.params = dict(params or {})
        super().__init__(self.code, self.fields, self.params)

    def __str__(self) -> str:
        extra = f" fields={self.fields}" if self.fields else ""
        return f"{self.code}{extra} {self.params or ''}".strip()


class ValidationFailed(DomainError):
    """请求数据不合法: one or more fields are bad (422)."""
    status = 422
    default_code = "validation_failed"


class BadRequest(DomainError):
    status = 400
    default_code = "bad_request"


class NotAuthenticated(DomainError):
    status = 401
    default_code = "not_authenticated"


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class MethodNotAllowed(DomainError):
    status = 405
    default_code = "method_not_allowed"


class Conflict(DomainError):
    """与现有数据冲突: a duplicate or a state that does not allow the change (409)."""
    status = 409
    default_code = "conflict"


class TooLarge(DomainError):
    status = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    default_code = "unsupported_media_type"


class TooManyRequests(DomainError):
    status = 429
    default_code = "too_many_requests"


class CrossTenantWrite(DomainError):
    """A write into another school union than the one the unit of work belongs to. Always a bug
    or an attack; the database layer refuses it before anything is flushed."""
    status = 403
    default_code = "cross_school_write"


class InternalError(DomainError):
    status = 500
    default_code = "internal_error"


class Unavailable(DomainError):
    status = 503
    default_code = "service_unavailable"


ALL_ERRORS = [
    DomainError, ValidationFailed, BadRequest, NotAuthenticated, Forbidden, NotFound, MethodNotAllowed, Conflict,
    TooLarge, UnsupportedMediaType, TooManyRequests, CrossTenantWrite, InternalError, Unavailable,
]
