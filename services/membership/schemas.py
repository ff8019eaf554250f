"""Marshmallow schemas at the membership edges: the gateway validates HTTP bodies with them and
generates OpenAPI from them; the service loads RPC payloads with the same ones."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

CATEGORIES = ("teacher", "staff", "temporary_teacher", "logistics", "retiree")
IN_SERVICE_CATEGORIES = ("teacher", "staff", "temporary_teacher", "logistics")
STATUSES = ("applicant", "active", "retired", "transferred_out", "left")
SCHOOL_KINDS = ("primary", "secondary", "vocational", "other")
PORTFOLIOS = ("chair", "vice_chair", "women", "funds_review", "organisation", "publicity",
              "culture_sports", "welfare", "other")
LEAVE_REASONS = ("resigned", "deceased", "expelled", "withdrawn", "application_rejected", "other")
SCHOOL_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class SchoolCreateSchema(Strict):
    code = fields.String(required=True, validate=SCHOOL_CODE, metadata={"description": "学校代码 school code"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(SCHOOL_KINDS))
    area = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    staff_headcount = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100000),
                                     metadata={"description": "在职教职工数 eligible staff"})


class SchoolUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    kind = fields.String(validate=validate.OneOf(SCHOOL_KINDS))
    area = fields.String(allow_none=True, validate=validate.Length(max=100))
    staff_headcount = fields.Integer(strict=True, validate=validate.Range(min=0, max=100000))
    active = fields.Boolean()


class SchoolSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    area = fields.String(allow_none=True)
    staff_headcount = fields.Integer()
    active = fields.Boolean()


class SchoolListSchema(Schema):
    items = fields.List(fields.Nested(SchoolSchema))
    total = fields.Integer()


class MemberCreateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=20),
                              metadata={"description": "身份证号 (18 位, 校验位校验)"})
    gender = fields.String(validate=validate.OneOf(("male", "female")), metadata={"description": "默认取自身份证号"})
    birth_date = fields.Date(metadata={"description": "默认取自身份证号"})
    category = fields.String(required=True, validate=validate.OneOf(IN_SERVICE_CATEGORIES + ("retiree",)))
    hire_date = fields.Date(allow_none=True)
    position = fields.String(allow_none=True, validate=validate.Length(max=60))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    union_group_id = fields.Integer(allow_none=True, strict=True)
    join_date = fields.Date(allow_none=True)
    admission = fields.String(load_default="enrolment", validate=validate.OneOf(("enrolment", "application")),
                              metadata={"description": "enrolment 直接入会 | application 入会申请 (待主席审批)"})


class MemberUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=60))
    id_number = fields.String(validate=validate.Length(min=15, max=20))
    gender = fields.String(validate=validate.OneOf(("male", "female")))
    birth_date = fields.Date()
    category = fields.String(validate=validate.OneOf(IN_SERVICE_CATEGORIES))
    hire_date = fields.Date(allow_none=True)
    position = fields.String(allow_none=True, validate=validate.Length(max=60))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    union_group_id = fields.Integer(allow_none=True, strict=True)
    join_date = fields.Date(allow_none=True)


class MemberSchema(Schema):
    id = fields.Integer()
    school = fields.String()
    name = fields.String()
    gender = fields.String()
    birth_date = fields.Date()
    category = fields.String()
    category_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    hire_date = fields.Date(allow_none=True)
    position = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, metadata={"description": "masked unless revealed"})
    id_number = fields.String(metadata={"description": "masked unless revealed (audited)"})
    union_group_id = fields.Integer(allow_none=True)
    union_group = fields.String(allow_none=True)
    join_date = fields.Date(allow_none=True)
    left_reason = fields.String(allow_none=True)
    transferred_to_school = fields.String(allow_none=True)
    version = fields.Integer()


class MemberListSchema(Schema):
    items = fields.List(fields.Nested(MemberSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class MemberListQuery(Strict):
    status = fields.String(validate=validate.OneOf(STATUSES))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    group = fields.Integer(metadata={"description": "union group id"})
    q = fields.String(validate=validate.Length(min=1, max=60), metadata={"description": "姓名搜索 name search"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MemberGetQuery(Strict):
    reveal = fields.String(validate=validate.OneOf(("id_number", "phone", "all")),
                           metadata={"description": "unmask personal data (school admin only; audited)"})


class StatusChangeSchema(Schema):
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    effective_on = fields.Date()
    reason = fields.String(allow_none=True)
    counterpart_school = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)


class MemberHistorySchema(Schema):
    items = fields.List(fields.Nested(StatusChangeSchema))


class TransferSchema(Strict):
    to_school = fields.String(required=True, validate=SCHOOL_CODE)
    transferred_on = fields.Date()


class RetireSchema(Strict):
    retired_on = fields.Date()


class LeaveSchema(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(LEAVE_REASONS))
    note = fields.String(validate=validate.Length(max=150))
    left_on = fields.Date()


class ApproveSchema(Strict):
    approved_on = fields.Date()


class GroupCreateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    leader_member_id = fields.Integer(allow_none=True, strict=True)


class GroupUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=60))
    leader_member_id = fields.Integer(allow_none=True, strict=True)


class GroupSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    leader_member_id = fields.Integer(allow_none=True)
    leader_name = fields.String(allow_none=True)
    members = fields.Integer()


class GroupListSchema(Schema):
    items = fields.List(fields.Nested(GroupSchema))
    total = fields.Integer()


class CommitteeAppointSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    portfolio = fields.String(required=True, validate=validate.OneOf(PORTFOLIOS))
    title = fields.String(allow_none=True, validate=validate.Length(max=60))
    started_on = fields.Date()


class CommitteeEndSchema(Strict):
    ended_on = fields.Date()


class CommitteePositionSchema(Schema):
    id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.String()
    portfolio = fields.String()
    portfolio_label = fields.String()
    title = fields.String(allow_none=True)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)


class CommitteeListSchema(Schema):
    items = fields.List(fields.Nested(CommitteePositionSchema))
    total = fields.Integer()


class BirthdayQuery(Strict):
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))
    milestone = fields.Boolean(load_default=False, metadata={"description": "only every-tenth birthdays"})


class BirthdaySchema(Schema):
    member_id = fields.Integer()
    name = fields.String()
    birth_date = fields.Date()
    age = fields.Integer()
    milestone = fields.Boolean()
    union_group = fields.String(allow_none=True)


class BirthdayListSchema(Schema):
    items = fields.List(fields.Nested(BirthdaySchema))
    total = fields.Integer()


class SchoolStatsSchema(Schema):
    school = fields.String()
    name = fields.String()
    members = fields.Integer(metadata={"description": "in-service members (在职会员)"})
    retirees = fields.Integer()
    eligible_staff = fields.Integer()
    rate = fields.String(allow_none=True, metadata={"description": "入会率, decimal string 0..1"})


class DistrictStatsSchema(Schema):
    schools = fields.List(fields.Nested(SchoolStatsSchema))
    total = fields.Nested(SchoolStatsSchema)


class ImportRowErrorSchema(Schema):
    row = fields.Integer()
    field = fields.String(allow_none=True)
    code = fields.String()
    message = fields.String()


class ImportReportSchema(Schema):
    school = fields.String()
    members_total = fields.Integer(metadata={"description": "members of the school after the import"})
    total_rows = fields.Integer()
    imported = fields.Integer()
    skipped = fields.Integer(metadata={"description": "already members of this school (re-import)"})
    errors = fields.List(fields.Nested(ImportRowErrorSchema))


class PiiReadSchema(Schema):
    member_id = fields.Integer()
    fields_read = fields.String(data_key="fields")
    actor = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    read_at = fields.DateTime()


class PiiReadListSchema(Schema):
    items = fields.List(fields.Nested(PiiReadSchema))
    total = fields.Integer()


class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AnnualSummarySchema(Schema):
    school = fields.String()
    year = fields.Integer()
    items = fields.Dict()
