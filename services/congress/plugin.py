"""The congress service as a plugin: its routes, events, messages and migrations."""
from services.congress import schemas as s
from services.congress.domain.errors import MESSAGES
from shared.plugins import Plugin, Route

SCHOOL = "/api/v1/schools/{school}/congress"
DISTRICT_PATH = "/api/v1/district/congress"
OFFICERS = frozenset({"congress_officer", "school_admin"})
VOTERS = frozenset({"delegate", "member"})
STAFF = OFFICERS | {"finance_officer", "welfare_officer", "events_officer", "auditor", "district_admin"}
EVERYONE = STAFF | VOTERS
DISTRICT = frozenset({"district_admin"})
SESSION = SCHOOL + "/sessions/{session_id}"
SITTING = SESSION + "/sittings/{sitting_id}"
POLL = SCHOOL + "/polls/{poll_id}"
PROPOSAL = SCHOOL + "/proposals/{proposal_id}"


def _metadata():
    from services.congress.orm import Base
    return Base.metadata


def _seed_demo(runtime, context):
    from services.congress.seed import seed_demo
    return seed_demo(runtime, context)


def r(method, path, summary, summary_en, rpc, roles, **kw):
    return Route(method, path, summary, summary_en, rpc=f"congress.{rpc}", roles=roles,
                 tags=kw.pop("tags", ("congress",)), **kw)


