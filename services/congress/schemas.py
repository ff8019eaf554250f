"""Marshmallow schemas at the congress edges: the gateway validates HTTP bodies and queries with
them and builds OpenAPI from them; the service loads RPC payloads with the same ones."""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.congress.domain.rules import (BASES, ELECTION_PURPOSES, GRADES, MODES, POWERS, PROPOSAL_FLOW,
                                            SATISFACTION, TRACK_STATUSES, school_year_of)


class Strict(Schema):
    class Meta:
        unknown = RAISE


POS = validate.Range(min=1)
TEXT = validate.Length(min=1, max=200)
TERM = validate.Range(min=1, max=99)


class PageQuery(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class RuleSchema(Strict):
    base = fields.String(required=True, validate=validate.OneOf(BASES))
    num = fields.Integer(required=True, strict=True, validate=POS)
    den = fields.Integer(required=True, strict=True, validate=POS)
    strict = fields.Boolean(required=True, metadata={"description": "true: more than the fraction; false: at least"})

    @validates_schema(skip_on_field_errors=False)
    def _fraction(self, data, **_):
        num, den = data.get("num"), data.get("den")
        if isinstance(num, int) and isinstance(den, int) and num > den:
            raise ValidationError("fraction_over_one", "num")


class AgendaItemCreateSchema(Strict):
    title = fields.String(required=True, validate=TEXT)
    power = fields.String(required=True, validate=validate.OneOf(POWERS),
                          metadata={"description": "职权: 听取报告/审议通过/评议监督/建议/决定"})
    presenter = fields.String(validate=validate.Length(max=60))


class SessionCreateSchema(Strict):
    term_no = fields.Integer(required=True, strict=True, validate=TERM, metadata={"description": "届"})
    session_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=99),
                                metadata={"description": "次"})
    mode = fields.String(load_default="delegate_congress", validate=validate.OneOf(MODES))
    title = fields.String(validate=TEXT)
    central_topic = fields.String(validate=validate.Length(max=500), metadata={"description": "中心议题"})
    sitting_dates = fields.List(fields.Date(), required=True, validate=validate.Length(min=1, max=10))
    agenda = fields.List(fields.Nested(AgendaItemCreateSchema), load_default=list)
    quorum_rule = fields.Nested(RuleSchema)
    pass_rule = fields.Nested(RuleSchema)
    election_rule = fields.Nested(RuleSchema)
    min_cosigners = fields.Integer(strict=True, validate=validate.Range(min=0, max=50))
    min_group_size = fields.Integer(strict=True, validate=validate.Range(min=2, max=100))
    proposals_open_on = fields.Date()
    proposals_close_on = fields.Date()

    @validates_schema(skip_on_field_errors=False)
    def _consistent(self, data, **_):
        errors: dict = {}
        dates = data.get("sitting_dates") or []
        if len(set(dates)) != len(dates):
            errors.setdefault("sitting_dates", []).append("duplicate_sitting_date")
        if len({school_year_of(d) for d in dates}) > 1:
            errors.setdefault("sitting_dates", []).append("sittings_span_school_years")
        opens, closes = data.get("proposals_open_on"), data.get("proposals_close_on")
        if opens and closes and closes < opens:
            errors["proposals_close_on"] = ["window_closes_before_it_opens"]
        quorum = data.get("quorum_rule")
        if quorum and quorum.get("base") != "all_delegates":
            errors["quorum_rule.base"] = ["quorum_counts_all_delegates"]   # 法定人数 is of all delegates
        if errors:
            raise ValidationError(errors)


