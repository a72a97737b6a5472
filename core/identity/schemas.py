"""Request and response models of the identity API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from core.identity.models import User
from core.schemas import RequestModel

RoleName = Literal["admin", "co_chair", "liaison_officer", "analyst"]


class TokenRequest(RequestModel):
    """Credentials exchanged for an API token."""

    # Passwords are used exactly as typed: a leading or trailing space is part of them.
    model_config = ConfigDict(str_strip_whitespace=False)

    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = Field(default=None, min_length=1, max_length=64,
                             description="the TOTP or a recovery code, once the user has "
                                         "enrolled in two-factor sign-in")


class TokenResponse(BaseModel):
    """A bearer token and its lifetime in seconds."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class UserCreate(RequestModel):
    """A new account: invited, it gets no password here (the user sets one from the link)."""

    username: str = Field(min_length=3, max_length=150)
    role: RoleName
    state: str | None = Field(default=None, min_length=3, max_length=3,
                              description="ISO 3166-1 alpha-3; required for co_chair and "
                                          "liaison_officer")
    full_name: str | None = Field(default=None, max_length=200)
    email: EmailStr = Field(description="where the activation link is sent")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()./-]{3,40}$")
    time_zone: str | None = Field(default=None, max_length=64,
                                  description="IANA zone; defaults to the state's zone")


class UserChange(RequestModel):
    """Changes to an account; a change of role or state ends its sessions and tokens and is
    told to the states concerned and the co-chairs."""

    role: RoleName | None = None
    state: str | None = Field(default=None, min_length=3, max_length=3,
                              description="ISO 3166-1 alpha-3; null for stateless roles")
    full_name: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()./-]{3,40}$")
    time_zone: str | None = Field(default=None, max_length=64, description="IANA zone")

    def changes(self) -> dict[str, object]:
        """Only the fields the client sent (a null state clears it)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Activation(RequestModel):
    """The token of an activation link and the password the user chooses."""

    model_config = ConfigDict(str_strip_whitespace=False)  # passwords exactly as typed

    token: str = Field(min_length=1, max_length=1024)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(RequestModel):
    """Change one's own password."""

    model_config = ConfigDict(str_strip_whitespace=False)  # passwords exactly as typed

    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class UserPath(BaseModel):
    """Path parameter of one user."""

    uid: int


class UserOut(BaseModel):
    """An account as the administrator sees it (never the password hash)."""

    id: int
    username: str
    full_name: str
    email: str | None
    phone: str | None
    role: RoleName
    state: str | None
    time_zone: str
    disabled: bool
    created_at: datetime
    status: Literal["invited", "active", "disabled"]
    invitation_expires_at: datetime | None = Field(
        description="when the pending activation link expires (null: none pending)")

    @classmethod
    def of(cls, user: User, invitation_expires_at: datetime | None = None) -> UserOut:
        """Build from the model."""
        status = "disabled" if user.disabled else "invited" if user.invited else "active"
        return cls(id=user.id, username=user.username, full_name=user.full_name,
                   email=user.email, phone=user.phone, role=user.role,  # type: ignore[arg-type]
                   state=user.state, time_zone=user.time_zone, disabled=user.disabled,
                   created_at=user.created_at, status=status,
                   invitation_expires_at=invitation_expires_at if user.invited else None)


class UserList(BaseModel):
    """All accounts."""

    users: list[UserOut]


class Me(BaseModel):
    """The caller."""

    id: int
    username: str
    full_name: str
    role: RoleName
    state: str | None
    time_zone: str
