"""The welfare service as a plugin: its routes, events, messages and migrations."""
from services.welfare import schemas as s
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
      "set_district_policy", DISTRICT, "policy", request=s.PolicySetSchema),
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
      frozenset({"school_admin"}), "care", query=s.PageQuery),
    # 支付申请
    r("POST", SCHOOL + "/payments", "福利支付申请（先核对政策标准，再报财务）", "Request a payment (checked against the caps)",
      "request_payment", OFFICERS, "payments", request=s.PaymentCreateSchema, status=201),
    r("GET", SCHOOL + "/payments", "支付申请及财务答复", "Payments and finance's answers", "list_payments", READ, "payments",
      query=s.PaymentQuery),
    r("GET", SCHOOL + "/payments/{payment_id}", "支付申请详情", "A payment", "get_payment", READ | MEMBERS, "payments"),
    r("GET", MEMBER + "/caps", "会员本年度福利额度使用情况", "A member's use of the caps", "member_caps", READ, "payments",
      self_roles=MEMBERS, query=s.YearQuery),
]

plugin = Plugin(
    name="welfare",
    service="services.welfare.service:WelfareService",
    migrations="services.welfare.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    publishes=["welfare.payment_requested"],
    routes=ROUTES,
)
