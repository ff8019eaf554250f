"""Marshmallow schemas at the finance edges: the gateway validates with them and builds OpenAPI
from them; the service loads RPC payloads with the same ones. Amounts are ``Money`` strings."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.finance.domain.approval import LEVELS
from services.finance.domain.chart import KINDS
from services.finance.domain.ledger import ENTRY_KINDS
from shared.contracts.finance import ORIGINS, REQUEST_STATUSES
from shared.validation import Money

PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$")
YEAR = validate.Range(min=2000, max=2100)
MANUAL_KINDS = ("journal", "receipt", "payment")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class YearQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)


class LedgerExportQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)
    format = fields.String(load_default="beancount", validate=validate.OneOf(("beancount",)))


class PolicySchema(Strict):
    """经费规则: omit a field to leave it, send null to inherit again."""
    school = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32))
    officer_limit = Money(allow_none=True)
    chair_limit = Money(allow_none=True)
    dues_rate = fields.String(allow_none=True, validate=validate.Regexp(r"^0\.0[0-4]\d{0,3}$|^0\.05$"),
                              metadata={"description": "a decimal string such as \"0.005\" (0.5%), at most 0.05"})
    dues_base_step = Money(allow_none=True)
    dues_rounding = fields.String(allow_none=True, validate=validate.OneOf(("half_up", "down")))


class PolicyQuery(Strict):
    school = fields.String(load_default=None, validate=validate.Length(min=1, max=32))


class AuditListQuery(Strict):
    year = fields.Integer(load_default=None, validate=YEAR)


class PeriodPath(Strict):
    period = fields.String(required=True, validate=PERIOD)


class ReportQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "docx")))


class LineSchema(Strict):
    account = fields.String(required=True, validate=validate.Length(min=1, max=16))
    debit = Money(load_default=None, allow_zero=True)
    credit = Money(load_default=None, allow_zero=True)
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class EntryCreateSchema(Strict):
    """记账凭证: balanced lines; a payment or receipt goes into an open period only."""
    entry_date = fields.Date(required=True)
    kind = fields.String(load_default="journal", validate=validate.OneOf(MANUAL_KINDS))
    memo = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lines = fields.List(fields.Nested(LineSchema), required=True, validate=validate.Length(min=2, max=50))


class EntryListQuery(PageQuery):
    period = fields.String(validate=PERIOD)
    kind = fields.String(validate=validate.OneOf(tuple(ENTRY_KINDS)))


class EntryLineOut(Schema):
    account = fields.String()
    debit = fields.String()
    credit = fields.String()
    memo = fields.String(allow_none=True)


class EntrySchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    period = fields.String()
    entry_date = fields.String()
    kind = fields.String()
    memo = fields.String()
    source = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reversed_by = fields.Integer(allow_none=True)
    hash = fields.String()
    prev_hash = fields.String()
    lines = fields.List(fields.Nested(EntryLineOut))


class EntryListSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class ReverseSchema(Strict):
    entry_date = fields.Date(load_default=None)
    memo = fields.String(load_default=None, validate=validate.Length(max=200))


class PeriodStateSchema(Strict):
    state = fields.String(required=True, validate=validate.OneOf(("adjusting", "closed")))


class ChainReportSchema(Schema):
    school = fields.String()
    valid = fields.Boolean()
    entries = fields.Integer()
    head = fields.String()
    broken_at = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True)


class AccountSchema(Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^\d{4,8}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    category = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[a-z_]{2,32}$"))


class BudgetItemSchema(Strict):
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    amount = Money(required=True, allow_zero=True)


class BudgetSetSchema(Strict):
    items = fields.List(fields.Nested(BudgetItemSchema), required=True, validate=validate.Length(min=1, max=50))


class SpendingCreateSchema(Strict):
    """A spending request entered by a finance officer."""
    request_id = fields.String(load_default=None, validate=validate.Regexp(r"^finance:[\w-]{1,60}$"))
    budget_category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    amount = Money(required=True)
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=200))
    requested_on = fields.Date(load_default=None)


class SpendingListQuery(PageQuery):
    request_id = fields.String(validate=validate.Length(min=1, max=80))
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    origin = fields.String(validate=validate.OneOf(ORIGINS))
    budget_category = fields.String(validate=validate.Length(max=32))


class SpendingSchema(Schema):
    id = fields.Integer()
    request_id = fields.String()
    origin = fields.String()
    budget_category = fields.String()
    category_label = fields.String()
    amount = fields.String()
    purpose = fields.String()
    status = fields.String()
    level_needed = fields.String(validate=validate.OneOf(LEVELS))
    approval_level = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    reason_code = fields.String(allow_none=True)
    entry_id = fields.Integer(allow_none=True)


class SpendingListSchema(Schema):
    items = fields.List(fields.Nested(SpendingSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class ApproveSchema(Strict):
    committee_resolution = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class RequestKey(fields.Field):
    """A request's numeric id or its ``request_id`` string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
            raise ValidationError("invalid_type")
        return value


class BatchApproveSchema(Strict):
    request_ids = fields.List(RequestKey(), required=True, validate=validate.Length(min=1, max=200))
    committee_resolution = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class RejectSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PaySchema(Strict):
    paid_on = fields.Date(load_default=None)
    account = fields.String(load_default="1002", validate=validate.OneOf(("1001", "1002")))


class DuesBaseItem(Strict):
    member_id = fields.Integer(required=True, strict=True)
    wage_base = Money(required=True)


class DuesBasesSchema(Strict):
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    items = fields.List(fields.Nested(DuesBaseItem), required=True, validate=validate.Length(min=1, max=5000))


class DuesScheduleSchema(Strict):
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    first_month = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=12))
    last_month = fields.Integer(load_default=12, strict=True, validate=validate.Range(min=1, max=12))

    @validates_schema
    def _months(self, data, **kwargs):
        if data["first_month"] > data["last_month"]:
            raise ValidationError("out_of_range", "last_month")


class DuesCollectSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    period = fields.String(required=True, validate=PERIOD)
    amount = Money(required=True)
    paid_on = fields.Date(load_default=None)


class ArrearsQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)
    up_to = fields.String(load_default=None, validate=PERIOD)


class AuditCreateSchema(Strict):
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    kind = fields.String(load_default="annual", validate=validate.OneOf(("annual", "internal", "term", "canteen")))
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    scope = fields.String(load_default=None, validate=validate.Length(max=200))


class FindingSchema(Strict):
    severity = fields.String(required=True, validate=validate.OneOf(("info", "minor", "major")))
    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    entry_date = fields.Date(load_default=None)
    lines = fields.List(fields.Nested(LineSchema), load_default=None, validate=validate.Length(min=2, max=20))


class AuditSubmitSchema(Strict):
    summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    submitted_on = fields.Date(load_default=None)


class AuditFileSchema(Strict):
    filed_on = fields.Date(load_default=None)


class DisclosureQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)
    month = fields.Integer(load_default=None, validate=validate.Range(min=1, max=12))
