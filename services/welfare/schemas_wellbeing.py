"""Marshmallow schemas of the routes for women's special protection (四期, W13), the working
conditions and summer sanatorium (W21), rights cases (W22), the women's programme (W23) and staff
health promotion (W24). Every one refuses unknown fields."""
from __future__ import annotations

from marshmallow import fields, validate

from services.welfare.domain import conditions, programmes, protection, rights
from services.welfare.schemas import FORMS, Money, PageQuery, Strict, YearPageQuery

TEXT = validate.Length(max=4000)
YEAR = validate.Range(min=2000, max=2200)


# --- 女职工“四期”保护 ---------------------------------------------------------------------------

class ProtectionCreateSchema(Strict):
    member_id = fields.Integer(required=True, strict=True)
    kind = fields.String(required=True, validate=validate.OneOf(protection.KINDS))
    starts_on = fields.Date()
    expected_end_on = fields.Date(allow_none=True, metadata={"description": "产假 and 哺乳期 default from the settings"})
    measures = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                           validate=validate.Length(max=20), metadata={"description": "保护措施, e.g. 不安排夜班"})
    notes = fields.String(validate=TEXT, allow_none=True)


class ProtectionEndSchema(Strict):
    ended_on = fields.Date()
    notes = fields.String(validate=TEXT, allow_none=True)


class ProtectionQuery(PageQuery):
    member_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(protection.KINDS))
    status = fields.String(validate=validate.OneOf(protection.STATUSES))
    ending_soon = fields.Boolean(load_default=False, metadata={"description": "active, ending within 14 days"})


# --- 维权个案 -----------------------------------------------------------------------------------

class RightsCaseCreateSchema(Strict):
    member_id = fields.Integer(strict=True, allow_none=True,
                               metadata={"description": "omitted: a collective case (岗位设置, 维权建议…)"})
    kind = fields.String(required=True, validate=validate.OneOf(rights.KINDS))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=TEXT, allow_none=True)
    opened_on = fields.Date()


class RightsNoteSchema(Strict):
    kind = fields.String(load_default="note", validate=validate.OneOf(rights.NOTE_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    written_on = fields.Date()


class RightsCloseSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(rights.OUTCOMES))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    closed_on = fields.Date()


class RightsQuery(PageQuery):
    member_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(rights.KINDS))
    status = fields.String(validate=validate.OneOf(rights.STATUSES))
    collective = fields.Boolean(load_default=False)


# --- 工作条件 -----------------------------------------------------------------------------------

class ConditionCreateSchema(Strict):
    category = fields.String(required=True, validate=validate.OneOf(conditions.CATEGORIES))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(validate=TEXT, allow_none=True)
    raised_from = fields.String(validate=validate.Length(max=100), allow_none=True,
                                metadata={"description": "where it came from: 教代会提案, 意见箱, 座谈会…"})
    raised_on = fields.Date()
    year = fields.Integer(validate=YEAR)
    beneficiaries = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100000))


class ConditionProgressSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(conditions.STATUSES[1:]))
    note = fields.String(validate=TEXT, allow_none=True)
    on = fields.Date()
    beneficiaries = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=100000))


class ConditionQuery(YearPageQuery):
    category = fields.String(validate=validate.OneOf(conditions.CATEGORIES))
    status = fields.String(validate=validate.OneOf(conditions.STATUSES))


# --- 关爱项目 -----------------------------------------------------------------------------------

class ProgrammeCreateSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(sorted(programmes.KINDS)))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(allow_none=True)
    year = fields.Integer(validate=YEAR)
    place = fields.String(validate=validate.Length(max=200), allow_none=True)
    places = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100000), metadata={"description": "名额"})
    audience = fields.String(validate=validate.OneOf(programmes.AUDIENCES),
                             metadata={"description": "defaults from the kind: women, in_service…"})
    cost_per_person = Money(allow_none=True, load_default=None,
                            metadata={"description": "疗养费 or 计步器: asked of finance for each participant"})
    form = fields.String(load_default="service", validate=validate.OneOf(FORMS))
    notes = fields.String(validate=TEXT, allow_none=True)


class ParticipantsSchema(Strict):
    member_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=validate.Length(max=2000))
    everyone = fields.Boolean(load_default=False, metadata={"description": "everyone the programme is for"})


class AttendanceSchema(Strict):
    attended = fields.Boolean(required=True)
    on = fields.Date()


class ProgrammeQuery(YearPageQuery):
    area = fields.String(validate=validate.OneOf(programmes.AREAS))
    kind = fields.String(validate=validate.OneOf(sorted(programmes.KINDS)))


class ParticipantQuery(PageQuery):
    attended = fields.Boolean()


# --- 职业幸福指数 -------------------------------------------------------------------------------

class HappinessSurveySchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    year = fields.Integer(validate=YEAR)


class HappinessAnswerSchema(Strict):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10))


class DistrictYearQuery(Strict):
    year = fields.Integer(validate=YEAR)
