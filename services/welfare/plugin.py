"""The welfare service as a plugin: its routes, events, messages and migrations."""
from services.welfare import schemas as s
from services.welfare import schemas_wellbeing as sw
from services.welfare.domain.errors import MESSAGES
from shared.plugins import Plugin, Route

SCHOOL = "/api/v1/schools/{school}/welfare"
DISTRICT_PATH = "/api/v1/district/welfare"
DISTRICT = frozenset({"district_admin"})
OFFICERS = frozenset({"welfare_officer", "school_admin"})        # see case details (生活福利委员, 工会主席)
READ = OFFICERS | {"finance_officer", "auditor"}                 # payments and figures, no case details
MEMBERS = frozenset({"member", "delegate"})
EVERYONE = OFFICERS | {"finance_officer", "congress_officer", "events_officer", "auditor"} | MEMBERS
MEMBER = SCHOOL + "/members/{member_id}"


def _metadata():
    from services.welfare.orm import Base
    return Base.metadata


def _seed_demo(runtime, context):
    from services.welfare.seed import seed_demo
    return seed_demo(runtime, context)


def r(method, path, summary, summary_en, rpc, roles, tag, **kw):
    return Route(method, path, summary, summary_en, rpc=f"welfare.{rpc}", roles=roles, tags=(f"welfare:{tag}",), **kw)


