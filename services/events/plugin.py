"""The events service as a plugin: its routes, events, messages, migrations and demo data."""
from services.events import schemas as s
from services.events.messages import MESSAGES
from shared.plugins import Plugin, Route

SCHOOL = "/api/v1/schools/{school}/events"
DISTRICT_PATH = "/api/v1/district/events"
ACTIVITY = SCHOOL + "/activities/{activity_id}"
REG = ACTIVITY + "/registrations/{member_id}"
TOUR = SCHOOL + "/tournaments/{tournament_id}"
PLAN = SCHOOL + "/plans/{year}"

DISTRICT = frozenset({"district_admin"})
WRITE = frozenset({"school_admin", "events_officer", "district_admin"})
READ = WRITE | {"finance_officer", "welfare_officer", "congress_officer", "auditor"}
ANYONE = READ | {"delegate", "member"}
SELF = frozenset({"member", "delegate"})


def _metadata():
    from services.events.orm import Base
    return Base.metadata


def _seed_demo(runtime, context):
    from services.events.seed import seed_demo
    return seed_demo(runtime, context)


def r(method, path, summary, summary_en, rpc, roles, **kw):
    return Route(method, path, summary, summary_en, rpc=f"events.{rpc}", roles=roles, tags=kw.pop("tags", ("events",)), **kw)


