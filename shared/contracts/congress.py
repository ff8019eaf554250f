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


RULE = {"base": fields.String(required=True), "num": fields.Integer(required=True, strict=True),
        "den": fields.Integer(required=True, strict=True), "strict": fields.Boolean(required=True)}
RuleV1 = Schema.from_dict(RULE, name="RuleV1")


@contract("congress.session_convened", 1)
class SessionConvenedV1(Schema):
    """教代会会议召开 (八届五次): the session is in progress."""
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    term_no = fields.Integer(required=True, strict=True)
    session_no = fields.Integer(required=True, strict=True)
    label = fields.String(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(("delegate_congress", "all_staff_assembly")))
    title = fields.String(required=True)
    central_topic = fields.String(allow_none=True)
    school_year = fields.Integer(required=True, strict=True)
    sitting_dates = fields.List(fields.Date(), required=True)
    delegates = fields.Integer(required=True, strict=True)


@contract("congress.session_closed", 1)
class SessionClosedV1(Schema):
    """教代会会议闭幕."""
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    label = fields.String(required=True)
    school_year = fields.Integer(required=True, strict=True)
    closed_on = fields.Date(required=True)


@contract("congress.delegate_vacated", 1)
class DelegateVacatedV1(Schema):
    """代表出缺: the delegate's member left the union or transferred out."""
    delegate_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    member_id = fields.Integer(required=True, strict=True)
    term_no = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True)
    vacated_on = fields.Date(required=True)


@contract("congress.motion_decided", 1)
class MotionDecidedV1(Schema):
    """表决结果: a secret-ballot motion was closed and counted."""
    poll_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    agenda_item_id = fields.Integer(allow_none=True, strict=True)
    title = fields.String(required=True)
    adopted = fields.Boolean(required=True)
    yes = fields.Integer(required=True, strict=True)
    no = fields.Integer(required=True, strict=True)
    abstain = fields.Integer(required=True, strict=True)
    eligible = fields.Integer(required=True, strict=True)
    present = fields.Integer(required=True, strict=True)
    required = fields.Integer(required=True, strict=True)
    rule = fields.Nested(RuleV1, required=True)
    resolution_id = fields.Integer(allow_none=True, strict=True)
    decided_on = fields.Date(required=True)


class WinnerV1(Schema):
    member_id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    votes = fields.Integer(required=True, strict=True)


@contract("congress.election_decided", 1)
class ElectionDecidedV1(Schema):
    """选举结果: winners so far; ``runoff_poll_id`` names the runoff (另行选举) for tied seats."""
    poll_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    purpose = fields.String(allow_none=True)
    seats = fields.Integer(required=True, strict=True)
    cast = fields.Integer(required=True, strict=True)
    required = fields.Integer(required=True, strict=True)
    winners = fields.List(fields.Nested(WinnerV1), required=True)
    runoff_poll_id = fields.Integer(allow_none=True, strict=True)
    runoff_of = fields.Integer(allow_none=True, strict=True)
    unfilled = fields.Integer(required=True, strict=True)
    term_no = fields.Integer(allow_none=True, strict=True)                 # an election of delegates
    constituency_group_id = fields.Integer(allow_none=True, strict=True)
    decided_on = fields.Date(required=True)


class GradeCountsV1(Schema):
    excellent = fields.Integer(required=True, strict=True)
    competent = fields.Integer(required=True, strict=True)
    basically_competent = fields.Integer(required=True, strict=True)
    incompetent = fields.Integer(required=True, strict=True)


class RatedSubjectV1(Schema):
    id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    post = fields.String(allow_none=True)
    counts = fields.Nested(GradeCountsV1, required=True)
    total = fields.Integer(required=True, strict=True)
    satisfaction_rate = fields.Float(allow_none=True)
    excellent_rate = fields.Float(allow_none=True)


@contract("congress.evaluation_decided", 1)
class EvaluationDecidedV1(Schema):
    """民主评议 / 述职测评 results per person (优秀、称职、基本称职、不称职), for pay (结构工资)."""
    poll_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    purpose = fields.String(allow_none=True)
    cast = fields.Integer(required=True, strict=True)
    subjects = fields.List(fields.Nested(RatedSubjectV1), required=True)
    decided_on = fields.Date(required=True)


@contract("congress.proposal_answered", 1)
class ProposalAnsweredV1(Schema):
    """提案答复: the responsible department answered a proposal."""
    proposal_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    number = fields.Integer(allow_none=True, strict=True)
    title = fields.String(required=True)
    submitter_member_id = fields.Integer(required=True, strict=True)
    department = fields.String(allow_none=True)
    replied_on = fields.Date(required=True)


@contract("congress.proposal_overdue", 1)
class ProposalOverdueV1(Schema):
    """提案逾期未答复: a reminder to the responsible department."""
    proposal_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    department = fields.String(allow_none=True)
    responsible = fields.String(allow_none=True)
    due_on = fields.Date(required=True)
    days_overdue = fields.Integer(required=True, strict=True)