class SessionUpdateSchema(Strict):
    """Omit a field to leave it. The rules change only while the session is being prepared."""
    title = fields.String(validate=TEXT)
    central_topic = fields.String(allow_none=True, validate=validate.Length(max=500))
    proposals_open_on = fields.Date(allow_none=True)
    proposals_close_on = fields.Date(allow_none=True)
    min_cosigners = fields.Integer(strict=True, validate=validate.Range(min=0, max=50))
    quorum_rule = fields.Nested(RuleSchema)
    pass_rule = fields.Nested(RuleSchema)
    election_rule = fields.Nested(RuleSchema)
    min_group_size = fields.Integer(strict=True, validate=validate.Range(min=2, max=100))

    @validates_schema(skip_on_field_errors=False)
    def _quorum(self, data, **_):
        if data.get("quorum_rule") and data["quorum_rule"].get("base") != "all_delegates":
            raise ValidationError({"quorum_rule.base": ["quorum_counts_all_delegates"]})


class SessionListQuery(PageQuery):
    school_year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    term_no = fields.Integer(validate=TERM)
    status = fields.String(validate=validate.OneOf(("planned", "convened", "closed")))


class SittingCreateSchema(Strict):
    date = fields.Date(required=True, metadata={"description": "会期: a further day of the session"})


class DelegateCreateSchema(Strict):
    member_id = fields.Integer(required=True, strict=True, validate=POS)
    term_no = fields.Integer(required=True, strict=True, validate=TERM)
    constituency_group_id = fields.Integer(strict=True, allow_none=True,
                                           metadata={"description": "选区 (union group); default: the member's own"})
    elected_on = fields.Date()


class DelegateListQuery(PageQuery):
    term_no = fields.Integer(validate=TERM, metadata={"description": "default: the current (newest) term"})
    status = fields.String(validate=validate.OneOf(("active", "vacant")))
    constituency_group_id = fields.Integer()


class DelegateBulkSchema(Strict):
    term_no = fields.Integer(required=True, strict=True, validate=TERM)
    member_ids = fields.List(fields.Integer(strict=True, validate=POS), required=True,
                             validate=validate.Length(min=1, max=5000))
    elected_on = fields.Date()


class CheckInSchema(Strict):
    member_id = fields.Integer(strict=True, validate=POS, metadata={"description": "签到 by the secretary"})
    member_ids = fields.List(fields.Integer(strict=True, validate=POS), validate=validate.Length(min=1, max=5000),
                             metadata={"description": "签到表: many at once, by the secretary"})
    code = fields.String(validate=validate.Length(min=1, max=12), metadata={"description": "签到码 by the delegate"})


class MotionCreateSchema(Strict):
    title = fields.String(required=True, validate=TEXT)
    agenda_item_id = fields.Integer(strict=True, allow_none=True)
    rule = fields.Nested(RuleSchema)
    breakdown = fields.Boolean(metadata={"description": "results by constituency (min group size applies)"})
    secret = fields.Boolean(load_default=True, metadata={"description": "false: a show of hands counted by tellers"})


class HandsSchema(Strict):
    yes = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    no = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    abstain = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class CandidateSchema(Strict):
    member_id = fields.Integer(required=True, strict=True, validate=POS)


class ElectionCreateSchema(Strict):
    title = fields.String(required=True, validate=TEXT)
    agenda_item_id = fields.Integer(strict=True, allow_none=True)
    purpose = fields.String(validate=validate.OneOf(ELECTION_PURPOSES),
                            metadata={"description": "delegates: the winners become delegates of `term_no`"})
    term_no = fields.Integer(strict=True, validate=TERM,
                             metadata={"description": "代表选举: the term elected for (the session's or the next)"})
    constituency_group_id = fields.Integer(strict=True, validate=POS,
                                           metadata={"description": "代表选举: the 选区 (union group) that votes"})
    seats = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    max_choices = fields.Integer(strict=True, validate=validate.Range(min=1, max=100))
    candidates = fields.List(fields.Nested(CandidateSchema), required=True, validate=validate.Length(min=2, max=200))
    rule = fields.Nested(RuleSchema)
    breakdown = fields.Boolean()


class SubjectSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    post = fields.String(validate=validate.Length(max=60))
    member_id = fields.Integer(strict=True, allow_none=True)


