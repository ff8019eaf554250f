"""Finance error codes and their messages; domain errors become ``shared.errors`` once, here."""
from __future__ import annotations

import contextlib

from services.finance.domain.approval import ApprovalError
from services.finance.domain.ledger import LedgerError
from shared.errors import Conflict, Forbidden, ValidationFailed

CONFLICTS = {"period_closed", "period_not_open", "period_transition", "entry_already_reversed",
             "entry_is_reversal"}
MESSAGES = {
    "ledger_entry_not_found": {"zh-CN": "记账凭证不存在", "en": "Ledger entry not found"},
    "entry_invalid": {"zh-CN": "分录不合法，请检查标出的字段", "en": "The entry has invalid lines"},
    "entry_too_few_lines": {"zh-CN": "一张凭证至少有一借一贷两条分录", "en": "An entry needs at least two lines"},
    "entry_unbalanced": {"zh-CN": "借贷不平衡：借方 {debit}，贷方 {credit}", "en": "Unbalanced: debits {debit}, credits {credit}"},
    "unbalanced": {"zh-CN": "借贷不平衡", "en": "Debits and credits differ"},
    "too_few_lines": {"zh-CN": "至少两条分录", "en": "At least two lines"},
    "one_side_only": {"zh-CN": "每条分录只能填借方或贷方之一", "en": "A line is either a debit or a credit"},
    "unknown_account": {"zh-CN": "科目不存在", "en": "No such account"},
    "period_closed": {"zh-CN": "会计期间 {period} 已结账，不能记账", "en": "Period {period} is closed"},
    "period_not_open": {"zh-CN": "会计期间 {period} 处于{state}状态，不接受此类凭证", "en": "Period {period} is {state}: this kind of entry is refused"},
    "period_transition": {"zh-CN": "会计期间不能从 {from} 变为 {to}", "en": "A period cannot go from {from} to {to}"},
    "period_open": {"zh-CN": "期间未结账", "en": "Period open"},
    "period_adjusting": {"zh-CN": "期间处于调整期", "en": "Period in adjustment"},
    "period_invalid_transition": {"zh-CN": "状态变更不允许", "en": "Transition not allowed"},
    "entry_already_reversed": {"zh-CN": "该凭证已被冲销", "en": "The entry was already reversed"},
    "entry_is_reversal": {"zh-CN": "冲销凭证不能再冲销，请另做凭证", "en": "A reversal is not reversed; post a new entry"},
    "posted_entry_immutable": {"zh-CN": "已过账凭证不能修改或删除，只能冲销", "en": "A posted entry is never changed; reverse it"},
    "spending_request_not_found": {"zh-CN": "经费申请不存在", "en": "Spending request not found"},
    "request_not_pending": {"zh-CN": "该申请当前状态为 {status}，不能再审批", "en": "The request is {status} and cannot be decided again"},
    "request_not_approved": {"zh-CN": "该申请尚未批准（状态 {status}），不能支付", "en": "The request is {status}, not approved: it cannot be paid"},
    "request_duplicate": {"zh-CN": "申请编号 {request_id} 已存在", "en": "Request id {request_id} exists already"},
    "over_budget": {"zh-CN": "超出预算：{category} 可用 {available} 元，申请 {amount} 元", "en": "Over budget: {category} has {available} left, {amount} asked"},
    "unknown_category": {"zh-CN": "未知的支出科目 {category}", "en": "Unknown spending category {category}"},
    "approval_limit_exceeded": {"zh-CN": "超出审批权限（上限 {limit} 元），需 {needed} 审批", "en": "Above your approval limit ({limit}); needs {needed}"},
    "committee_resolution_required": {"zh-CN": "超过 {limit} 元须经工会委员会集体研究，请填写会议决议", "en": "Above {limit} the union committee decides: name its resolution"},
    "approval_role_forbidden": {"zh-CN": "该角色不能审批经费", "en": "This role cannot approve spending"},
    "budget_below_committed": {"zh-CN": "预算 {amount} 低于已占用的 {committed} 元", "en": "Budget {amount} is below the {committed} already committed"},
    "dues_base_missing": {"zh-CN": "会员 {member_id} 没有 {year} 年的会费基数", "en": "Member {member_id} has no dues base for {year}"},
    "dues_charge_not_found": {"zh-CN": "会员 {member_id} 没有 {period} 的应缴会费", "en": "No dues due of member {member_id} for {period}"},
    "dues_overpaid": {"zh-CN": "收缴金额超过应缴余额 {outstanding} 元", "en": "More than the {outstanding} outstanding"},
    "dues_member_unknown": {"zh-CN": "会员 {member_id} 不在本校名录中", "en": "Member {member_id} is not in this school's roster"},
    "audit_not_found": {"zh-CN": "审查不存在", "en": "Audit not found"},
    "audit_wrong_status": {"zh-CN": "审查当前状态为 {status}，不能{action}", "en": "The audit is {status}: cannot {action}"},
    "audit_not_approved": {"zh-CN": "审查报告须经教代会审议通过后才能备案（当前 {status}）", "en": "Only a report the congress approved can be filed (now {status})"},
    "adjusting_period_required": {"zh-CN": "调整分录只能记入调整期（{period} 当前为 {state}）", "en": "Adjusting entries go into an adjusting period ({period} is {state})"},
    "account_exists": {"zh-CN": "科目 {code} 已存在", "en": "Account {code} exists"},
    "category_taken": {"zh-CN": "类别 {category} 已对应其他科目", "en": "Category {category} is already used"},
    "finance_duplicate": {"zh-CN": "已存在", "en": "Already exists"},
    "rejected_by_officer": {"zh-CN": "审批人驳回", "en": "Rejected by the approver"},
    "policy_limits_order": {"zh-CN": "工会主席审批限额不能低于财务委员限额", "en": "The chair's limit is below the finance officer's"},
    "year_invalid": {"zh-CN": "年份不正确", "en": "Invalid year"},
}


def ledger_error(exc: LedgerError):
    if exc.code in CONFLICTS:
        return Conflict(exc.code, fields=exc.fields, params=exc.params)
    return ValidationFailed(exc.code, fields=exc.fields, params=exc.params)


@contextlib.contextmanager
def domain_errors():
    """Turn the pure domain's errors into the platform's (mapped to HTTP once, in the gateway)."""
    from services.finance.orm import PostedEntryImmutable
    try:
        yield
    except LedgerError as exc:
        raise ledger_error(exc) from None
    except ApprovalError as exc:
        raise Forbidden(exc.code, params=exc.params) from None
    except PostedEntryImmutable:
        raise Conflict("posted_entry_immutable") from None