plugin = Plugin(
    name="events",
    service="services.events.service:EventsService",
    migrations="services.events.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    seed_demo=_seed_demo,
    annual_summary=True,
    publishes=["events.expense_requested", "events.activity_scheduled", "events.registration_confirmed",
               "events.registration_cancelled", "events.seat_offered", "events.attendance_recorded",
               "events.competition_announced", "events.district_task_set", "events.plan_published"],
    routes=[
        # 活动
        r("POST", SCHOOL + "/activities", "发布活动", "Schedule an activity", "create_activity", WRITE,
          request=s.ActivityCreateSchema, response=s.ActivitySchema, status=201),
        r("GET", SCHOOL + "/activities", "活动列表", "List activities", "list_activities", ANYONE,
          query=s.ActivityListQuery, response=s.ItemsSchema),
        r("GET", ACTIVITY, "活动详情", "Get an activity", "get_activity", ANYONE, response=s.ActivitySchema),
        r("PATCH", ACTIVITY, "修改活动（名额、时间、报名窗口）", "Update an activity", "update_activity", WRITE,
          request=s.ActivityUpdateSchema, response=s.ActivitySchema),
        # 报名
        r("POST", ACTIVITY + "/registrations", "报名（会员本人或文体委员代报）", "Register for an activity",
          "register", ANYONE, request=s.RegisterSchema, response=s.RegistrationSchema, status=201),
        r("GET", ACTIVITY + "/registrations", "报名名单（含候补顺位）", "Registrations and waiting list",
          "list_registrations", READ, query=s.RegistrationListQuery, response=s.ItemsSchema),
        r("GET", SCHOOL + "/my/registrations", "我的报名", "My registrations", "my_registrations", SELF,
          query=s.PageQuery, response=s.ItemsSchema),
        r("POST", REG + "/cancel", "取消报名（名额递补给候补第一位）", "Cancel a registration",
          "cancel_registration", WRITE, self_roles=SELF, request=s.EmptySchema, response=s.RegistrationSchema),
        r("POST", REG + "/accept", "确认递补名额", "Accept an offered seat", "accept_offer", WRITE, self_roles=SELF,
          request=s.EmptySchema, response=s.RegistrationSchema),
        r("POST", REG + "/decline", "放弃递补名额", "Decline an offered seat", "decline_offer", WRITE,
          self_roles=SELF, request=s.EmptySchema, response=s.RegistrationSchema),
        r("POST", REG + "/approve", "审核通过报名", "Approve a registration", "approve_registration", WRITE,
          request=s.EmptySchema, response=s.RegistrationSchema),
        r("POST", REG + "/reject", "审核不通过", "Reject a registration", "reject_registration", WRITE,
          request=s.EmptySchema, response=s.RegistrationSchema),
        r("POST", ACTIVITY + "/check-in", "现场签到", "Check a member in", "check_in", WRITE,
          request=s.CheckInSchema, response=s.RegistrationSchema),
        r("POST", ACTIVITY + "/close", "活动结束，未签到记为缺席", "Close attendance (no-shows)", "close_attendance",
          WRITE, request=s.EmptySchema),
        r("GET", ACTIVITY + "/compulsory-gaps", "必须人人参加：各小组未报名名单", "Who has not registered, by group",
          "compulsory_gaps", READ),
        r("GET", SCHOOL + "/participation", "参与面与到场率（会员、小组、全校）", "Participation by member, group, school",
          "participation", READ, query=s.ParticipationQuery),
        # 出游
        r("POST", ACTIVITY + "/routes", "添加出游线路（带队委员）", "Add a trip route", "add_route", WRITE,
          request=s.RouteCreateSchema, status=201, tags=("trips",)),
        r("GET", ACTIVITY + "/routes", "出游线路", "Trip routes", "list_routes", ANYONE, tags=("trips",)),
        r("PATCH", ACTIVITY + "/routes/{route_id}", "修改出游线路（名称、带队委员）", "Update a trip route", "update_route",
          WRITE, request=s.RouteUpdateSchema, tags=("trips",)),
        r("POST", ACTIVITY + "/survey", "填写出游意向", "Answer the intention survey", "answer_survey", ANYONE,
          request=s.IntentionSchema, tags=("trips",)),
        r("GET", ACTIVITY + "/survey", "意向征询结果", "Intention survey results", "survey_results", READ,
          tags=("trips",)),
        # 经费
        r("POST", ACTIVITY + "/expenses", "向财务申请活动经费/补贴", "Request an expense or subsidy from finance",
          "request_expense", WRITE, request=s.ExpenseCreateSchema, status=201, tags=("costs",)),
        r("GET", ACTIVITY + "/expenses", "活动经费及财务答复", "Expenses with finance's answers", "list_expenses",
          READ, query=s.PageQuery, response=s.ItemsSchema, tags=("costs",)),
        # 赛事
        r("POST", SCHOOL + "/tournaments", "创建赛事", "Create a tournament", "create_tournament", WRITE,
          request=s.TournamentCreateSchema, status=201, tags=("tournaments",)),
        r("GET", SCHOOL + "/tournaments", "赛事列表", "Tournaments", "list_tournaments", ANYONE, query=s.PageQuery,
          response=s.ItemsSchema, tags=("tournaments",)),
        r("GET", TOUR, "赛事详情与对阵", "A tournament and its draw", "get_tournament", ANYONE, tags=("tournaments",)),
        r("POST", TOUR + "/entrants", "添加参赛者（或从活动报名导入）", "Add entrants", "add_entrants", WRITE,
          request=s.EntrantsSchema, status=201, tags=("tournaments",)),
        r("POST", TOUR + "/draw", "抽签编排", "Make the draw", "make_draw", WRITE, request=s.DrawSchema,
          tags=("tournaments",)),
        r("POST", TOUR + "/matches/{match_id}/result", "登记比赛成绩", "Record a match result", "record_result",
          WRITE, request=s.ResultSchema, tags=("tournaments",)),
        r("GET", TOUR + "/standings", "积分榜/名次", "Standings", "standings", ANYONE, tags=("tournaments",)),
        r("POST", TOUR + "/awards", "颁奖", "Give an award", "give_award", WRITE, request=s.AwardSchema, status=201,
          tags=("tournaments",)),
        r("POST", ACTIVITY + "/awards", "活动评选表彰", "Award a prize of an activity", "give_activity_award", WRITE,
          request=s.AwardSchema, status=201, tags=("tournaments",)),
        r("GET", SCHOOL + "/awards", "获奖与表彰名单", "Awards of a year", "list_awards", ANYONE, query=s.YearQuery,
          tags=("tournaments",)),
        # 区级比赛
        r("POST", DISTRICT_PATH + "/competitions", "发布区级比赛", "Create a district competition",
          "create_competition", DISTRICT, request=s.CompetitionCreateSchema, status=201, tags=("district",)),
        r("GET", DISTRICT_PATH + "/competitions", "区级比赛列表", "District competitions", "list_competitions",
          DISTRICT, query=s.YearQuery, tags=("district",)),
        r("POST", DISTRICT_PATH + "/competitions/{competition_id}/results", "登记区级比赛成绩与名次",
          "Record competition results", "record_competition_results", DISTRICT,
          request=s.CompetitionResultSchema, tags=("district",)),
        r("GET", DISTRICT_PATH + "/competitions/{competition_id}/rankings", "各校成绩排名", "Rankings across schools",
          "competition_rankings", DISTRICT, tags=("district",)),
        r("GET", SCHOOL + "/competitions", "可报名的区级比赛", "District competitions open to the school",
          "school_competitions", READ, query=s.YearQuery, tags=("district",)),
        r("POST", SCHOOL + "/competitions/{competition_id}/entries", "报名区级比赛（队伍与运动员）",
          "Enter a team", "enter_competition", WRITE, request=s.CompetitionEntrySchema, status=201,
          tags=("district",)),
        r("GET", SCHOOL + "/competitions/{competition_id}/rankings", "区级比赛名次公布（各校）",
          "Published rankings across schools", "school_rankings", ANYONE, tags=("district",)),
        r("GET", SCHOOL + "/competitions/{competition_id}/entries", "本校参赛队伍与成绩", "Our entries",
          "school_entries", READ, query=s.PageQuery, response=s.ItemsSchema, tags=("district",)),
        r("GET", DISTRICT_PATH + "/participation", "各校活动参与面", "Participation by school",
          "district_participation", DISTRICT, query=s.ParticipationQuery, tags=("district",)),
        # 工作计划
        r("POST", PLAN, "新建年度工作计划（可沿用上年）", "Create the year's work plan", "create_plan", WRITE,
          request=s.PlanCreateSchema, status=201, tags=("plan",)),
        r("GET", PLAN, "年度工作计划", "The year's work plan", "get_plan", ANYONE, tags=("plan",)),
        r("GET", SCHOOL + "/plans/link-kinds", "可关联的记录类型", "Kinds of records a plan item can link to",
          "link_kinds", ANYONE, tags=("plan",)),
        r("POST", PLAN + "/items", "添加具体工作安排", "Add a plan item", "add_plan_item", WRITE,
          request=s.PlanItemCreateSchema, status=201, tags=("plan",)),
        r("PATCH", PLAN + "/items/{item_id}", "修改工作安排（负责人、状态、关联记录）", "Update a plan item",
          "update_plan_item", WRITE, request=s.PlanItemSchema, tags=("plan",)),
        r("POST", PLAN + "/publish", "发布工作计划（须含区级任务）", "Publish the plan", "publish_plan", WRITE,
          request=s.EmptySchema, tags=("plan",)),
        r("GET", SCHOOL + "/calendar", "工作日历（计划事项与活动）", "Work calendar", "calendar", ANYONE,
          query=s.CalendarQuery, tags=("plan",)),
        r("GET", SCHOOL + "/district-tasks", "区教育工会年度任务", "District tasks of a year", "school_district_tasks",
          READ, query=s.ParticipationQuery, tags=("plan",)),
        r("POST", DISTRICT_PATH + "/tasks", "布置年度任务", "Set an annual task", "create_district_task", DISTRICT,
          request=s.TaskCreateSchema, status=201, tags=("district",)),
        r("GET", DISTRICT_PATH + "/tasks", "年度任务", "Annual tasks", "list_district_tasks", DISTRICT,
          query=s.ParticipationQuery, tags=("district",)),
        r("GET", DISTRICT_PATH + "/tasks/compliance", "各校计划与完成情况", "Which schools planned and did the tasks",
          "plan_compliance", DISTRICT, query=s.ParticipationQuery, tags=("district",)),
        # 工作总结
        r("GET", SCHOOL + "/summary/{year}", "年度工作总结（汇总各服务数据）", "Year-end summary", "year_summary",
          READ, tags=("summary",), timeout=30),
        r("GET", SCHOOL + "/summary/{year}/document", "导出年度工作总结 (Word)", "Year-end summary as DOCX",
          "year_summary_document", READ, query=s.SummaryQuery, produces="file", tags=("summary",), timeout=30),
    ],
)
