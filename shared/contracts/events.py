"""Events published by the events service (文体活动与工作计划)."""
from marshmallow import Schema, fields

from shared.contracts import contract, money


@contract("events.expense_requested", 1)
class ExpenseRequestedV1(Schema):
    """活动经费 (expenses and per-person subsidies of an activity) asked of finance.
    Finance answers with ``finance.spending_request_updated`` (origin ``events``, same request_id)."""
    request_id = fields.String(required=True, metadata={"description": "events:<expense id>, unique"})
    expense_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    activity_id = fields.Integer(required=True, strict=True)
    amount = money(required=True)
    budget_category = fields.String(required=True, metadata={"description": "finance spending category code"})
    purpose = fields.String(required=True)
    requested_on = fields.Date(required=True)
