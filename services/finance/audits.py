"""经费审查委员会 (funds review committee) audits: findings with adjusting entries in the adjusting
period, the report submitted to the congress, its decision (by event) and the filing (备案)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from services.finance import ledger
from services.finance.domain import ledger as L
from services.finance.orm import Audit, AuditFinding, KnownSchool
from shared.errors import Conflict, NotFound


def as_dict(a: Audit, findings=None) -> dict:
    out = {"id": a.id, "school": a.school, "year": a.year, "kind": a.kind, "title": a.title, "scope": a.scope,
           "status": a.status, "summary": a.summary,
           "submitted_on": a.submitted_on.isoformat() if a.submitted_on else None,
           "decided_on": a.decided_on.isoformat() if a.decided_on else None, "votes": a.votes,
           "filed_on": a.filed_on.isoformat() if a.filed_on else None}
    if findings is not None:
        out["findings"] = [{"id": f.id, "severity": f.severity, "description": f.description, "entry_id": f.entry_id}
                           for f in findings]
    return out


def _audit(session, audit_id: int, lock: bool = False) -> Audit:
    stmt = select(Audit).where(Audit.id == audit_id)
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound("audit_not_found")
    return row


def _findings(session, audit_id):
    return list(session.scalars(select(AuditFinding).where(AuditFinding.audit_id == audit_id).order_by(AuditFinding.id)))


def create(uow, school: str, data: dict, actor: str | None) -> dict:
    row = Audit(school=school, year=data["year"], kind=data["kind"], title=data["title"], scope=data.get("scope"),
                status="draft", created_by=actor)
    uow.session.add(row)
    uow.session.flush()
    return as_dict(row, [])


def add_finding(uow, school: str, audit_id: int, data: dict, actor: str | None, today: date) -> dict:
    """A finding; with ``lines`` it carries an adjusting entry, posted into the adjusting period."""
    session = uow.session
    audit = _audit(session, audit_id, lock=True)
    if audit.status != "draft":
        raise Conflict("audit_wrong_status", params={"status": audit.status, "action": "add_finding"})
    entry_id = None
    if data.get("lines"):
        day = data.get("entry_date") or today
        lines = tuple(L.Line(l["account"], l.get("debit") or L.ZERO, l.get("credit") or L.ZERO, l.get("memo"))
                      for l in data["lines"])
        entry = L.Entry(school, day, "adjusting", f"审计调整：{data['description']}"[:200], lines,
                        source=f"audit:{audit_id}")
        state = ledger.period_state(session, entry.period)
        if state != "adjusting":
            raise Conflict("adjusting_period_required", fields={"entry_date": ["period_" + state]},
                           params={"period": entry.period, "state": state})
        entry_id = ledger.post(uow, school, entry, actor).id
    finding = AuditFinding(school=school, audit_id=audit_id, severity=data["severity"],
                           description=data["description"], entry_id=entry_id)
    session.add(finding)
    session.flush()
    return as_dict(audit, _findings(session, audit_id))


def submit(uow, school: str, audit_id: int, data: dict, today: date) -> dict:
    """The report goes to the congress (教代会) for approval: ``finance.audit_report_submitted``."""
    session = uow.session
    audit = _audit(session, audit_id, lock=True)
    if audit.status not in ("draft", "rejected"):
        raise Conflict("audit_wrong_status", params={"status": audit.status, "action": "submit"})
    audit.status, audit.summary = "submitted", data["summary"]
    audit.submitted_on = data.get("submitted_on") or today
    findings = _findings(session, audit_id)
    session.flush()
    uow.publish("finance.audit_report_submitted", {
        "audit_id": audit.id, "school": school, "year": audit.year, "title": audit.title, "summary": audit.summary,
        "findings": len(findings), "submitted_on": audit.submitted_on.isoformat()}, school=school)
    return as_dict(audit, findings)


def decided(uow, payload: dict) -> None:
    """The congress decided (``congress.audit_report_decided``); a decision on an audit that is not
    waiting for one (already decided, unknown) changes nothing."""
    session = uow.session
    audit = session.scalar(select(Audit).where(Audit.id == payload["audit_id"]).with_for_update())
    if audit is None or audit.status != "submitted":
        return
    audit.status = payload["decision"]
    decided_on = payload["decided_on"]
    audit.decided_on = date.fromisoformat(decided_on) if isinstance(decided_on, str) else decided_on
    audit.votes = f"{payload['yes']}/{payload['no']}/{payload['abstain']}"
    session.flush()


def file(uow, school: str, audit_id: int, data: dict, today: date) -> dict:
    """备案 with the district's funds review committee: only a report the congress approved."""
    session = uow.session
    audit = _audit(session, audit_id, lock=True)
    if audit.status != "approved":
        raise Conflict("audit_not_approved", params={"status": audit.status})
    audit.status, audit.filed_on = "filed", data.get("filed_on") or today
    session.flush()
    uow.publish("finance.audit_report_filed", {"audit_id": audit.id, "school": school, "year": audit.year,
                                                "filed_on": audit.filed_on.isoformat()}, school=school)
    return as_dict(audit, _findings(session, audit_id))


def get(session, audit_id: int) -> dict:
    audit = _audit(session, audit_id)
    return as_dict(audit, _findings(session, audit_id))


def list_audits(session, year: int | None) -> dict:
    stmt = select(Audit).order_by(Audit.id.desc())
    if year:
        stmt = stmt.where(Audit.year == year)
    return {"items": [as_dict(a) for a in session.scalars(stmt)]}


def filings(session, year: int) -> dict:
    """District view: every known school and whether it filed an approved audit report of ``year``."""
    filed = {}
    for a in session.scalars(select(Audit).where(Audit.year == year, Audit.status == "filed").order_by(Audit.filed_on)):
        filed.setdefault(a.school, a)
    audited = {}
    for a in session.scalars(select(Audit).where(Audit.year == year)):
        audited[a.school] = audited.get(a.school, 0) + 1
    schools = {s.code: s.name for s in session.scalars(select(KnownSchool).where(KnownSchool.active.is_(True)))}
    for code in list(filed) + list(audited):
        schools.setdefault(code, code)
    items = [{"school": code, "name": name, "audits": audited.get(code, 0), "filed": code in filed,
              "audit_id": filed[code].id if code in filed else None,
              "filed_on": filed[code].filed_on.isoformat() if code in filed else None}
             for code, name in sorted(schools.items())]
    return {"year": year, "items": items, "filed": len(filed), "schools": len(items)}
