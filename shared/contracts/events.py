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


@contract("events.activity_scheduled", 1)
class ActivityScheduledV1(Schema):
    """活动发布: a school union scheduled an activity (文体活动)."""
    activity_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    capacity = fields.Integer(allow_none=True, strict=True)
    compulsory = fields.Boolean(required=True)


@contract("events.registration_confirmed", 1)
class RegistrationConfirmedV1(Schema):
    """报名成功: a member holds a confirmed seat (directly, after approval or by taking an offer)."""
    registration_id = fields.Integer(required=True, strict=True)
    activity_id = fields.Integer(required=True, strict=True)
    activity_title = fields.String(required=True)
    kind = fields.String(required=True)
    school = fields.String(required=True)
    member_id = fields.Integer(required=True, strict=True)
    member_name = fields.String(required=True)
    starts_at = fields.DateTime(required=True)
    confirmed_at = fields.DateTime(required=True)


@contract("events.registration_cancelled", 1)
class RegistrationCancelledV1(Schema):
    """取消报名 (or declined, rejected): the member's seat is released and passed on."""
    registration_id = fields.Integer(required=True, strict=True)
    activity_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    member_id = fields.Integer(required=True, strict=True)
    status = fields.String(required=True)
    cancelled_at = fields.DateTime(required=True)


@contract("events.seat_offered", 1)
class SeatOfferedV1(Schema):
    """候补递补: a freed seat is offered to the next on the waiting list until ``offer_expires_at``."""
    registration_id = fields.Integer(required=True, strict=True)
    activity_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    member_id = fields.Integer(required=True, strict=True)
    member_name = fields.String(required=True)
    offer_expires_at = fields.DateTime(required=True)


@contract("events.attendance_recorded", 1)
class AttendanceRecordedV1(Schema):
    """活动结束: attendance is final (no-shows marked)."""
    activity_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    attended = fields.Integer(required=True, strict=True)
    no_show = fields.Integer(required=True, strict=True)
    closed_at = fields.DateTime(required=True)


@contract("events.competition_announced", 1)
class CompetitionAnnouncedV1(Schema):
    """区级比赛发布: the district opened a competition for school entries."""
    competition_id = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    year = fields.Integer(required=True, strict=True)
    held_on = fields.Date(allow_none=True)
    entries_close_on = fields.Date(allow_none=True)


@contract("events.district_task_set", 1)
class DistrictTaskSetV1(Schema):
    """区教育工会年度任务: every school's plan of ``year`` must include it."""
    task_id = fields.Integer(required=True, strict=True)
    year = fields.Integer(required=True, strict=True)
    month = fields.Integer(allow_none=True, strict=True)
    title = fields.String(required=True)


@contract("events.plan_published", 1)
class PlanPublishedV1(Schema):
    """年度工作计划发布."""
    plan_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    year = fields.Integer(required=True, strict=True)
    title = fields.String(required=True)
    items = fields.Integer(required=True, strict=True)