@contract("congress.proposal_tracked", 1)
class ProposalTrackedV1(Schema):
    """提案落实: implementation status changed (in progress, implemented, partly, cannot)."""
    proposal_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    status = fields.String(required=True)
    note = fields.String(allow_none=True)
    on = fields.Date(required=True)


@contract("congress.disclosure_published", 1)
class DisclosurePublishedV1(Schema):
    """校务公开: a notice published to all members and filed with the district (备案) at once."""
    notice_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    category = fields.String(required=True)
    title = fields.String(required=True)
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    published_on = fields.Date(required=True)
    channels = fields.List(fields.String(), required=True)


@contract("congress.meeting_recorded", 1)
class MeetingRecordedV1(Schema):
    """会议与培训记录: a meeting or a delegate training was recorded (counts only: no minutes, no names)."""
    meeting_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    session_id = fields.Integer(allow_none=True, strict=True)
    attendees = fields.Integer(required=True, strict=True)
    headcount = fields.Integer(required=True, strict=True)


@contract("congress.archive_submitted", 1)
class ArchiveSubmittedV1(Schema):
    """教代会档案报送: a school year's congress archive was submitted to the district (counts only)."""
    filing_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    school_year = fields.Integer(required=True, strict=True)
    revision = fields.Integer(required=True, strict=True)
    sessions = fields.Integer(required=True, strict=True)
    meetings = fields.Integer(required=True, strict=True)
    notices = fields.Integer(required=True, strict=True)
    missing = fields.List(fields.String(), required=True)
    submitted_on = fields.Date(required=True)


class EnrolledDelegateV1(Schema):
    delegate_id = fields.Integer(required=True, strict=True)
    member_id = fields.Integer(required=True, strict=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    constituency_group_id = fields.Integer(allow_none=True, strict=True)
    elected_on = fields.Date(required=True)
    fills_vacancy_of = fields.Integer(allow_none=True, strict=True)


@contract("congress.delegates_enrolled", 1)
class DelegatesEnrolledV1(Schema):
    """当选代表: delegates joined a term, registered by the secretary or elected by a poll
    (``poll_id``); ``fills_vacancy_of`` names the vacancy a by-election (补选) filled."""
    school = fields.String(required=True)
    term_no = fields.Integer(required=True, strict=True)
    source = fields.String(required=True, validate=validate.OneOf(("registration", "election")))
    poll_id = fields.Integer(allow_none=True, strict=True)
    delegates = fields.List(fields.Nested(EnrolledDelegateV1), required=True)


@contract("congress.poll_opened", 1)
class PollOpenedV1(Schema):
    """开始投票: a poll opened with quorum; counts only, never who may or did vote."""
    poll_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("motion", "election", "evaluation")))
    title = fields.String(required=True)
    secret = fields.Boolean(required=True)
    sitting_id = fields.Integer(required=True, strict=True)
    eligible = fields.Integer(required=True, strict=True)
    present = fields.Integer(required=True, strict=True)
    opened_on = fields.Date(required=True)


@contract("congress.proposal_submitted", 1)
class ProposalSubmittedV1(Schema):
    """提交提案: a delegate's proposal with its co-signers (附议), waiting for review."""
    proposal_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(allow_none=True)
    submitter_member_id = fields.Integer(required=True, strict=True)
    cosigners = fields.List(fields.Integer(strict=True), required=True)
    submitted_on = fields.Date(required=True)


@contract("congress.proposal_reviewed", 1)
class ProposalReviewedV1(Schema):
    """提案审查: registered (立案, with its number), turned into an opinion or declined with a reason."""
    proposal_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    title = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(("register", "convert", "decline")))
    status = fields.String(required=True)
    number = fields.Integer(allow_none=True, strict=True)
    reason = fields.String(allow_none=True)
    submitter_member_id = fields.Integer(required=True, strict=True)
    reviewed_on = fields.Date(required=True)


@contract("congress.proposal_assigned", 1)
class ProposalAssignedV1(Schema):
    """提案交办: the responsible department (and leader) and the date the reply is due."""
    proposal_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    number = fields.Integer(allow_none=True, strict=True)
    title = fields.String(required=True)
    department = fields.String(required=True)
    responsible = fields.String(allow_none=True)
    due_on = fields.Date(required=True)
    assigned_on = fields.Date(required=True)


@contract("congress.proposal_rated", 1)
class ProposalRatedV1(Schema):
    """提案人评价: satisfied, basically satisfied, or unsatisfied, which reopens the proposal."""
    proposal_id = fields.Integer(required=True, strict=True)
    session_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    satisfaction = fields.String(required=True, validate=validate.OneOf(("satisfied", "basically_satisfied",
                                                                         "unsatisfied")))
    reopened = fields.Boolean(required=True)
    status = fields.String(required=True)
    department = fields.String(allow_none=True)
    rated_on = fields.Date(required=True)


@contract("congress.suggestion_replied", 1)
class SuggestionRepliedV1(Schema):
    """意见箱答复: ``member_id`` is None for an anonymous suggestion."""
    suggestion_id = fields.Integer(required=True, strict=True)
    school = fields.String(required=True)
    member_id = fields.Integer(allow_none=True, strict=True)
    replied_on = fields.Date(required=True)
