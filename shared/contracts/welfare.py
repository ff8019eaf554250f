"""Events published by the welfare service (职工福利与关爱)."""
from marshmallow import Schema, fields, validate

from shared.contracts import contract, money


@contract("welfare.payment_requested", 1)
class PaymentRequestedV1(Schema):
    """慰问金、慰问品等 checked against the policy caps and asked of finance to approve and book.
    Finance answers with ``finance.spending_request_updated`` (origin ``welfare``, same request_id)."""
    request_id = fields.String(required=True, metadata={"description": "welfare:<payment id>, unique"})
    payment_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    member_id = fields.Integer(allow_none=True, strict=True)
    kind = fields.String(required=True, metadata={"description": "policy kind, e.g. hospitalisation, birthday"})
    form = fields.String(required=True, validate=validate.OneOf(("money", "goods", "service")))
    amount = money(required=True)
    budget_category = fields.String(required=True, metadata={"description": "finance spending category code"})
    purpose = fields.String(required=True)
    requested_on = fields.Date(required=True)
    # optional, added by welfare: finance may show them, it must not rely on them
    form_detail = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "cash | transfer | shopping_card | goods | service"})
    member_name = fields.String(load_default=None, allow_none=True)
    case_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                             metadata={"description": "the care case (慰问记录) the payment belongs to"})