ROUTES = [
    # sessions, agenda, attendance
    r("POST", SCHOOL + "/sessions", "筹备教代会会议（届次、会期、议程）", "Prepare a congress session", "create_session",
      OFFICERS, request=s.SessionCreateSchema, status=201),
    r("GET", SCHOOL + "/sessions", "教代会会议列表", "Congress sessions", "list_sessions", EVERYONE,
      query=s.SessionListQuery),
    r("GET", SESSION, "会议详情（会期、议程）", "A session with its sittings and agenda", "get_session", EVERYONE),
    r("PATCH", SESSION, "修改会议（中心议题、提案征集期；筹备中可改表决规则）",
      "Amend a session (topic, proposal window; rules while being prepared)", "update_session", OFFICERS,
      request=s.SessionUpdateSchema),
    r("POST", SESSION + "/sittings", "增加会期", "Add a sitting (another day of the session)", "add_sitting",
      OFFICERS, request=s.SittingCreateSchema, status=201),
    r("POST", SESSION + "/agenda", "增加议程", "Add an agenda item", "add_agenda_item", OFFICERS,
      request=s.AgendaItemCreateSchema, status=201),
    r("POST", SESSION + "/convene", "宣布开会", "Convene the session", "convene_session", OFFICERS),
    r("POST", SESSION + "/close", "宣布闭幕", "Close the session", "close_session", OFFICERS),
    r("POST", SITTING + "/check-ins", "签到（秘书代签或代表凭签到码）", "Check in to a sitting", "check_in",
      OFFICERS | VOTERS, request=s.CheckInSchema, status=201),
    r("GET", SITTING + "/attendance", "实时到会人数与法定人数", "Live attendance and quorum", "attendance", EVERYONE),
    r("GET", SITTING + "/code", "签到码", "The sitting's check-in code", "sitting_code", OFFICERS),
    # delegates
    r("POST", SCHOOL + "/delegates", "登记当选代表", "Register an elected delegate", "add_delegate", OFFICERS,
      request=s.DelegateCreateSchema, status=201, tags=("congress-delegates",)),
    r("POST", SCHOOL + "/delegates/bulk", "登记当选代表名单", "Register an elected slate of delegates",
      "add_delegates", OFFICERS, request=s.DelegateBulkSchema, status=201, tags=("congress-delegates",)),
    r("GET", SCHOOL + "/delegates", "代表名单（含教师代表比例、缺额；默认本届）",
      "Delegates of a term (default: the current one), teacher share and vacancies",
      "list_delegates", EVERYONE, query=s.DelegateListQuery, tags=("congress-delegates",)),
    # polls
    r("POST", SESSION + "/motions", "提出表决事项（无记名投票）", "Create a motion (secret ballot)", "create_motion",
      OFFICERS, request=s.MotionCreateSchema, status=201, tags=("congress-polls",)),
    r("POST", SESSION + "/elections", "差额选举（代表选举的当选人自动成为代表）",
      "Create an election (elected delegates are enrolled)", "create_election", OFFICERS,
      request=s.ElectionCreateSchema, status=201, tags=("congress-polls",)),
    r("POST", SESSION + "/evaluations", "民主评议 / 述职测评", "Create a rating (four grades)", "create_evaluation",
      OFFICERS, request=s.EvaluationCreateSchema, status=201, tags=("congress-polls",)),
    r("GET", SESSION + "/polls", "本次会议的表决", "Polls of a session", "list_polls", EVERYONE,
      query=s.PollListQuery, tags=("congress-polls",)),
    r("GET", POLL, "表决详情与结果", "A poll and, once closed, its result", "get_poll", EVERYONE,
      tags=("congress-polls",)),
    r("POST", POLL + "/open", "开始投票（须达法定人数）", "Open the poll (quorum required)", "open_poll", OFFICERS,
      request=s.PollOpenSchema, tags=("congress-polls",)),
    r("POST", POLL + "/close", "结束投票并计票", "Close and count", "close_poll", OFFICERS, tags=("congress-polls",)),
    r("POST", POLL + "/ballots", "投票（返回回执码）", "Cast a secret ballot; returns a receipt code", "cast_ballot",
      VOTERS, request=s.BallotCastSchema, response=s.ReceiptSchema, status=201, tags=("congress-polls",),
      replay=False),   # the gateway must not keep "account X sent choice Y" for Idempotency-Key replays
    r("POST", POLL + "/hands", "录入举手表决结果（非无记名）", "Record a show of hands (open vote)", "record_hands",
      OFFICERS, request=s.HandsSchema, tags=("congress-polls",)),
    r("GET", POLL + "/me", "我是否已投票", "Whether I have voted", "my_vote_status", VOTERS,
      tags=("congress-polls",)),
    r("GET", POLL + "/bulletin", "计票公告（回执码与选择）", "Bulletin of receipt codes and choices", "bulletin",
      EVERYONE, query=s.BulletinQuery, tags=("congress-polls",)),
    r("GET", POLL + "/export", "测评结果导出（用于结构工资）", "Export rating results for pay", "evaluation_export",
      OFFICERS, query=s.ExportQuery, produces="file", tags=("congress-polls",)),
    # resolutions
    r("GET", SCHOOL + "/resolutions", "决议登记簿", "Register of resolutions", "list_resolutions", EVERYONE,
      query=s.ResolutionListQuery, tags=("congress-resolutions",)),
    r("PATCH", SCHOOL + "/resolutions/{resolution_id}", "决议文件与执行情况", "Resolution documents and enforcement",
      "update_resolution", OFFICERS, request=s.ResolutionUpdateSchema, tags=("congress-resolutions",)),
    # proposals
    r("POST", SESSION + "/proposals", "提交提案（附议人）", "Submit a proposal with co-signers", "submit_proposal",
      OFFICERS | VOTERS, request=s.ProposalCreateSchema, status=201, tags=("congress-proposals",)),
    r("GET", SESSION + "/proposal-stats", "提案答复率与落实率", "Proposal reply and implementation rates",
      "proposal_stats", EVERYONE, tags=("congress-proposals",)),
    r("GET", SCHOOL + "/proposals", "提案列表（可筛选逾期）", "Proposals", "list_proposals", EVERYONE,
      query=s.ProposalListQuery, tags=("congress-proposals",)),
    r("GET", PROPOSAL, "提案详情与办理记录", "A proposal with its history", "get_proposal", EVERYONE,
      tags=("congress-proposals",)),
    r("POST", PROPOSAL + "/review", "提案审查：立案、转意见建议或不予立案", "Review: register, convert or decline",
      "review_proposal", OFFICERS, request=s.ProposalReviewSchema, tags=("congress-proposals",)),
    r("POST", PROPOSAL + "/assign", "交办承办部门（限期）", "Assign to a department with a due date",
      "assign_proposal", OFFICERS, request=s.ProposalAssignSchema, tags=("congress-proposals",)),
    r("POST", PROPOSAL + "/answer", "提案答复", "Answer a proposal", "answer_proposal", OFFICERS,
      request=s.ProposalAnswerSchema, tags=("congress-proposals",)),
    r("POST", PROPOSAL + "/track", "落实情况（里程碑）", "Implementation status and milestones", "track_proposal",
      OFFICERS, request=s.ProposalTrackSchema, tags=("congress-proposals",)),
    r("POST", PROPOSAL + "/satisfaction", "提案人满意度评价", "The submitter rates the answer", "rate_proposal",
      VOTERS, request=s.ProposalRateSchema, tags=("congress-proposals",)),
    r("POST", SCHOOL + "/proposals/reminders", "发送逾期提醒", "Send overdue reminders", "remind_overdue_proposals",
      OFFICERS, tags=("congress-proposals",)),
    # disclosure and suggestions
    r("POST", SCHOOL + "/disclosures", "发布校务公开（同时报备）", "Publish a disclosure notice (filed at once)",
      "publish_notice", OFFICERS, request=s.NoticeCreateSchema, status=201, tags=("congress-disclosure",)),
    r("GET", SCHOOL + "/disclosures", "校务公开栏", "Disclosure notices", "list_notices", EVERYONE,
      query=s.NoticeListQuery, tags=("congress-disclosure",)),
    r("GET", SCHOOL + "/disclosures/cadence", "每月一公开检查", "Monthly cadence and missing months",
      "disclosure_cadence", EVERYONE, query=s.CadenceQuery, tags=("congress-disclosure",)),
    r("GET", SCHOOL + "/disclosures/{notice_id}", "公开事项详情", "A disclosure notice", "get_notice", EVERYONE,
      tags=("congress-disclosure",)),
    r("POST", SCHOOL + "/suggestions", "意见箱：提交意见", "Suggestion box: submit", "submit_suggestion", VOTERS,
      request=s.SuggestionCreateSchema, status=201, tags=("congress-disclosure",)),
    r("GET", SCHOOL + "/suggestions", "意见箱", "Suggestion box", "list_suggestions", OFFICERS | VOTERS,
      query=s.SuggestionListQuery, tags=("congress-disclosure",)),
    r("POST", SCHOOL + "/suggestions/{suggestion_id}/reply", "答复意见", "Reply to a suggestion", "reply_suggestion",
      OFFICERS, request=s.SuggestionReplySchema, tags=("congress-disclosure",)),
    # meetings and trainings (会议与培训记录)
    r("POST", SCHOOL + "/meetings", "记录会议或培训（筹备会、代表培训、联席会、座谈会、监督小组）",
      "Record a meeting or training", "record_meeting", OFFICERS, request=s.MeetingCreateSchema, status=201,
      tags=("congress-meetings",)),
    r("GET", SCHOOL + "/meetings", "会议与培训记录", "Meetings and trainings", "list_meetings", STAFF,
      query=s.MeetingListQuery, tags=("congress-meetings",)),
    r("GET", SCHOOL + "/meetings/{meeting_id}", "会议记录详情（出席、纪要、意见及落实）",
      "A meeting with attendees, minutes and points raised", "get_meeting", STAFF, tags=("congress-meetings",)),
    r("PATCH", SCHOOL + "/meetings/{meeting_id}", "补记纪要、落实情况或出席名单",
      "Amend a meeting record (minutes, follow-up, attendees)", "update_meeting", OFFICERS,
      request=s.MeetingUpdateSchema, tags=("congress-meetings",)),
    r("GET", SCHOOL + "/trainings", "代表培训情况（未参训代表）", "Delegate training coverage of a term",
      "training_coverage", STAFF, query=s.TrainingQuery, tags=("congress-meetings",)),
    # the congress archive (教代会档案, C30)
    r("GET", SCHOOL + "/archive", "教代会档案目录（本学年会议、培训、公开与缺项）",
      "The school year's congress archive, compiled, with what is missing", "congress_archive", STAFF,
      query=s.ArchiveQuery, tags=("congress-archive",)),
    r("POST", SCHOOL + "/archive/submit", "报送教代会档案", "Submit the school year's congress archive to the district",
      "submit_archive", OFFICERS, request=s.ArchiveSubmitSchema, status=201, tags=("congress-archive",)),
    # documents
    r("GET", SESSION + "/record", "会议记录（DOCX 或 JSON）", "Session record as DOCX or JSON", "session_record",
      STAFF, query=s.RecordQuery, produces="file"),
    # district
    r("GET", DISTRICT_PATH + "/overview", "各校本学年教代会召开情况", "Schools with no session this school year",
      "district_overview", DISTRICT, query=s.YearQuery, tags=("district",)),
    r("GET", DISTRICT_PATH + "/proposal-rates", "各校提案答复率与落实率", "Proposal rates by school",
      "district_proposal_rates", DISTRICT, query=s.YearQuery, tags=("district",)),
    r("GET", DISTRICT_PATH + "/disclosures", "各校校务公开备案", "Disclosures filed by school",
      "district_disclosures", DISTRICT, query=s.DistrictYearQuery, tags=("district",)),
    r("GET", DISTRICT_PATH + "/filings", "校务公开备案材料", "The disclosure notices schools filed",
      "district_filings", DISTRICT, query=s.FilingListQuery, tags=("district",)),
    r("GET", DISTRICT_PATH + "/meetings", "各校会议与代表培训情况", "Meetings and delegate trainings by school",
      "district_meetings", DISTRICT, query=s.DistrictYearQuery, tags=("district",)),
    r("GET", DISTRICT_PATH + "/archives", "各校教代会档案报送情况", "Which schools submitted their congress archive",
      "district_archives", DISTRICT, query=s.DistrictArchiveQuery, tags=("district",)),
]

plugin = Plugin(
    name="congress",
    service="services.congress.service:CongressService",
    migrations="services.congress.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    publishes=["congress.audit_report_decided", "congress.session_convened", "congress.session_closed",
               "congress.delegate_vacated", "congress.motion_decided", "congress.election_decided",
               "congress.evaluation_decided", "congress.proposal_answered", "congress.proposal_overdue",
               "congress.proposal_tracked", "congress.disclosure_published", "congress.delegates_enrolled",
               "congress.poll_opened", "congress.proposal_submitted", "congress.proposal_reviewed",
               "congress.proposal_assigned", "congress.proposal_rated", "congress.suggestion_replied",
               "congress.meeting_recorded", "congress.archive_submitted"],
    routes=ROUTES,
    annual_summary=True,
    seed_demo=_seed_demo,
)