class EvaluationCreateSchema(Strict):
    title = fields.String(required=True, validate=TEXT)
    agenda_item_id = fields.Integer(strict=True, allow_none=True)
    purpose = fields.String(validate=validate.OneOf(("cadre_rating", "leadership_rating", "ethics_appraisal")))
    subjects = fields.List(fields.Nested(SubjectSchema), required=True, validate=validate.Length(min=1, max=100))
    breakdown = fields.Boolean()


class PollOpenSchema(Strict):
    sitting_id = fields.Integer(strict=True, allow_none=True,
                                metadata={"description": "default: the latest sitting held by today"})


class PollListQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(("motion", "election", "evaluation")))
    status = fields.String(validate=validate.OneOf(("draft", "open", "closed")))


class Choice(fields.Field):
    """yes/no/abstain, a list of candidate ids, or {subject id: grade}."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) or isinstance(value, list) or isinstance(value, dict):
            return value
        raise ValidationError("invalid_choice")


class BallotCastSchema(Strict):
    choice = Choice(required=True, metadata={"description": "motion: yes|no|abstain; election: [candidate ids]; "
                                                            "evaluation: {subject id: " + "|".join(GRADES) + "}"})


class ReceiptSchema(Schema):
    poll_id = fields.Integer()
    receipt = fields.String(metadata={"description": "回执码: check it on the bulletin after close"})


class BulletinQuery(Strict):
    receipt = fields.String(validate=validate.Length(min=4, max=20))


class ResolutionListQuery(PageQuery):
    session_id = fields.Integer()
    enforcement = fields.String(validate=validate.OneOf(("to_implement", "implementing", "implemented")))


class ResolutionDocumentSchema(Strict):
    title = fields.String(required=True, validate=TEXT)
    ref = fields.String(validate=validate.Length(max=500), metadata={"description": "文号, file name or link"})


class ResolutionUpdateSchema(Strict):
    documents = fields.List(fields.Nested(ResolutionDocumentSchema), validate=validate.Length(max=50))
    enforcement = fields.String(validate=validate.OneOf(("to_implement", "implementing", "implemented")))
    enforcement_note = fields.String(validate=validate.Length(max=2000))


# --- proposals -------------------------------------------------------------------------------

class ProposalCreateSchema(Strict):
    title = fields.String(required=True, validate=TEXT)
    content = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    category = fields.String(validate=validate.Length(max=40))
    cosigners = fields.List(fields.Integer(strict=True), load_default=list, metadata={"description": "附议代表 member ids"})
    submitter_member_id = fields.Integer(strict=True, metadata={"description": "officers recording a paper form"})


class ProposalReviewSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("register", "convert", "decline")),
                             metadata={"description": "立案 / 转为意见建议 / 不予立案"})
    reason = fields.String(validate=validate.Length(max=2000))


class ProposalAssignSchema(Strict):
    department = fields.String(required=True, validate=validate.Length(min=1, max=60))
    responsible = fields.String(validate=validate.Length(max=60))
    due_on = fields.Date(required=True)


class ProposalAnswerSchema(Strict):
    reply = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    replied_on = fields.Date()


class ProposalTrackSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(TRACK_STATUSES))
    note = fields.String(validate=validate.Length(max=2000))
    on = fields.Date()


class ProposalRateSchema(Strict):
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION))
    note = fields.String(validate=validate.Length(max=2000))


class ProposalListQuery(PageQuery):
    session_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(tuple(PROPOSAL_FLOW)))
    overdue = fields.Boolean()
    department = fields.String(validate=validate.Length(max=60))
    submitter_member_id = fields.Integer()


# --- disclosure --------------------------------------------------------------------------------

NOTICE_CATEGORIES = ("cadres", "party_members", "annual_appraisal", "promotion", "awards", "construction",
                     "large_expenditure", "fees", "title_evaluation", "training", "staff_welfare",
                     "student_awards", "student_fees", "finance", "other")
CHANNELS = ("internal_board", "external_board", "campus_network", "staff_meeting")


class NoticeCreateSchema(Strict):
    category = fields.String(required=True, validate=validate.OneOf(NOTICE_CATEGORIES))
    title = fields.String(required=True, validate=TEXT)
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=lambda: ["internal_board"])
    published_on = fields.Date()


class NoticeListQuery(PageQuery):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    month = fields.String(validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    category = fields.String(validate=validate.OneOf(NOTICE_CATEGORIES))


class CadenceQuery(Strict):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class SuggestionCreateSchema(Strict):
    content = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    anonymous = fields.Boolean(load_default=False)


class SuggestionListQuery(PageQuery):
    answered = fields.Boolean()


class SuggestionReplySchema(Strict):
    reply = fields.String(required=True, validate=validate.Length(min=1, max=5000))


# --- meetings and trainings (会议与培训记录) ----------------------------------------------------------

MEETING_KINDS = ("preparation", "delegate_training", "joint_meeting", "staff_symposium", "non_party_symposium",
                 "retiree_symposium", "delegation_leaders", "pay_supervision", "disclosure_group", "other")


class MeetingPointSchema(Strict):
    issue = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                          metadata={"description": "意见或问题 (a point raised, a problem the group found)"})
    follow_up = fields.String(allow_none=True, validate=validate.Length(max=1000),
                              metadata={"description": "落实情况 (how it was followed up)"})


class MeetingCreateSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    title = fields.String(required=True, validate=TEXT)
    held_on = fields.Date(required=True)
    place = fields.String(validate=validate.Length(max=200))
    host = fields.String(validate=validate.Length(max=80), metadata={"description": "主持人或主讲人"})
    session_id = fields.Integer(strict=True, validate=POS, allow_none=True,
                                metadata={"description": "the congress session it prepares or follows"})
    attendee_ids = fields.List(fields.Integer(strict=True, validate=POS), validate=validate.Length(max=2000),
                               load_default=list, metadata={"description": "members present (会员编号)"})
    headcount = fields.Integer(strict=True, validate=validate.Range(min=0, max=100000),
                               metadata={"description": "people present, guests included (default: the attendees)"})
    minutes = fields.String(validate=validate.Length(max=50000))
    points = fields.List(fields.Nested(MeetingPointSchema), validate=validate.Length(max=200), load_default=list)


class MeetingUpdateSchema(Strict):
    title = fields.String(validate=TEXT)
    held_on = fields.Date()
    place = fields.String(allow_none=True, validate=validate.Length(max=200))
    host = fields.String(allow_none=True, validate=validate.Length(max=80))
    session_id = fields.Integer(strict=True, validate=POS, allow_none=True)
    attendee_ids = fields.List(fields.Integer(strict=True, validate=POS), validate=validate.Length(max=2000))
    headcount = fields.Integer(strict=True, validate=validate.Range(min=0, max=100000))
    minutes = fields.String(allow_none=True, validate=validate.Length(max=50000))
    points = fields.List(fields.Nested(MeetingPointSchema), validate=validate.Length(max=200))


class MeetingListQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(MEETING_KINDS))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    session_id = fields.Integer(validate=POS)
    member_id = fields.Integer(validate=POS, metadata={"description": "meetings this member attended"})


class TrainingQuery(Strict):
    term_no = fields.Integer(validate=TERM, metadata={"description": "default: the current term"})


class ArchiveQuery(Strict):
    school_year = fields.Integer(validate=validate.Range(min=2000, max=2100),
                                 metadata={"description": "学年, named by the year it starts (default: the current one)"})


class ArchiveSubmitSchema(Strict):
    school_year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))


class DistrictArchiveQuery(ArchiveQuery):
    school = fields.String(validate=validate.Length(min=1, max=32),
                           metadata={"description": "one school, with its filed contents"})


class RecordQuery(Strict):
    format = fields.String(load_default="docx", validate=validate.OneOf(("docx", "json")))


class ExportQuery(Strict):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "json")))


class DistrictYearQuery(Strict):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class FilingListQuery(NoticeListQuery):
    school = fields.String(validate=validate.Length(min=1, max=32))


class YearQuery(Strict):
    school_year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class AnyObject(Schema):
    class Meta:
        unknown = "include"
