"""Errors that services raise for a forbidden or invalid move."""


class ApplicationError(Exception):
    """A move the user asked for and may not make, with a message they can act on.

    ``status`` is the HTTP status the API answers with: 400 invalid input,
    403 not allowed, 404 not found, 409 conflicts with the current state.
    ``details`` carries structured data (for example line-level import errors).
    """

    status = 400

    def __init__(self, message, *, status: int | None = None, details=None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.details = details or {}

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(ApplicationError):
    status = 403


class NotFound(ApplicationError):
    status = 404


class Conflict(ApplicationError):
    status = 409
