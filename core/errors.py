"""Domain errors. One handler in `core.web` turns each into the JSON envelope or an HTML page."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a use case may raise; carries the HTTP status and a stable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None,
                 extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        # Further members of the error envelope, e.g. the id of the object a 409 points to.
        self.extra = extra or {}


class Unauthenticated(DomainError):
    """The caller is not (or no longer) authenticated."""

    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller's role may not use this function."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist or the caller may not see it; the two are indistinguishable."""

    status = 404
    code = "not_found"

    def __init__(self, what: str = "resource") -> None:
        super().__init__(f"No such {what}.")
        self.what = what  # the object type of the audit row a refused read leaves


class AlreadyExists(DomainError):
    """A unique object with this key exists already."""

    status = 409
    code = "already_exists"


class InvalidTransition(DomainError):
    """The object is not in a state that allows this change."""

    status = 409
    code = "invalid_transition"


class ValidationFailed(DomainError):
    """Input broke a rule; `fields` maps each offending field path to its message."""

    status = 422
    code = "validation_failed"

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        summary = message or "; ".join(f"{name}: {text}" for name, text in fields.items())
        super().__init__(summary, fields=fields)


class LinkInvalid(NotFound):
    """A single-use link that is unknown, used, replaced or expired: all answer alike."""

    def __init__(self) -> None:
        DomainError.__init__(self, "This link is invalid or has expired - ask your "
                                   "administrator for a new one.")
