"""Membership as a plugin: its routes, events, messages, migrations and demo data."""
from services.membership import schemas as s
from services.membership.domain.errors import MESSAGES
from services.membership.readmodel import members_read_model
from shared.plugins import Plugin, Route

DISTRICT = frozenset({"district_admin"})
WRITE = frozenset({"school_admin", "district_admin"})
READ = WRITE | {"finance_officer", "welfare_officer", "congress_officer", "events_officer", "auditor"}
SELF = frozenset({"member", "delegate"})
SCHOOL = "/api/v1/schools/{school}"
MEMBER = SCHOOL + "/members/{member_id}"
REMEMBER = "services.gateway.handlers:remember_school"


def _metadata():
    from services.membership.orm import Base
    return Base.metadata


def _seed_demo(runtime, context):
    from services.membership.seed import seed_demo_district
    return seed_demo_district(runtime, context)


def r(method, path, summary, summary_en, rpc, roles, **kw):
    return Route(method, path, summary, summary_en, rpc=f"membership.{rpc}", roles=roles, tags=kw.pop("tags", ("members",)), **kw)


plugin = Plugin(
    name="membership",
    service="services.membership.service:MembershipService",
    migrations="services.membership.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    seed_demo=_seed_demo,
    annual_summary=True,
    read_models=[members_read_model],
    commands={"announce-roster": "services.membership.announce:command"},
    publishes=["membership.school_registered", "membership.school_updated", "membership.union_group_changed",
               "membership.member_applied", "membership.member_admitted", "membership.member_updated",
               "membership.member_transferred", "membership.member_retired", "membership.member_left",
               "membership.committee_changed"],
    routes=[
        r("POST", "/api/v1/district/schools", "登记学校工会", "Register a school union", "create_school", DISTRICT,
          request=s.SchoolCreateSchema, response=s.SchoolSchema, status=201, tags=("schools",), after=REMEMBER),
        r("GET", "/api/v1/district/schools", "学校工会列表", "List school unions", "list_schools", DISTRICT,
          query=s.PageQuery, response=s.SchoolListSchema, tags=("schools",)),
        r("PATCH", "/api/v1/district/schools/{code}", "修改学校工会信息", "Update a school union", "update_school",
          DISTRICT, request=s.SchoolUpdateSchema, response=s.SchoolSchema, tags=("schools",), after=REMEMBER),
        r("GET", "/api/v1/district/stats/membership", "各校入会率统计", "Membership rate of every school",
          "district_membership_stats", DISTRICT, response=s.DistrictStatsSchema, tags=("district",)),
        r("POST", SCHOOL + "/members", "会员入会（直接入会或入会申请）", "Admit a member or record an application",
          "admit_member", WRITE, request=s.MemberCreateSchema, response=s.MemberSchema, status=201),
        r("GET", SCHOOL + "/members", "会员名册（分页、筛选、姓名搜索）", "List members", "list_members", READ,
          query=s.MemberListQuery, response=s.MemberListSchema),
        r("POST", SCHOOL + "/members/import", "从 Excel/CSV 导入会员", "Import members from XLSX or CSV",
          "import_members", WRITE, body="upload", response=s.ImportReportSchema, timeout=300),
        r("GET", SCHOOL + "/members/export", "导出会员名册 (Excel)", "Export members as XLSX", "export_members", WRITE,
          produces="xlsx"),
        r("GET", MEMBER, "会员详情", "Get a member", "get_member", READ, self_roles=SELF, query=s.MemberGetQuery,
          response=s.MemberSchema),
        r("PATCH", MEMBER, "修改会员信息", "Update a member", "update_member", WRITE, request=s.MemberUpdateSchema,
          response=s.MemberSchema),
        r("POST", MEMBER + "/approve", "批准入会申请", "Approve an application", "approve_member", WRITE,
          request=s.ApproveSchema, response=s.MemberSchema),
        r("POST", MEMBER + "/transfer", "会员调动到其他学校", "Transfer to another school", "transfer_member", WRITE,
          request=s.TransferSchema),
        r("POST", MEMBER + "/retire", "会员退休（保留会籍）", "Retire (stays a member)", "retire_member", WRITE,
          request=s.RetireSchema, response=s.MemberSchema),
        r("POST", MEMBER + "/leave", "退会（须注明原因）", "Leave the union, with a reason", "leave_member", WRITE,
          request=s.LeaveSchema, response=s.MemberSchema),
        r("GET", MEMBER + "/history", "会籍变动记录", "Membership status history", "member_history", READ,
          self_roles=SELF, response=s.MemberHistorySchema),
        r("GET", SCHOOL + "/birthdays", "本月生日会员（含逢十生日）", "Birthdays in a month", "birthdays",
          READ, query=s.BirthdayQuery, response=s.BirthdayListSchema, tags=("organisation",)),
        r("GET", SCHOOL + "/groups", "工会小组", "Union groups", "list_groups", READ, response=s.GroupListSchema,
          tags=("organisation",)),
        r("POST", SCHOOL + "/groups", "新建工会小组", "Create a union group", "create_group", WRITE,
          request=s.GroupCreateSchema, response=s.GroupSchema, status=201, tags=("organisation",)),
        r("PATCH", SCHOOL + "/groups/{group_id}", "修改工会小组（含小组长）", "Update a union group", "update_group", WRITE,
          request=s.GroupUpdateSchema, response=s.GroupSchema, tags=("organisation",)),
        r("GET", SCHOOL + "/committee", "工会委员会及分工", "The union committee", "list_committee", READ,
          response=s.CommitteeListSchema, tags=("organisation",)),
        r("POST", SCHOOL + "/committee", "任命委员分工", "Appoint a committee member", "appoint_committee_member", WRITE,
          request=s.CommitteeAppointSchema, response=s.CommitteePositionSchema, status=201, tags=("organisation",)),
        r("POST", SCHOOL + "/committee/{position_id}/end", "结束委员任职", "End a committee position",
          "end_committee_position", WRITE, request=s.CommitteeEndSchema, response=s.CommitteePositionSchema,
          tags=("organisation",)),
        r("GET", SCHOOL + "/audit/pii-reads", "个人信息查阅记录", "Audit of unmasked personal-data reads", "pii_reads",
          frozenset({"school_admin"}), query=s.PageQuery, response=s.PiiReadListSchema, tags=("audit",)),
    ],
)
