"""Events published by the finance service (经费管理).

Finance answers every spending request it receives (from welfare, events, or its own officers)
with ``finance.spending_request_updated``; consumers match on ``request_id`` and ``origin``.
"""
from marshmallow import Schema, fields, validate

from shared.contracts import contract, money

ORIGINS = ("welfare", "events", "finance")
REQUEST_STATUSES = ("received", "approved", "rejected", "paid")


# how far each answer has carried a request; what a requester holds before any answer
# ("pending", "requested") is 0. rejected and paid are final.
ANSWER_RANK = {"received": 1, "approved": 2, "rejected": 3, "paid": 3}


def answer_moves_forward(current: str, answer: str) -> bool:
    """Whether finance's ``answer`` moves a request the requester holds in ``current`` forward.
    Answers only ever move a request forward, so a redelivered or late answer (``received``
    after ``approved``) changes nothing; finance never rejects an approved request (it reverses
    a booked spend instead), so a stray ``rejected`` does not undo an approval either."""
    if current in ("rejected", "paid") or (current == "approved" and answer == "rejected"):
        return False
    return ANSWER_RANK[answer] > ANSWER_RANK.get(current, 0)


def statuses_moved_by(answer: str, statuses) -> tuple[str, ...]:
    """Of the requester's ``statuses``, those ``answer`` moves forward (for a conditional UPDATE)."""
    return tuple(current for current in statuses if answer_moves_forward(current, answer))


def request_id(origin: str, key: int) -> str:
    """The platform-wide id of a spending request: ``<origin>:<the requester's own id>``."""
    return f"{origin}:{key}"


def request_key(origin: str, request_id_: str) -> int | None:
    """The requester's own id in ``request_id_``, or None when it is another origin's."""
    prefix, _, rest = str(request_id_).partition(":")
    return int(rest) if prefix == origin and rest.isdigit() else None


@contract("finance.spending_request_updated", 1)
class SpendingRequestUpdatedV1(Schema):
    """经费申请状态: received (recorded, awaiting approval), approved, rejected (with a reason; the
    amount is released) or paid (booked in the ledger)."""
    request_id = fields.String(required=True, metadata={"description": "the requester's id, e.g. welfare:42"})
    origin = fields.String(required=True, validate=validate.OneOf(ORIGINS))
    school = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REQUEST_STATUSES))
    amount = money(required=True)
    budget_category = fields.String(required=True)
    reason = fields.String(allow_none=True, metadata={"description": "why rejected (zh-CN)"})
    reason_code = fields.String(allow_none=True, metadata={"description": "stable code, e.g. over_budget"})
    approval_level = fields.String(allow_none=True, validate=validate.OneOf(("finance_officer", "school_admin", "committee")))
    decided_by = fields.String(allow_none=True)
    entry_id = fields.Integer(allow_none=True, strict=True, metadata={"description": "ledger entry when paid"})
    at = fields.DateTime(required=True)


@contract("finance.audit_report_submitted", 1)
class AuditReportSubmittedV1(Schema):
    """经审会审查报告 submitted to the congress (教代会) for approval."""
    audit_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    year = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    findings = fields.Integer(required=True, strict=True)
    submitted_on = fields.Date(required=True)


@contract("finance.period_closed", 1)
class PeriodClosedV1(Schema):
    """会计期间结账: no posting into ``period`` (YYYY-MM) any more."""
    school = fields.String(required=True)
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    closed_on = fields.Date(required=True)


@contract("finance.audit_report_filed", 1)
class AuditReportFiledV1(Schema):
    """审查报告备案: an approved audit report filed with the district's funds review committee."""
    audit_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    year = fields.Integer(required=True, strict=True)
    filed_on = fields.Date(required=True)
