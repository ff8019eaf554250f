"""Accounts and login (账号与登录).

District admins create accounts for any school; a school admin (工会主席) creates accounts only in
their own school and never a district role. Logins that keep failing are slowed down.
"""
from __future__ import annotations

import time

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from services.gateway import auth
from services.gateway.orm import Account, KnownSchool, LoginThrottle, TokenRevocation
from shared import metrics
from shared.db.base import utcnow
from shared.errors import Conflict, Forbidden, NotAuthenticated, NotFound, TooManyRequests, ValidationFailed
from shared.tenancy import DISTRICT_ROLES

SCHOOL_ADMIN_GRANTS = frozenset({"school_admin", "finance_officer", "welfare_officer", "congress_officer",
                                 "events_officer", "auditor", "delegate", "member"})


def view(account: Account) -> dict:
    return {"id": account.id, "username": account.username, "role": account.role, "school": account.school,
            "member_id": account.member_id, "display_name": account.display_name, "active": account.active}


def login(session, username: str, password: str, *, secret: str, ttl: int, max_failures: int,
          lock_seconds: int) -> dict:
    now = utcnow()
    throttle = session.get(LoginThrottle, username)
    wait = auth.remaining_lock(throttle.locked_until if throttle else None, now)
    if wait:
        metrics.LOGIN_FAILURES.labels("locked").inc()
        raise TooManyRequests("too_many_requests", params={"retry_after": wait})
    account = session.execute(select(Account).where(Account.username == username)).scalar_one_or_none()
    ok = auth.verify_password(account.password_hash if account else None, password)
    if not ok or not account.active:
        throttle = throttle or LoginThrottle(username=username, failures=0)
        throttle.failures += 1
        throttle.last_failure_at = now
        throttle.locked_until = auth.next_lock(now, throttle.failures, max_failures, lock_seconds)
        session.merge(throttle)
        session.commit()
        metrics.LOGIN_FAILURES.labels("bad_credentials").inc()
        raise NotAuthenticated("invalid_credentials")
    if throttle is not None:
        session.delete(throttle)
        session.commit()
    principal = auth.Principal(account.username, account.role, account.school, account.member_id)
    return {"access_token": auth.issue_token(principal, secret, ttl), "token_type": "bearer", "expires_in": ttl,
            "role": account.role, "school": account.school}


def create(session, creator: auth.Principal, data: dict) -> dict:
    role, school = data["role"], data.get("school")
    bad = {}
    if creator.role == "district_admin":
        if role in DISTRICT_ROLES:
            school = None
        elif not school:
            bad["school"] = ["required"]
    elif creator.role == "school_admin":
        if role not in SCHOOL_ADMIN_GRANTS:
            raise Forbidden("role_grant_forbidden", fields={"role": ["role_grant_forbidden"]})
        if school and school != creator.school:
            raise Forbidden("school_forbidden", params={"school": school})
        school = creator.school
    else:
        raise Forbidden("role_forbidden")
    if len(data["password"]) < auth.MIN_PASSWORD:
        bad["password"] = ["password_too_short"]
    if school and session.get(KnownSchool, school) is None:
        bad["school"] = ["school_not_found"]
    if role in ("member", "delegate") and not data.get("member_id"):
        bad["member_id"] = ["required"]
    if bad:
        raise ValidationFailed(fields=bad)
    if session.execute(select(Account.id).where(func.lower(Account.username) == data["username"].lower())).first():
        raise Conflict("username_taken", fields={"username": ["username_taken"]})
    account = Account(username=data["username"], password_hash=auth.hash_password(data["password"]), role=role,
                      school=school, member_id=data.get("member_id"), display_name=data.get("display_name"),
                      created_by=creator.username, active=True)
    session.add(account)
    session.commit()
    return view(account)


def ensure_admin(session, password: str) -> bool:
    """The district admin ``admin``; returns True when it was created now."""
    existing = session.execute(select(Account).where(Account.username == "admin")).scalar_one_or_none()
    if existing is not None:
        return False
    session.add(Account(username="admin", password_hash=auth.hash_password(password), role="district_admin",
                        school=None, display_name="区教育工会管理员", created_by="bootstrap", active=True))
    session.commit()
    return True


def list_accounts(session, principal: auth.Principal, page: int, size: int, school: str | None) -> dict:
    q = select(Account)
    if principal.role != "district_admin":
        q = q.where(Account.school == principal.school)
    elif school:
        q = q.where(Account.school == school)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(q.order_by(Account.id).offset((page - 1) * size).limit(size)).scalars()
    return {"items": [view(a) for a in rows], "total": total}


def upsert_school(session, code: str, name: str, active: bool = True) -> None:
    """One atomic insert-or-update: the write-through and the event may arrive together."""
    insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(KnownSchool).values(code=code, name=name, active=active)
    session.execute(stmt.on_conflict_do_update(index_elements=["code"], set_={"name": name, "active": active}))


def revoke_tokens(session, username: str, reason: str, at_ms: int | None = None) -> None:
    """Every token of ``username`` issued before now stops working (checked on each request)."""
    mark = at_ms if at_ms is not None else auth.now_ms()
    row = session.get(TokenRevocation, username)
    if row is None:
        session.add(TokenRevocation(username=username, not_before_ms=mark, reason=reason, updated_at=utcnow()))
    else:
        row.not_before_ms, row.reason, row.updated_at = max(row.not_before_ms, mark), reason, utcnow()


def update(session, editor: auth.Principal, account_id: int, data: dict, school: str | None = None) -> dict:
    """停用/启用、重置密码、修改显示名. A school admin edits only non-district accounts of their
    school; deactivating or a new password revokes the account's tokens at once."""
    account = session.get(Account, account_id)
    if account is None or (school is not None and account.school != school):
        raise NotFound("account_not_found")
    if editor.role != "district_admin" and (account.school != editor.school or account.role in DISTRICT_ROLES):
        raise NotFound("account_not_found")
    if data.get("active") is False and account.username == editor.username:
        raise ValidationFailed(fields={"active": ["cannot_deactivate_self"]})
    if "password" in data and len(data["password"]) < auth.MIN_PASSWORD:
        raise ValidationFailed(fields={"password": ["password_too_short"]})
    if "display_name" in data:
        account.display_name = data["display_name"]
    if "password" in data:
        account.password_hash = auth.hash_password(data["password"])
        revoke_tokens(session, account.username, "password_reset")
    if "active" in data and data["active"] != account.active:
        account.active = data["active"]
        if not account.active:
            revoke_tokens(session, account.username, "deactivated")
    session.commit()
    return view(account)


def change_password(session, principal: auth.Principal, current: str, new: str, *, secret: str, ttl: int) -> dict:
    """修改本人密码: other sessions end; the answer carries a fresh token for this one."""
    account = session.execute(select(Account).where(Account.username == principal.username)).scalar_one_or_none()
    if account is None or not auth.verify_password(account.password_hash, current):
        raise ValidationFailed(fields={"current_password": ["wrong_password"]})
    if len(new) < auth.MIN_PASSWORD:
        raise ValidationFailed(fields={"new_password": ["password_too_short"]})
    account.password_hash = auth.hash_password(new)
    mark = auth.now_ms()
    revoke_tokens(session, account.username, "password_changed", mark)
    session.commit()
    while auth.now_ms() <= mark:      # the fresh token must be issued strictly after the mark
        time.sleep(0.001)
    fresh = auth.Principal(account.username, account.role, account.school, account.member_id)
    return {"access_token": auth.issue_token(fresh, secret, ttl), "token_type": "bearer", "expires_in": ttl,
            "role": account.role, "school": account.school}
