"""Events published by the membership service (会员管理).

Payloads carry what other services need to keep their own read models (congress delegates,
welfare birthdays and retirements, events participants) and nothing more: never an ID number or
a phone number.
"""
from marshmallow import Schema, fields, validate

from shared.contracts import contract

CATEGORIES = ("teacher", "staff", "temporary_teacher", "logistics", "retiree")
STATUSES = ("applicant", "active", "retired", "transferred_out", "left")
PORTFOLIOS = ("chair", "vice_chair", "women", "funds_review", "organisation", "publicity", "culture_sports", "welfare",
              "other")


class MemberSnapshotV1(Schema):
    id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    person_key = fields.String(required=True)
    name = fields.String(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(("male", "female")))
    birth_date = fields.Date(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    union_group_id = fields.Integer(allow_none=True, strict=True)
    position = fields.String(allow_none=True)
    hire_date = fields.Date(allow_none=True)
    join_date = fields.Date(allow_none=True)
    version = fields.Integer(strict=True, metadata={"description": "increases with every change; readers keep the newest"})
    union_group = fields.String(allow_none=True)
    id_number_masked = fields.String(metadata={"description": "first 3 and last 4 characters only"})
    phone_masked = fields.String(allow_none=True)
    left_reason = fields.String(allow_none=True)
    transferred_to_school = fields.String(allow_none=True)


@contract("membership.union_group_changed", 1)
class UnionGroupChangedV1(Schema):
    """工会小组 created or changed (name, leader)."""
    id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    name = fields.String(required=True)
    leader_member_id = fields.Integer(allow_none=True, strict=True)
    version = fields.Integer(strict=True)


@contract("membership.committee_changed", 1)
class CommitteeChangedV1(Schema):
    """工会委员会委员分工: a member took a portfolio on the union committee, or the position ended
    (``ended_on`` set). A position ends once and is never reopened, so a reader keeps an ended
    position ended whatever order the events arrive in."""
    position_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    member_id = fields.Integer(required=True, strict=True)
    member_name = fields.String(required=True)
    portfolio = fields.String(required=True, validate=validate.OneOf(PORTFOLIOS))
    title = fields.String(allow_none=True)
    started_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True, required=True)


@contract("membership.school_registered", 1)
class SchoolRegisteredV1(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    area = fields.String(allow_none=True)
    staff_headcount = fields.Integer(required=True, strict=True)


@contract("membership.school_updated", 1)
class SchoolUpdatedV1(SchoolRegisteredV1):
    active = fields.Boolean(required=True)


@contract("membership.member_admitted", 1)
class MemberAdmittedV1(Schema):
    """入会: a member became active (approved application or direct enrolment)."""
    member = fields.Nested(MemberSnapshotV1, required=True)
    admitted_on = fields.Date(required=True)
    via = fields.String(required=True, validate=validate.OneOf(("application", "enrolment", "import", "transfer")))


@contract("membership.member_applied", 1)
class MemberAppliedV1(Schema):
    """入会申请: an application recorded, awaiting the union chair's approval."""
    member = fields.Nested(MemberSnapshotV1, required=True)
    applied_on = fields.Date(required=True)


@contract("membership.member_updated", 1)
class MemberUpdatedV1(Schema):
    member = fields.Nested(MemberSnapshotV1, required=True)
    changed = fields.List(fields.String(), required=True)


@contract("membership.member_transferred", 1)
class MemberTransferredV1(Schema):
    """会员调动: closed at ``from_school``, opened as ``member`` at ``to_school``."""
    member = fields.Nested(MemberSnapshotV1, required=True)
    previous_member = fields.Nested(MemberSnapshotV1, metadata={"description": "the closed membership at from_school"})
    previous_member_id = fields.Integer(required=True, strict=True)
    from_school = fields.String(required=True)
    to_school = fields.String(required=True)
    transferred_on = fields.Date(required=True)


@contract("membership.member_retired", 1)
class MemberRetiredV1(Schema):
    """退休: stays in the union as a retiree (退休会员)."""
    member = fields.Nested(MemberSnapshotV1, required=True)
    retired_on = fields.Date(required=True)


@contract("membership.member_left", 1)
class MemberLeftV1(Schema):
    """退会: the membership ended, with a reason."""
    member = fields.Nested(MemberSnapshotV1, required=True)
    reason = fields.String(required=True)
    left_on = fields.Date(required=True)
