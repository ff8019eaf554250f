"""Marshmallow schemas of the welfare routes (request bodies and queries); every one refuses
unknown fields, and money is ``shared.validation.Money`` (a string, two places, never a float)."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import RAISE, Schema, fields, validate

from services.welfare.domain import hardship as hardship_model
from services.welfare.domain import policy as policy_model
from shared.validation import Money as _Money

KINDS = sorted(policy_model.KINDS)
FORMS = sorted(policy_model.FORMS)
NAME = validate.Length(min=1, max=60)
MAX_AMOUNT = Decimal("9999999999.99")     # what the NUMERIC(12, 2) columns hold


def Money(**kwargs):  # noqa: N802 (a field, read as a class)
    """``shared.validation.Money`` within what the database stores (a larger amount is a field
    error, never a database failure)."""
    return _Money(validate=validate.Range(max=MAX_AMOUNT), **kwargs)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CaseReadQuery(PageQuery):
    record = fields.String(validate=validate.OneOf(("care_case", "protection", "rights_case")),
                           metadata={"description": "care_case 慰问, protection 四期, rights_case 维权个案"})
    actor = fields.String(validate=validate.Length(max=64))


# --- 政策 ---------------------------------------------------------------------------------------

class PolicyRuleSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    per_event = Money(allow_none=True, load_default=None)
    per_member_year = Money(allow_none=True, load_default=None)
    times_per_year = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, max=366))


def _unique_kinds(rules):
    kinds = [r["kind"] for r in rules]
    if len(kinds) != len(set(kinds)):
        from marshmallow import ValidationError
        raise ValidationError("invalid")


class PolicySetSchema(Strict):
    """The whole table at once: rows for the kinds that have caps, and the forbidden forms."""
    rules = fields.List(fields.Nested(PolicyRuleSchema), required=True, validate=_unique_kinds)
    forbidden_forms = fields.List(fields.String(validate=validate.OneOf(FORMS)), load_default=list)


class TiersSchema(Strict):
    university = Money()
    vocational_college = Money()
    senior_high = Money()


class RetirementAgeSchema(Strict):
    male = fields.Integer(validate=validate.Range(min=45, max=70))
    female = fields.Integer(validate=validate.Range(min=45, max=70))


class ProtectionDaysSchema(Strict):
    maternity = fields.Integer(validate=validate.Range(min=1, max=365), metadata={"description": "产假 days"})
    breastfeeding = fields.Integer(validate=validate.Range(min=1, max=730), metadata={"description": "哺乳期 days"})


class DistrictSettingsSchema(Strict):
    retirement_age = fields.Nested(RetirementAgeSchema)
    student_aid_tiers = fields.Nested(TiersSchema)
    hardship_notice_days = fields.Integer(validate=validate.Range(min=1, max=60))
    protection_days = fields.Nested(ProtectionDaysSchema)
    happiness_min_responses = fields.Integer(validate=validate.Range(min=1, max=100))


class DistrictPolicySetSchema(PolicySetSchema):
    settings = fields.Nested(DistrictSettingsSchema, allow_none=True, load_default=None)


# --- 慰问 ---------------------------------------------------------------------------------------

class CareKindCreateSchema(Strict):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$"))
    label = fields.String(required=True, validate=NAME)
    must_visit = fields.Boolean(load_default=True)
    payment_kind = fields.String(load_default="other", validate=validate.OneOf(KINDS))


class CareCaseCreateSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=32))
    occurred_on = fields.Date()
    description = fields.String(validate=validate.Length(max=2000), allow_none=True)


class CareCaseQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(("open", "visited", "closed")))
    kind = fields.String(validate=validate.Length(max=32))
    member_id = fields.Integer()
    owed = fields.Boolean(load_default=False, metadata={"description": "must-visit cases with no visit yet (应访未访)"})


class VisitPaymentSchema(Strict):
    amount = Money(required=True)
    form = fields.String(required=True, validate=validate.OneOf(FORMS))
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "defaults from the case's kind"})
    purpose = fields.String(validate=validate.Length(min=1, max=200))
    hardship_file_id = fields.Integer(strict=True)


class CareVisitCreateSchema(Strict):
    visited_on = fields.Date()
    visitors = fields.List(fields.String(validate=NAME), required=True, validate=validate.Length(min=1, max=20))
    leaders = fields.List(fields.String(validate=NAME), load_default=list, metadata={"description": "校领导"})
    gifts = fields.String(validate=validate.Length(max=200), allow_none=True)
    notes = fields.String(validate=validate.Length(max=2000), allow_none=True)
    payment = fields.Nested(VisitPaymentSchema, allow_none=True)


class CloseSchema(Strict):
    closed_on = fields.Date()


# --- 支付 ---------------------------------------------------------------------------------------

class PaymentCreateSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    form = fields.String(required=True, validate=validate.OneOf(FORMS))
    amount = Money(required=True)
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=200))
    case_id = fields.Integer(strict=True)
    hardship_file_id = fields.Integer(strict=True)


class PaymentBatchSchema(Strict):
    payments = fields.List(fields.Nested(PaymentCreateSchema), required=True, validate=validate.Length(min=1, max=1000))


class PaymentQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(("pending", "received", "approved", "rejected", "paid")))
    kind = fields.String(validate=validate.OneOf(KINDS))
    member_id = fields.Integer()
    year = fields.Integer(validate=validate.Range(min=2000, max=2200))


class YearQuery(Strict):
    year = fields.Integer(validate=validate.Range(min=2000, max=2200))


class YearPageQuery(PageQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2200))


class MutualAidQuery(YearPageQuery):
    member_id = fields.Integer(metadata={"description": "a member sees only their own"})


# --- 困难职工档案 --------------------------------------------------------------------------------

class HardshipApplySchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    household = fields.List(fields.Integer(strict=True), load_default=list,
                            metadata={"description": "other members of the same household"})
    category = fields.String(required=True, validate=validate.OneOf(hardship_model.CATEGORIES))
    situation = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    applied_on = fields.Date()


class HardshipStepSchema(Strict):
    on = fields.Date()
    notes = fields.String(validate=validate.Length(max=4000), allow_none=True)


class HardshipNoticeSchema(Strict):
    starts_on = fields.Date()
    days = fields.Integer(validate=validate.Range(min=1, max=60),
                          metadata={"description": "公示天数; the district's setting when omitted"})


class HardshipObjectionSchema(Strict):
    content = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    received_on = fields.Date()


class HardshipResolveSchema(Strict):
    resolution = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    upheld = fields.Boolean(required=True, metadata={"description": "true: the objection stands and the file is rejected"})
    resolved_on = fields.Date()


class HardshipRejectSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))


class HardshipPairSchema(Strict):
    leader_name = fields.String(required=True, validate=NAME)
    leader_member_id = fields.Integer(strict=True, allow_none=True)


class HardshipRecheckSchema(Strict):
    still_eligible = fields.Boolean(required=True)
    notes = fields.String(validate=validate.Length(max=2000), allow_none=True)
    checked_on = fields.Date()


class HardshipCloseSchema(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(hardship_model.CLOSE_REASONS))
    closed_on = fields.Date()


class HardshipQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(hardship_model.OPEN + ("rejected", "closed")))
    recheck_due = fields.Boolean(load_default=False)


# --- 生日 ---------------------------------------------------------------------------------------

class BirthdayQuery(PageQuery):
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    year = fields.Integer(validate=validate.Range(min=2000, max=2200))
    milestone = fields.Boolean(load_default=False)


class BirthdayDeliverySchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    delivered_on = fields.Date()
    items = fields.List(fields.String(validate=validate.OneOf(("cake", "card", "gift", "flowers"))),
                        load_default=lambda: ["cake", "card"], validate=validate.Length(min=1))
    amount = Money(allow_none=True, load_default=None, metadata={"description": "counted against the birthday cap"})
    form = fields.String(load_default="goods", validate=validate.OneOf(FORMS))


# --- 健康 ---------------------------------------------------------------------------------------

class HealthCampaignSchema(Strict):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))
    kind = fields.String(required=True, validate=validate.OneOf(("annual", "retiree", "women")))
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    check_on = fields.Date(allow_none=True)
    place = fields.String(validate=validate.Length(max=100), allow_none=True)


class HealthBookingSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    slot_on = fields.Date(allow_none=True)


class HealthCampaignQuery(YearPageQuery):
    kind = fields.String(validate=validate.OneOf(("annual", "retiree", "women")))


class BookingQuery(PageQuery):
    follow_up = fields.Boolean(load_default=False, metadata={"description": "only bookings flagged for follow-up"})


class HealthResultSchema(Strict):
    attended = fields.Boolean(required=True)
    follow_up = fields.Boolean(load_default=False)
    follow_up_note = fields.String(validate=validate.Length(max=300), allow_none=True)


# --- 互助保障 -----------------------------------------------------------------------------------

class EnrolSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))
    plan = fields.String(load_default="hospitalisation",
                         validate=validate.OneOf(("hospitalisation", "critical_illness", "women_special", "accident")))
    enrolled_on = fields.Date()


class ClaimSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))
    reason = fields.String(required=True, validate=validate.OneOf(("hospitalisation", "critical_illness",
                                                                    "women_special", "accident")))
    amount = Money(required=True)
    documents = fields.List(fields.String(validate=validate.Length(min=1, max=120)), required=True,
                            validate=validate.Length(min=1))


class ClaimDecisionSchema(Strict):
    approve = fields.Boolean(required=True)
    note = fields.String(validate=validate.Length(max=300), allow_none=True)
    form = fields.String(load_default="transfer", validate=validate.OneOf(FORMS))


# --- 送温暖 -------------------------------------------------------------------------------------

class CampaignSchema(Strict):
    festival = fields.String(required=True, validate=validate.OneOf(
        ("spring_festival", "mid_autumn", "womens_day", "teachers_day", "childrens_day", "double_ninth",
         "toiletries", "other")), metadata={"description": "toiletries: 洗理用品发放, a routine handout"})
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    gift = fields.String(validate=validate.Length(max=200), allow_none=True)
    amount = Money(allow_none=True, load_default=None, metadata={"description": "per recipient"})
    form = fields.String(load_default="goods", validate=validate.OneOf(FORMS))
    payment_kind = fields.String(load_default="holiday_gift", validate=validate.OneOf(("holiday_gift", "warmth")))


class RecipientsSchema(Strict):
    groups = fields.List(fields.String(validate=validate.OneOf(("sick", "hardship", "retirees", "women", "all"))),
                         load_default=list)
    member_ids = fields.List(fields.Integer(strict=True), load_default=list)


class CampaignQuery(YearPageQuery):
    festival = fields.String(validate=validate.OneOf(
        ("spring_festival", "mid_autumn", "womens_day", "teachers_day", "childrens_day", "double_ninth", "toiletries",
         "other")))


class RecipientQuery(PageQuery):
    delivered = fields.Boolean(metadata={"description": "true: delivered; false: still to deliver"})


class DeliverSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    delivered_on = fields.Date()


# --- 退休 / 助学 ---------------------------------------------------------------------------------

class RetireeQuery(PageQuery):
    within_years = fields.Integer(load_default=3, validate=validate.Range(min=1, max=10))


RETIREE_CARE_KINDS = ("pre_retirement_visit", "symposium", "festival_invitation", "outing", "farewell", "visit", "other")


class RetireeCareQuery(PageQuery):
    member_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(RETIREE_CARE_KINDS))


class RetireeCareSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(RETIREE_CARE_KINDS))
    happened_on = fields.Date()
    leaders = fields.List(fields.String(validate=NAME), load_default=list)
    notes = fields.String(validate=validate.Length(max=2000), allow_none=True)


class StudentAidSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    student_name = fields.String(required=True, validate=NAME)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2200))
    stage = fields.String(required=True, validate=validate.OneOf(("university", "vocational_college", "senior_high")))
    funded_elsewhere = fields.Boolean(load_default=False, metadata={"description": "already funded by another scheme"})
    form = fields.String(load_default="transfer", validate=validate.OneOf(FORMS))
