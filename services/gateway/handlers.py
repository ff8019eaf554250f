"""The gateway's own endpoints (login, accounts, whoami, plugins); each gets a ``Request``
context from the pipeline and returns a JSON-ready value."""
from __future__ import annotations

from services.gateway import accounts
from shared import i18n
from shared.errors import NotFound, ValidationFailed
from shared.tenancy import ROLE_LABELS


def login(req):
    with req.session() as session:
        return accounts.login(session, req.body["username"], req.body["password"], secret=req.settings["secret"],
                              ttl=req.settings["token_ttl"], max_failures=req.settings["login_max_failures"],
                              lock_seconds=req.settings["login_lock_seconds"])


def _check_member(req, data: dict) -> None:
    """A member or delegate login must point at a member of the account's own school."""
    if data.get("member_id") is None or not data.get("school") or "membership" not in req.plugins:
        return
    try:
        req.rpc("membership", "get_member", school=data["school"], member_id=data["member_id"])
    except NotFound:
        raise ValidationFailed(fields={"member_id": ["member_not_found"]}) from None


def create_account(req):
    _check_member(req, req.body)
    with req.session() as session:
        return accounts.create(session, req.principal, req.body)


def create_school_account(req):
    data = {**req.body, "school": req.params["school"]}
    _check_member(req, data)
    with req.session() as session:
        return accounts.create(session, req.principal, data)


def update_account(req):
    with req.session() as session:
        return accounts.update(session, req.principal, int(req.params["account_id"]), req.body)


def update_school_account(req):
    with req.session() as session:
        return accounts.update(session, req.principal, int(req.params["account_id"]), req.body,
                               school=req.params["school"])


def change_password(req):
    with req.session() as session:
        return accounts.change_password(session, req.principal, req.body["current_password"],
                                        req.body["new_password"], secret=req.settings["secret"],
                                        ttl=req.settings["token_ttl"])


def list_accounts(req):
    with req.session() as session:
        return accounts.list_accounts(session, req.principal, req.query["page"], req.query["page_size"],
                                      req.query.get("school"))


def list_school_accounts(req):
    with req.session() as session:
        return accounts.list_accounts(session, req.principal, req.query["page"], req.query["page_size"],
                                      req.params["school"])


def whoami(req):
    p = req.principal
    return {"username": p.username, "role": p.role, "role_label": ROLE_LABELS[p.role].get(req.language, p.role),
            "school": p.school, "member_id": p.member_id}


def plugins(req):
    return {"plugins": [{"name": p.name, "routes": len(p.routes), "publishes": p.publishes,
                         "annual_summary": p.annual_summary} for p in req.plugins.values()]}


def labels(req):
    return {"roles": {k: v.get(req.language, k) for k, v in ROLE_LABELS.items()}, "language": req.language,
            "languages": list(i18n.LANGUAGES)}


def remember_school(open_session, result):
    """Write-through to the schools read model, so the creator can use the school at once; the
    ``membership.school_*`` events keep every other gateway instance current."""
    with open_session() as session:
        accounts.upsert_school(session, result["code"], result["name"], result.get("active", True))
        session.commit()