ROUTES = [
    # 福利政策
    r("GET", DISTRICT_PATH + "/policy", "区福利政策标准", "District welfare policy", "district_policy", DISTRICT, "policy"),
    r("PUT", DISTRICT_PATH + "/policy", "设置区福利政策标准（上限、禁止形式）", "Set the district welfare policy",
      "set_district_policy", DISTRICT, "policy", request=s.DistrictPolicySetSchema),
    r("GET", SCHOOL + "/policy", "本校执行的福利标准", "The school's effective policy", "school_policy", EVERYONE, "policy"),
    r("PUT", SCHOOL + "/policy", "学校收紧福利标准", "Narrow the policy for the school", "set_school_policy",
      frozenset({"school_admin"}), "policy", request=s.PolicySetSchema),
    # 慰问
    r("GET", SCHOOL + "/care-kinds", "慰问事由（五必访及学校自定义）", "Care-case kinds", "care_kinds", EVERYONE, "care"),
    r("POST", SCHOOL + "/care-kinds", "新增慰问事由", "Add a care-case kind", "add_care_kind", OFFICERS, "care",
      request=s.CareKindCreateSchema, status=201),
    r("POST", SCHOOL + "/cases", "登记慰问事由（本人或委员申报）", "Report a life event", "open_case", OFFICERS | MEMBERS,
      "care", request=s.CareCaseCreateSchema, status=201),
    r("GET", SCHOOL + "/cases", "慰问记录（委员查看留痕；会员仅本人）", "Care cases", "list_cases", OFFICERS | MEMBERS, "care",
      query=s.CareCaseQuery),
    r("GET", SCHOOL + "/cases/{case_id}", "慰问记录详情（查阅留痕）", "A care case (read is audited)", "get_case",
      OFFICERS | MEMBERS, "care"),
    r("POST", SCHOOL + "/cases/{case_id}/visits", "登记走访慰问（含慰问金/慰问品）", "Record a visit", "record_visit",
      OFFICERS, "care", request=s.CareVisitCreateSchema, status=201),
    r("POST", SCHOOL + "/cases/{case_id}/close", "慰问结案", "Close a case", "close_case", OFFICERS, "care",
      request=s.CloseSchema),
    r("GET", MEMBER + "/cases", "会员本人的慰问记录", "A member's care cases", "member_cases", OFFICERS, "care",
      self_roles=MEMBERS, query=s.CareCaseQuery),
    r("GET", SCHOOL + "/audit/case-reads", "慰问记录查阅留痕", "Audit of care-case reads", "case_reads",
      frozenset({"school_admin"}), "care", query=s.CaseReadQuery),
    # 支付申请
    r("POST", SCHOOL + "/payments", "福利支付申请（先核对政策标准，再报财务）", "Request a payment (checked against the caps)",
      "request_payment", OFFICERS, "payments", request=s.PaymentCreateSchema, status=201),
    r("POST", SCHOOL + "/payments/batch", "批量支付申请（逐笔核对标准，超标的逐笔说明）",
      "Request many payments, each checked against the caps", "request_payments", OFFICERS, "payments",
      request=s.PaymentBatchSchema, timeout=60),
    r("GET", SCHOOL + "/payments", "支付申请及财务答复", "Payments and finance's answers", "list_payments", READ, "payments",
      query=s.PaymentQuery),
    r("GET", SCHOOL + "/payments/{payment_id}", "支付申请详情", "A payment", "get_payment", READ | MEMBERS, "payments"),
    r("GET", MEMBER + "/caps", "会员本年度福利额度使用情况", "A member's use of the caps", "member_caps", READ, "payments",
      self_roles=MEMBERS, query=s.YearQuery),
    # 困难职工档案
    r("POST", SCHOOL + "/hardship-files", "困难职工建档申请", "Apply for a hardship file", "apply_hardship",
      OFFICERS | MEMBERS, "hardship", request=s.HardshipApplySchema, status=201),
    r("GET", SCHOOL + "/hardship-files", "困难职工档案（含年度复核到期）", "Hardship files", "list_hardship", OFFICERS,
      "hardship", query=s.HardshipQuery),
    r("GET", SCHOOL + "/hardship-files/{file_id}", "困难职工档案详情", "A hardship file", "get_hardship",
      OFFICERS | MEMBERS, "hardship"),
    r("POST", SCHOOL + "/hardship-files/{file_id}/home-visit", "入户走访", "Record the home visit", "hardship_home_visit",
      OFFICERS, "hardship", request=s.HardshipStepSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/verify", "核实", "Verify", "hardship_verify", OFFICERS, "hardship",
      request=s.HardshipStepSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/notice", "开始公示", "Start the public notice", "hardship_start_notice",
      OFFICERS, "hardship", request=s.HardshipNoticeSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/objections", "登记公示异议", "Record an objection", "hardship_object",
      OFFICERS, "hardship", request=s.HardshipObjectionSchema, status=201),
    r("POST", SCHOOL + "/hardship-files/{file_id}/objections/{objection_id}/resolve", "处理公示异议",
      "Resolve an objection", "hardship_resolve_objection", OFFICERS, "hardship", request=s.HardshipResolveSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/approve", "批准认定（须公示期满且异议已处理）",
      "Approve (after a completed notice)", "hardship_approve", frozenset({"school_admin"}), "hardship",
      request=s.HardshipStepSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/reject", "不予认定", "Reject", "hardship_reject", OFFICERS, "hardship",
      request=s.HardshipRejectSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/leader", "结对帮扶领导", "Pair a leader with the household",
      "hardship_pair_leader", OFFICERS, "hardship", request=s.HardshipPairSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/recheck", "年度复核", "Yearly re-check", "hardship_recheck", OFFICERS,
      "hardship", request=s.HardshipRecheckSchema),
    r("POST", SCHOOL + "/hardship-files/{file_id}/close", "档案注销（脱困、退休、调离、去世）", "Close a file",
      "hardship_close", OFFICERS, "hardship", request=s.HardshipCloseSchema),
    # 生日
    r("GET", SCHOOL + "/birthdays", "本月生日名单（逢十生日、是否已送）", "Birthday list of a month", "birthdays", OFFICERS,
      "birthdays", query=s.BirthdayQuery),
    r("POST", SCHOOL + "/birthdays/deliveries", "登记生日蛋糕和贺卡送达", "Log a birthday delivery", "deliver_birthday",
      OFFICERS, "birthdays", request=s.BirthdayDeliverySchema, status=201),
    r("GET", SCHOOL + "/birthdays/deliveries", "生日送达记录", "Birthday delivery log", "birthday_deliveries", OFFICERS,
      "birthdays", query=s.YearPageQuery),
    # 健康
    r("POST", SCHOOL + "/health/campaigns", "新建体检活动（在职、退休、妇检）", "Create a health-check campaign",
      "create_health_campaign", OFFICERS, "health", request=s.HealthCampaignSchema, status=201),
    r("GET", SCHOOL + "/health/campaigns", "体检活动", "Health-check campaigns", "health_campaigns", EVERYONE, "health",
      query=s.HealthCampaignQuery),
    r("POST", SCHOOL + "/health/campaigns/{campaign_id}/bookings", "体检预约", "Book a check", "book_health_check",
      OFFICERS | MEMBERS, "health", request=s.HealthBookingSchema, status=201),
    r("GET", SCHOOL + "/health/campaigns/{campaign_id}/bookings", "体检名单（可筛选需跟进）", "Bookings",
      "health_bookings", OFFICERS, "health", query=s.BookingQuery),
    r("POST", SCHOOL + "/health/campaigns/{campaign_id}/bookings/{booking_id}/result", "登记到检与跟进",
      "Record attendance and follow-up", "record_health_result", OFFICERS, "health", request=s.HealthResultSchema),
    # 互助保障
    r("POST", SCHOOL + "/mutual-aid/enrolments", "互助保障年度参保", "Enrol for the year", "enrol_mutual_aid", OFFICERS,
      "mutual_aid", request=s.EnrolSchema, status=201),
    r("GET", SCHOOL + "/mutual-aid", "互助保障参保与理赔（会员仅本人）", "Enrolments and claims", "mutual_aid",
      OFFICERS | MEMBERS, "mutual_aid", query=s.MutualAidQuery),
    r("POST", SCHOOL + "/mutual-aid/claims", "提交理赔（附材料）", "Submit a claim", "submit_claim", OFFICERS | MEMBERS,
      "mutual_aid", request=s.ClaimSchema, status=201),
    r("POST", SCHOOL + "/mutual-aid/claims/{claim_id}/decision", "理赔审核（批准即报财务）", "Decide a claim",
      "decide_claim", OFFICERS, "mutual_aid", request=s.ClaimDecisionSchema),
    # 送温暖
    r("POST", SCHOOL + "/outreach/campaigns", "新建送温暖/节日慰问活动", "Create a festival outreach campaign",
      "create_campaign", OFFICERS, "outreach", request=s.CampaignSchema, status=201),
    r("GET", SCHOOL + "/outreach/campaigns", "送温暖活动", "Outreach campaigns", "campaigns", OFFICERS, "outreach",
      query=s.CampaignQuery),
    r("POST", SCHOOL + "/outreach/campaigns/{campaign_id}/recipients", "生成慰问名单（患病、困难、退休、女职工）",
      "Add recipients", "add_recipients", OFFICERS, "outreach", request=s.RecipientsSchema),
    r("GET", SCHOOL + "/outreach/campaigns/{campaign_id}/recipients", "慰问名单", "Recipients", "campaign_recipients",
      OFFICERS, "outreach", query=s.RecipientQuery),
    r("POST", SCHOOL + "/outreach/campaigns/{campaign_id}/deliveries", "登记慰问品送达", "Deliver a gift", "deliver_gift",
      OFFICERS, "outreach", request=s.DeliverSchema, status=201),
    # 退休职工
    r("GET", SCHOOL + "/retirees/upcoming", "三年内退休教职工（临退休家访）", "Members retiring soon", "upcoming_retirees",
      OFFICERS, "retirees", query=s.RetireeQuery),
    r("POST", SCHOOL + "/retirees/care", "登记退管工作/临退休家访", "Record retiree care", "record_retiree_care", OFFICERS,
      "retirees", request=s.RetireeCareSchema, status=201),
    r("GET", SCHOOL + "/retirees/care", "退管工作记录", "Retiree care records", "retiree_care_records", OFFICERS,
      "retirees", query=s.RetireeCareQuery),
    # 金秋助学
    r("POST", SCHOOL + "/student-aid", "金秋助学资助（按档次，不重复资助）", "Award student aid", "award_student_aid",
      OFFICERS, "student_aid", request=s.StudentAidSchema, status=201),
    r("GET", SCHOOL + "/student-aid", "金秋助学名单", "Student aid of a year", "student_aid", OFFICERS, "student_aid",
      query=s.YearPageQuery),
    # 女职工“四期”保护 (W13): officers, the chair and the woman herself
    r("GET", SCHOOL + "/protection-kinds", "“四期”及常见保护措施", "The four periods and usual measures", "protection_kinds",
      EVERYONE, "protection"),
    r("POST", SCHOOL + "/protection-periods", "登记女职工“四期”保护（委员或本人）", "Record a protection period",
      "record_protection", OFFICERS | MEMBERS, "protection", request=sw.ProtectionCreateSchema, status=201),
    r("GET", SCHOOL + "/protection-periods", "“四期”保护记录（查阅留痕；会员仅本人）", "Protection periods (reads audited)",
      "protection_periods", OFFICERS | MEMBERS, "protection", query=sw.ProtectionQuery),
    r("GET", SCHOOL + "/protection-periods/{period_id}", "“四期”保护记录详情（查阅留痕）", "A protection period",
      "get_protection", OFFICERS | MEMBERS, "protection"),
    r("POST", SCHOOL + "/protection-periods/{period_id}/end", "结束保护期（返岗）", "End a protection period",
      "end_protection", OFFICERS | MEMBERS, "protection", request=sw.ProtectionEndSchema),
    # 维权个案 (W22): confidential case notes
    r("POST", SCHOOL + "/rights-cases", "登记维权个案（岗位设置、聘任、转岗、落聘、内退、争议、维权建议）",
      "Open a rights case", "open_rights_case", OFFICERS | MEMBERS, "rights", request=sw.RightsCaseCreateSchema,
      status=201),
    r("GET", SCHOOL + "/rights-cases", "维权个案（查阅留痕；会员仅本人）", "Rights cases (reads audited)", "rights_cases",
      OFFICERS | MEMBERS, "rights", query=sw.RightsQuery),
    r("GET", SCHOOL + "/rights-cases/{case_id}", "维权个案详情（查阅留痕）", "A rights case", "get_rights_case",
      OFFICERS | MEMBERS, "rights"),
    r("POST", SCHOOL + "/rights-cases/{case_id}/notes", "个案记录（谈心、调解、建议、答复、回访）", "Add a case note",
      "add_rights_note", OFFICERS, "rights", request=sw.RightsNoteSchema, status=201),
    r("POST", SCHOOL + "/rights-cases/{case_id}/close", "个案结案（化解、转调解/仲裁、撤回）", "Close a rights case",
      "close_rights_case", OFFICERS, "rights", request=sw.RightsCloseSchema),
    # 工作条件 (W21)
    r("POST", SCHOOL + "/working-conditions", "提出改善工作条件事项（午餐补贴、午休、办公条件）",
      "Raise a working-conditions item", "raise_condition", OFFICERS, "conditions", request=sw.ConditionCreateSchema,
      status=201),
    r("GET", SCHOOL + "/working-conditions", "改善工作条件事项", "Working-conditions items", "list_conditions", EVERYONE,
      "conditions", query=sw.ConditionQuery),
    r("POST", SCHOOL + "/working-conditions/{item_id}/progress", "事项进展（办理中、已落实、未采纳）",
      "Move an item on", "condition_progress", OFFICERS, "conditions", request=sw.ConditionProgressSchema),
    # 关爱项目: 暑期疗养 (W21), 女职工活动台帐 (W23), 健康促进 (W24)
    r("POST", SCHOOL + "/programmes", "新建项目（暑期疗养、女职工活动、健康促进）", "Plan a programme", "create_programme",
      OFFICERS, "programmes", request=sw.ProgrammeCreateSchema, status=201),
    r("GET", SCHOOL + "/programmes", "项目与女职工活动台帐（?area=women）", "Programmes and the women's activity ledger",
      "list_programmes", EVERYONE, "programmes", query=sw.ProgrammeQuery),
    r("GET", SCHOOL + "/programmes/{programme_id}", "项目名单", "A programme and its participants", "get_programme",
      OFFICERS, "programmes", query=sw.ParticipantQuery),
    r("POST", SCHOOL + "/programmes/{programme_id}/participants", "报名/安排名额（会员仅本人）", "Put members on a programme",
      "add_participants", OFFICERS | MEMBERS, "programmes", request=sw.ParticipantsSchema),
    r("POST", SCHOOL + "/programmes/{programme_id}/participants/{member_id}/attendance", "登记参加（费用报财务）",
      "Record attendance", "record_attendance", OFFICERS, "programmes", request=sw.AttendanceSchema),
    # 职业幸福指数 (W24)
    r("POST", SCHOOL + "/happiness-surveys", "发起职业幸福指数调查", "Open a job-happiness survey",
      "create_happiness_survey", OFFICERS, "happiness", request=sw.HappinessSurveySchema, status=201),
    r("GET", SCHOOL + "/happiness-surveys", "职业幸福指数", "Job-happiness surveys", "happiness_surveys", EVERYONE,
      "happiness", query=s.YearPageQuery),
    r("GET", SCHOOL + "/happiness-surveys/{survey_id}", "职业幸福指数结果", "A survey's index", "get_happiness_survey",
      EVERYONE, "happiness"),
    r("POST", SCHOOL + "/happiness-surveys/{survey_id}/answers", "匿名填答（本人，一次）", "Answer anonymously, once",
      "answer_happiness_survey", EVERYONE, "happiness", request=sw.HappinessAnswerSchema, status=201, replay=False),
    # 区教育工会
    r("GET", DISTRICT_PATH + "/spending", "各校福利支出与政策上限对照", "Spending by school against the caps",
      "district_spending", DISTRICT, "district", query=s.YearQuery),
    r("GET", DISTRICT_PATH + "/hardship", "各校困难职工户数", "Hardship households by school", "district_hardship",
      DISTRICT, "district"),
    r("GET", DISTRICT_PATH + "/visits-owed", "各校应访未访", "Visits owed by school", "district_visits_owed", DISTRICT,
      "district"),
    r("GET", DISTRICT_PATH + "/womens-programme", "各校女职工工作台帐（活动、参与面）", "The women's programme by school",
      "district_womens_programme", DISTRICT, "district", query=sw.DistrictYearQuery),
]

plugin = Plugin(
    name="welfare",
    service="services.welfare.service:WelfareService",
    migrations="services.welfare.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    seed_demo=_seed_demo,
    annual_summary=True,
    publishes=["welfare.payment_requested"],
    routes=ROUTES,
)
