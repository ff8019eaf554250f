"""Marshmallow schemas at the events edges: the gateway validates HTTP bodies and queries with
them and builds OpenAPI from them; the service loads RPC payloads with the same ones."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.validation import Money

KINDS = ("sport", "culture", "festival", "trip", "reading", "speech", "training", "ethics", "film", "other")
REG_STATUSES = ("registered", "pending_approval", "waitlisted", "offered", "attended", "no_show",
                "cancelled", "declined", "expired", "rejected")
EXPENSE_KINDS = ("expense", "subsidy")
ITEM_STATUSES = ("planned", "in_progress", "done", "cancelled")
YEAR = validate.Range(min=2000, max=2100)
MONTH = validate.Range(min=1, max=12)
POSITIVE = validate.Range(min=1)
ID = validate.Range(min=1, max=2 ** 31 - 1)    # a record number the database can hold


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _window_ok(data, start="starts_at", end="ends_at"):
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ValidationError("ends_before_start", end)


class ActivityFields(Strict):
    title = fields.String(validate=validate.Length(min=1, max=120), metadata={"description": "活动名称"})
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "活动类型"})
    description = fields.String(allow_none=True, validate=validate.Length(max=4000))
    edition = fields.Integer(strict=True, allow_none=True, validate=POSITIVE, metadata={"description": "届次 (第4届)"})
    starts_at = fields.DateTime(metadata={"description": "开始时间"})
    ends_at = fields.DateTime(allow_none=True)
    place = fields.String(allow_none=True, validate=validate.Length(max=120))
    capacity = fields.Integer(strict=True, allow_none=True, validate=POSITIVE, metadata={"description": "名额 (空为不限)"})
    opens_at = fields.DateTime(allow_none=True, metadata={"description": "报名开始"})
    closes_at = fields.DateTime(allow_none=True, metadata={"description": "报名截止"})
    requires_approval = fields.Boolean(metadata={"description": "报名需审核"})
    fee_per_person = Money(allow_none=True, allow_zero=True, metadata={"description": "每人费用 (元)"})
    subsidy_per_person = Money(allow_none=True, allow_zero=True, metadata={"description": "每人补贴 (元)"})
    offer_hours = fields.Integer(strict=True, validate=validate.Range(min=1, max=720),
                                 metadata={"description": "候补递补确认时限 (小时, 默认 48)"})
    compulsory = fields.Boolean(metadata={"description": "必须人人参加"})
    compulsory_group_ids = fields.List(fields.Integer(strict=True, validate=ID), allow_none=True,
                                       metadata={"description": "须参加的工会小组 (空为全部)"})
    survey_open = fields.Boolean(metadata={"description": "意向征询进行中"})

    @validates_schema
    def _order(self, data, **kw):
        _window_ok(data)
        _window_ok(data, "opens_at", "closes_at")


class ActivityCreateSchema(ActivityFields):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    starts_at = fields.DateTime(required=True)


class ActivityUpdateSchema(ActivityFields):
    status = fields.String(validate=validate.OneOf(("open", "cancelled")),
                           metadata={"description": "open | cancelled (an activity is closed by POST .../close)"})


class ActivityListQuery(Strict):
    year = fields.Integer(validate=YEAR)
    month = fields.Integer(validate=MONTH)
    kind = fields.String(validate=validate.OneOf(KINDS))
    page = fields.Integer(load_default=1, validate=POSITIVE)
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class RegisterSchema(Strict):
    member_id = fields.Integer(strict=True, validate=ID,
                               metadata={"description": "会员 (会员本人报名时可省略)"})
    route_id = fields.Integer(strict=True, validate=ID, allow_none=True, metadata={"description": "出游线路"})


class RegistrationListQuery(Strict):
    status = fields.String(validate=validate.OneOf(REG_STATUSES))
    page = fields.Integer(load_default=1, validate=POSITIVE)
    page_size = fields.Integer(load_default=200, validate=validate.Range(min=1, max=2000))


class CheckInSchema(Strict):
    member_id = fields.Integer(required=True, strict=True, validate=ID)


class EmptySchema(Strict):
    pass


class ParticipationQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)


class RouteCreateSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    leader_member_id = fields.Integer(required=True, strict=True, validate=ID,
                                      metadata={"description": "带队委员 (须为在任工会委员)"})
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))


class RouteUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=120))
    leader_member_id = fields.Integer(strict=True, validate=ID, metadata={"description": "带队委员 (须为在任工会委员)"})
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))


class IntentionSchema(Strict):
    member_id = fields.Integer(strict=True, validate=ID)
    joining = fields.Boolean(required=True)
    route_id = fields.Integer(strict=True, validate=ID, allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=200))


class ExpenseCreateSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(EXPENSE_KINDS),
                         metadata={"description": "expense 活动支出 | subsidy 按人补贴 (金额按报名人数计算)"})
    amount = Money(metadata={"description": "金额 (expense 必填)"})
    purpose = fields.String(required=True, validate=validate.Length(min=1, max=200))
    budget_category = fields.String(validate=validate.Length(min=1, max=40),
                                    metadata={"description": "财务支出科目 (默认 staff_activities 职工活动支出)"})

    @validates_schema
    def _amount(self, data, **kw):
        if data.get("kind") == "expense" and data.get("amount") is None:
            raise ValidationError("required", "amount")


class TournamentCreateSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    format = fields.String(required=True, validate=validate.OneOf(("round_robin", "knockout")))
    unit = fields.String(load_default="member", validate=validate.OneOf(("member", "team")))
    activity_id = fields.Integer(strict=True, validate=ID, allow_none=True)
    points_win = fields.Integer(strict=True, load_default=2, validate=validate.Range(min=0, max=10))
    points_draw = fields.Integer(strict=True, load_default=1, validate=validate.Range(min=0, max=10))
    points_loss = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=10))
    allow_draw = fields.Boolean(load_default=False)


class EntrantSchema(Strict):
    name = fields.String(validate=validate.Length(min=1, max=120),
                         metadata={"description": "队名 (会员参赛可省略; 小组队默认为小组名)"})
    member_id = fields.Integer(strict=True, allow_none=True, validate=ID,
                               metadata={"description": "参赛会员 (unit=member)"})
    member_ids = fields.List(fields.Integer(strict=True, validate=ID), validate=validate.Length(max=50),
                             metadata={"description": "队员名单 (unit=team)"})
    group_id = fields.Integer(strict=True, validate=ID, allow_none=True, metadata={"description": "工会小组 (小组队或预赛分组)"})
    pool = fields.String(validate=validate.Length(max=60), metadata={"description": "小组 (默认按工会小组)"})
    seed = fields.Integer(strict=True, allow_none=True, validate=POSITIVE, metadata={"description": "种子序号"})


class EntrantsSchema(Strict):
    entrants = fields.List(fields.Nested(EntrantSchema), validate=validate.Length(min=1, max=500))
    from_activity = fields.Boolean(metadata={"description": "从活动报名名单导入 (按工会小组分组)"})

    @validates_schema
    def _some(self, data, **kw):
        if not data.get("entrants") and not data.get("from_activity"):
            raise ValidationError("required", "entrants")


class DrawSchema(Strict):
    from_tournament_id = fields.Integer(strict=True, validate=ID, allow_none=True,
                                        metadata={"description": "决赛: 从预赛各组前 N 名晋级"})
    draw_seed = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=2 ** 31 - 1),
                               metadata={"description": "抽签随机种子 (省略则随机生成并公布，同一种子得同一签表)"})
    qualifiers_per_pool = fields.Integer(strict=True, load_default=2, validate=validate.Range(min=1, max=16))


class ResultSchema(Strict):
    score_a = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    score_b = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))


class AwardSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=60))
    rank = fields.Integer(strict=True, allow_none=True, validate=POSITIVE)
    entrant_id = fields.Integer(strict=True, validate=ID, allow_none=True)
    member_id = fields.Integer(strict=True, validate=ID, allow_none=True)
    name = fields.String(validate=validate.Length(min=1, max=120))


class CompetitionCreateSchema(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    held_on = fields.Date(allow_none=True)
    place = fields.String(allow_none=True, validate=validate.Length(max=120))
    entries_close_on = fields.Date(allow_none=True)
    max_athletes = fields.Integer(strict=True, allow_none=True, validate=POSITIVE)


class CompetitionEntrySchema(Strict):
    team_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    athlete_ids = fields.List(fields.Integer(strict=True, validate=ID), required=True,
                              validate=validate.Length(min=1, max=100))


class CompetitionResultItem(Strict):
    entry_id = fields.Integer(required=True, strict=True, validate=ID)
    rank = fields.Integer(strict=True, allow_none=True, validate=POSITIVE, metadata={"description": "名次"})
    score = fields.Decimal(places=2, as_string=True, allow_none=True, allow_nan=False,
                           validate=validate.Range(min=0, max=99999999),
                           metadata={"description": "成绩/得分 (两位小数)"})
    award = fields.String(allow_none=True, validate=validate.Length(max=60), metadata={"description": "奖项 (二等奖)"})


class CompetitionResultSchema(Strict):
    results = fields.List(fields.Nested(CompetitionResultItem), required=True, validate=validate.Length(min=1, max=500),
                          metadata={"description": "各参赛队的名次、成绩与奖项"})


class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class YearQuery(PageQuery):
    year = fields.Integer(validate=YEAR)


class TaskCreateSchema(Strict):
    year = fields.Integer(required=True, strict=True, validate=YEAR)
    month = fields.Integer(strict=True, allow_none=True, validate=MONTH)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(allow_none=True, validate=validate.Length(max=40))


class PlanCreateSchema(Strict):
    title = fields.String(validate=validate.Length(min=1, max=200))
    guiding_idea = fields.String(allow_none=True, validate=validate.Length(max=8000))
    copy_from_year = fields.Integer(strict=True, allow_none=True, validate=YEAR,
                                    metadata={"description": "以该年计划为模板"})


class LinkSchema(Strict):
    service = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$"),
                            metadata={"description": "记录所属服务 (congress, finance, welfare, events)"})
    kind = fields.String(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"description": "记录类型，见 GET .../plans/link-kinds"})
    id = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"description": "记录编号"})


class PlanItemSchema(Strict):
    month = fields.Integer(strict=True, validate=MONTH)
    title = fields.String(validate=validate.Length(min=1, max=200))
    owner = fields.String(allow_none=True, validate=validate.Length(max=60))
    category = fields.String(allow_none=True, validate=validate.Length(max=40))
    status = fields.String(validate=validate.OneOf(ITEM_STATUSES))
    district_task_id = fields.Integer(strict=True, validate=ID, allow_none=True)
    link = fields.Nested(LinkSchema, allow_none=True, metadata={"description": "完成该项的记录 {service, kind, id}"})


class PlanItemCreateSchema(PlanItemSchema):
    month = fields.Integer(required=True, strict=True, validate=MONTH)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CalendarQuery(Strict):
    year = fields.Integer(required=True, validate=YEAR)
    month = fields.Integer(validate=MONTH)


class SummaryQuery(Strict):
    format = fields.String(load_default="docx", validate=validate.OneOf(("docx", "json")))


# responses (documentation only: services answer plain dicts)
class ActivitySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    starts_at = fields.DateTime()
    capacity = fields.Integer(allow_none=True)
    seats_taken = fields.Integer()
    waiting = fields.Integer()
    status = fields.String()


class RegistrationSchema(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    member_id = fields.Integer()
    member_name = fields.String()
    status = fields.String()
    status_label = fields.String()
    position = fields.Integer(allow_none=True, metadata={"description": "候补顺位"})
    offer_expires_at = fields.DateTime(allow_none=True)


class ItemsSchema(Schema):
    items = fields.List(fields.Dict())
    total = fields.Integer()
