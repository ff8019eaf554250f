"""Events published by the congress service (教代会)."""
from marshmallow import Schema, fields, validate

from shared.contracts import contract


@contract("congress.audit_report_decided", 1)
class AuditReportDecidedV1(Schema):
    """教代会 decided on the funds review committee's audit report (``finance.audit_report_submitted``)."""
    audit_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "rejected")))
    session_id = fields.Integer(allow_none=True, strict=True)
    motion_id = fields.Integer(allow_none=True, strict=True)
    yes = fields.Integer(required=True, strict=True)
    no = fields.Integer(required=True, strict=True)
    abstain = fields.Integer(required=True, strict=True)
    decided_on = fields.Date(required=True)
