"""Passwords (Argon2), signed access tokens (JWT, HS256) and the login slow-down rule."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.errors import DomainError, NotAuthenticated

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("unionhub-timing-equaliser")
MIN_PASSWORD = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    school: str | None
    member_id: int | None


def issue_token(principal: Principal, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims = {"sub": principal.username, "role": principal.role, "school": principal.school,
              "mid": principal.member_id, "iat": now, "exp": now + ttl_seconds, "iss": "unionhub"}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="unionhub",
                            options={"require": ["exp", "sub", "role"]})
    except jwt.PyJWTError:
        raise NotAuthenticated("invalid_token") from None
    return Principal(claims["sub"], claims["role"], claims.get("school"), claims.get("mid"))


def lock_seconds(failures: int, max_failures: int, base_seconds: int) -> int:
    """登录限速: no delay for the first ``max_failures`` failures, then a lock that doubles with
    each further failure, capped at one hour."""
    if failures < max_failures:
        return 0
    return min(base_seconds * 2 ** (failures - max_failures), 3600)


def remaining_lock(locked_until: datetime | None, now: datetime) -> int:
    if locked_until is None or locked_until <= now:
        return 0
    return int((locked_until - now).total_seconds()) + 1


def next_lock(now: datetime, failures: int, max_failures: int, base_seconds: int) -> datetime | None:
    seconds = lock_seconds(failures, max_failures, base_seconds)
    return now + timedelta(seconds=seconds) if seconds else None


class PasswordTooWeak(DomainError):
    status = 422
    default_code = "validation_failed"
