"""The finance service as a plugin: its routes, events, messages and migrations."""
from services.finance import schemas as s
from services.finance.errors import MESSAGES
from shared.plugins import Plugin, Route

SCHOOL = "/api/v1/schools/{school}/finance"
DISTRICT_PATH = "/api/v1/district/finance"
DISTRICT = frozenset({"district_admin"})
CHAIR = frozenset({"school_admin", "district_admin"})
BOOKS = frozenset({"finance_officer", "school_admin", "district_admin"})
READ = BOOKS | {"auditor"}
REQUESTS_READ = READ | {"welfare_officer", "events_officer"}
AUDIT = frozenset({"auditor", "school_admin", "district_admin"})
EVERYONE = READ | {"welfare_officer", "events_officer", "congress_officer", "delegate", "member"}


def _metadata():
    from services.finance.orm import Base
    return Base.metadata


def _seed_demo(runtime, context):
    from services.finance.seed import seed_demo
    return seed_demo(runtime, context)


def r(method, path, summary, summary_en, rpc, roles, **kw):
    return Route(method, path, summary, summary_en, rpc=f"finance.{rpc}", roles=roles,
                 tags=kw.pop("tags", ("finance",)), **kw)


plugin = Plugin(
    name="finance",
    service="services.finance.service:FinanceService",
    migrations="services.finance.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    seed_demo=_seed_demo,
    annual_summary=True,
    commands={"verify-chain": "services.finance.verify:command"},
    publishes=["finance.spending_request_updated", "finance.audit_report_submitted", "finance.period_closed",
               "finance.audit_report_filed"],
    routes=[
        # ledger
        r("GET", SCHOOL + "/accounts", "会计科目表", "Chart of accounts", "get_chart", READ, tags=("finance-ledger",)),
        r("POST", SCHOOL + "/entries", "记账（借贷必须平衡）", "Post a balanced entry", "post_entry", BOOKS,
          request=s.EntryCreateSchema, response=s.EntrySchema, status=201, tags=("finance-ledger",)),
        r("GET", SCHOOL + "/entries", "记账凭证列表", "List posted entries", "list_entries", READ,
          query=s.EntryListQuery, response=s.EntryListSchema, tags=("finance-ledger",)),
        r("GET", SCHOOL + "/entries/{entry_id}", "凭证详情", "Get an entry", "get_entry", READ,
          response=s.EntrySchema, tags=("finance-ledger",)),
        r("POST", SCHOOL + "/entries/{entry_id}/reverse", "冲销凭证（已过账凭证不能修改）", "Reverse a posted entry",
          "reverse_entry", BOOKS, request=s.ReverseSchema, response=s.EntrySchema, status=201, tags=("finance-ledger",)),
        r("GET", SCHOOL + "/periods", "会计期间及状态", "Periods of a year", "list_periods", READ, query=s.YearQuery,
          tags=("finance-ledger",)),
        r("POST", SCHOOL + "/periods/{period}", "期间进入调整期或结账", "Move a period to adjusting or closed",
          "set_period_state", BOOKS, request=s.PeriodStateSchema, tags=("finance-ledger",)),
        r("GET", SCHOOL + "/ledger/export", "导出总账（Beancount 文本）", "Export the ledger as Beancount text",
          "export_ledger", READ, query=s.LedgerExportQuery, produces="file", tags=("finance-ledger",)),
        r("GET", SCHOOL + "/ledger/verify", "校验凭证哈希链", "Verify the hash chain of posted entries", "verify_chain",
          READ, response=s.ChainReportSchema, tags=("finance-ledger",), timeout=120),
        r("GET", SCHOOL + "/policy", "本校经费规则（审批限额、会费比例）", "Approval limits and dues rule in force",
          "get_policy", READ, tags=("finance-budget",)),
        # budgets and spending requests
        r("PUT", SCHOOL + "/budgets/{year}", "设置年度预算", "Set the year's budget by category", "set_budgets", CHAIR,
          request=s.BudgetSetSchema, tags=("finance-budget",)),
        r("GET", SCHOOL + "/budgets/{year}", "年度预算及占用", "Budget of a year with commitments", "get_budgets", READ,
          tags=("finance-budget",)),
        r("POST", SCHOOL + "/requests", "财务委员录入经费申请", "Enter a spending request", "create_request", BOOKS,
          request=s.SpendingCreateSchema, response=s.SpendingSchema, status=201, tags=("finance-requests",)),
        r("GET", SCHOOL + "/requests", "经费申请列表", "List spending requests", "list_requests", REQUESTS_READ,
          query=s.SpendingListQuery, response=s.SpendingListSchema, tags=("finance-requests",)),
        r("POST", SCHOOL + "/requests/approve", "批量审批经费申请", "Approve several requests", "approve_requests",
          BOOKS, request=s.BatchApproveSchema, tags=("finance-requests",)),
        r("GET", SCHOOL + "/requests/{spending_id}", "经费申请详情", "Get a spending request", "get_request",
          REQUESTS_READ, response=s.SpendingSchema, tags=("finance-requests",)),
        r("POST", SCHOOL + "/requests/{spending_id}/approve", "审批经费申请（按金额分级）", "Approve a request",
          "approve_request", BOOKS, request=s.ApproveSchema, response=s.SpendingSchema, tags=("finance-requests",)),
        r("POST", SCHOOL + "/requests/{spending_id}/reject", "驳回经费申请", "Reject a request", "reject_request",
          BOOKS, request=s.RejectSchema, response=s.SpendingSchema, tags=("finance-requests",)),
        r("POST", SCHOOL + "/requests/{spending_id}/pay", "支付并记账", "Pay an approved request", "pay_request",
          BOOKS, request=s.PaySchema, response=s.SpendingSchema, tags=("finance-requests",)),
        # dues
        r("PUT", SCHOOL + "/dues/bases", "设置会费基数", "Set members' dues bases", "set_dues_bases", BOOKS,
          request=s.DuesBasesSchema, tags=("finance-dues",)),
        r("POST", SCHOOL + "/dues/schedule", "生成应缴会费计划", "Schedule monthly dues", "schedule_dues", BOOKS,
          request=s.DuesScheduleSchema, tags=("finance-dues",)),
        r("POST", SCHOOL + "/dues/collections", "收缴会费", "Record a dues collection", "collect_dues", BOOKS,
          request=s.DuesCollectSchema, status=201, tags=("finance-dues",)),
        r("GET", SCHOOL + "/dues/members/{member_id}", "会员本人会费（会员只能看自己的）", "A member's own dues",
          "member_dues", READ, self_roles=frozenset({"member", "delegate"}), query=s.YearQuery, tags=("finance-dues",)),
        r("GET", SCHOOL + "/dues/arrears", "欠缴会费", "Dues arrears", "dues_arrears", READ, query=s.ArrearsQuery,
          tags=("finance-dues",)),
        # audits
        r("POST", SCHOOL + "/audits", "经审会建立审查", "Open an audit", "create_audit", AUDIT,
          request=s.AuditCreateSchema, status=201, tags=("finance-audit",)),
        r("GET", SCHOOL + "/audits", "审查列表", "List audits", "list_audits", READ, query=s.AuditListQuery,
          tags=("finance-audit",)),
        r("GET", SCHOOL + "/audits/{audit_id}", "审查详情", "Get an audit", "get_audit", READ, tags=("finance-audit",)),
        r("POST", SCHOOL + "/audits/{audit_id}/findings", "记录审查发现（可附调整分录）", "Record a finding",
          "add_audit_finding", AUDIT, request=s.FindingSchema, status=201, tags=("finance-audit",)),
        r("POST", SCHOOL + "/audits/{audit_id}/submit", "审查报告提交教代会审议", "Submit the report to the congress",
          "submit_audit", AUDIT, request=s.AuditSubmitSchema, tags=("finance-audit",)),
        r("POST", SCHOOL + "/audits/{audit_id}/file", "审查报告报区备案", "File the approved report with the district",
          "file_audit", AUDIT, request=s.AuditFileSchema, tags=("finance-audit",)),
        # reports and disclosure
        r("GET", SCHOOL + "/reports/income-expenditure", "收支表（按类别、按月）", "Income and expenditure",
          "income_expenditure", READ, query=s.YearQuery, tags=("finance-reports",)),
        r("GET", SCHOOL + "/reports/balance-sheet", "资产负债表", "Balance sheet", "balance_sheet", READ,
          query=s.YearQuery, tags=("finance-reports",)),
        r("GET", SCHOOL + "/reports/budget-vs-actual", "预算执行情况", "Budget against actual", "budget_vs_actual",
          READ, query=s.YearQuery, tags=("finance-reports",)),
        r("GET", SCHOOL + "/reports/export", "导出财务报表（Excel 或 Word）", "Export the reports (XLSX or DOCX)",
          "export_report", READ, query=s.ReportQuery, produces="file", tags=("finance-reports",)),
        r("GET", SCHOOL + "/disclosure", "财务公开", "Financial disclosure for members", "disclosure", EVERYONE,
          query=s.DisclosureQuery, tags=("finance-reports",)),
        # district
        r("GET", DISTRICT_PATH + "/rollup", "全区工会经费汇总", "District roll-up of union funds", "district_rollup",
          DISTRICT, query=s.YearQuery, tags=("district",)),
        r("GET", DISTRICT_PATH + "/filings", "各校审查报告备案情况", "Which schools filed their audit report",
          "district_filings", DISTRICT, query=s.YearQuery, tags=("district",)),
        r("GET", DISTRICT_PATH + "/policy", "经费规则（全区或某校）", "Finance policy of the district or a school",
          "district_policy", DISTRICT, query=s.PolicyQuery, tags=("district",)),
        r("PUT", DISTRICT_PATH + "/policy", "设置经费规则（审批限额、会费比例）", "Set approval limits and the dues rule",
          "set_policy", DISTRICT, request=s.PolicySchema, tags=("district",)),
        r("GET", DISTRICT_PATH + "/accounts", "全区会计科目表", "The district's chart of accounts", "district_chart", DISTRICT,
          tags=("district",)),
        r("POST", DISTRICT_PATH + "/accounts", "新增或更名会计科目", "Add or rename an account", "add_account",
          DISTRICT, request=s.AccountSchema, status=201, tags=("district",)),
    ],
)
