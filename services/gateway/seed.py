"""Demo accounts: one union chair (school_admin) per demo school, plus the schools read model."""
from __future__ import annotations

import os

from sqlalchemy import select

from services.gateway import accounts, auth
from services.gateway.orm import Account

DEMO_PASSWORD_ENV = "UNIONHUB_DEMO_PASSWORD"


def seed_demo_accounts(runtime, context: dict) -> None:
    schools = context.get("schools") or []
    if not schools:
        return
    password = os.environ.get(DEMO_PASSWORD_ENV, "demo-pass-2026")
    report = context.setdefault("report", [])
    with runtime.session("gateway") as session:
        for code in schools:
            accounts.upsert_school(session, code, code, True)
            username = f"{code.lower()}-chair"
            if session.execute(select(Account.id).where(Account.username == username)).first():
                continue
            session.add(Account(username=username, password_hash=auth.hash_password(password), role="school_admin",
                                school=code, member_id=(context.get("chairs") or {}).get(code),
                                display_name="工会主席", created_by="demo", active=True))
            report.append(f"demo account {username} (school_admin of {code}), password {password!r}")
        session.commit()
