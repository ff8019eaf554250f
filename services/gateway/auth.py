"""Passwords (Argon2), signed access tokens (JWT, HS256) and the login slow-down rule."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
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
    issued_ms: int = field(default=0, compare=False)   # when the token was issued (ms)


def issue_token(principal: Principal, secret: str, ttl_seconds: int) -> str:
    now_ms = int(time.time() * 1000)
    now = now_ms // 1000
    claims = {"sub": principal.username, "role": principal.role, "school": principal.school,
              "mid": principal.member_id, "iat": now, "iam": now_ms, "exp": now + ttl_seconds, "iss": "unionhub"}
    return jwt.encode(claims, secret, algorithm="HS256")


def now_ms() -> int:
    return int(time.time() * 1000)


def revoked(principal: Principal, not_before_ms: int | None) -> bool:
    """A token issued before the account's revocation mark (deactivated, password changed)."""
    return not_before_ms is not None and principal.issued_ms < not_before_ms


_VERIFIED: dict[tuple[str, str], tuple[Principal, int]] = {}
_VERIFIED_MAX = 20000


def read_token(token: str, secret: str) -> Principal:
    """The principal of a valid token. A token verified before is served from a bounded cache
    until it expires (the signature check costs more than the rest of a cached read); revocation
    is checked per request by the pipeline, not here."""
    hit = _VERIFIED.get((token, secret))
    if hit is not None and hit[1] > time.time():
        return hit[0]
    principal, exp = _decode(token, secret)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(token, secret)] = (principal, exp)
    return principal


def _decode(token: str, secret: str) -> tuple[Principal, int]:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], issuer="unionhub",
                            options={"require": ["exp", "sub", "role"]})
    except jwt.PyJWTError:
        raise NotAuthenticated("invalid_token") from None
    issued_ms = claims.get("iam") if isinstance(claims.get("iam"), int) else int(claims.get("iat") or 0) * 1000
    return Principal(claims["sub"], claims["role"], claims.get("school"), claims.get("mid"), issued_ms), int(claims["exp"])


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
