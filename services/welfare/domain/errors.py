"""Errors of the welfare service (职工福利与关爱) and their messages, zh-CN first.

Codes are prefixed or specific enough not to clash with another service's catalogue (a code
registered twice with different texts fails at start)."""
from __future__ import annotations

from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

WelfareInvalid = ValidationFailed
WelfareConflict = Conflict
WelfareNotFound = NotFound
WelfareForbidden = Forbidden


def PolicyViolation(code: str, field: str, params: dict) -> ValidationFailed:  # noqa: N802 (reads as a class)
    """A payment the policy table refuses; the code names the rule broken (422)."""
    return ValidationFailed(code, fields={field: [code]}, params=params)


MESSAGES: dict[str, dict[str, str]] = {
    # 政策
    "payment_form_forbidden": {"zh-CN": "政策禁止以“{form}”形式发放", "en": "The policy forbids payments in the form {form}"},
    "payment_over_cap_per_event": {"zh-CN": "超过“{kind}”每次标准上限 {cap} 元（{source}政策）",
                                   "en": "Above the per-event cap of {cap} for {kind} ({source} policy)"},
    "payment_over_cap_per_member_year": {
        "zh-CN": "超过“{kind}”每人每年上限 {cap} 元，本年度剩余额度 {remaining} 元（{source}政策）",
        "en": "Above the yearly cap of {cap} per member for {kind}; {remaining} left this year ({source} policy)"},
    "payment_over_times_per_year": {"zh-CN": "“{kind}”每人每年限 {times} 次，本年度已发放",
                                    "en": "{kind} is paid at most {times} time(s) per member per year; already paid this year"},
    "policy_above_district_cap": {"zh-CN": "学校标准不得高于区教育工会标准（{kind}）",
                                  "en": "A school may only narrow the district's cap for {kind}"},
    "welfare_member_unknown": {"zh-CN": "本校会员名录中没有该会员", "en": "No such member in this school union"},
    "welfare_member_not_live": {"zh-CN": "该会员已不在本校会籍内", "en": "The member is no longer a member of this school union"},
    "hardship_file_required": {"zh-CN": "困难帮扶须对应一份已批准的困难职工档案",
                               "en": "Hardship help needs an approved hardship file of the member's household"},
    # 慰问
    "care_case_not_found": {"zh-CN": "慰问记录不存在", "en": "Care case not found"},
    "care_case_closed": {"zh-CN": "慰问记录已结案", "en": "The care case is closed"},
    "care_kind_unknown": {"zh-CN": "未定义的慰问事由", "en": "Unknown care-case kind"},
    "care_kind_exists": {"zh-CN": "慰问事由已存在", "en": "This care-case kind exists"},
    "payment_not_found": {"zh-CN": "支付申请不存在", "en": "Payment request not found"},
    "welfare_own_records_only": {"zh-CN": "会员只能查看和申报本人的记录", "en": "Members see and report only their own records"},
    # 困难职工档案
    "hardship_file_not_found": {"zh-CN": "困难职工档案不存在", "en": "Hardship file not found"},
    "hardship_household_has_file": {"zh-CN": "该家庭已有一份在档的困难职工档案（每户一档）",
                                    "en": "The household already has an open hardship file (one per household)"},
    "hardship_step_out_of_order": {"zh-CN": "困难档案当前状态“{status}”不能执行“{step}”",
                                   "en": "A hardship file in status {status} cannot take the step {step}"},
    "hardship_notice_not_completed": {"zh-CN": "公示期未满（{ends_on} 结束）或尚有未处理的异议，不能批准",
                                      "en": "The public notice runs until {ends_on} or has unresolved objections: approval refused"},
    "hardship_objection_not_found": {"zh-CN": "异议不存在", "en": "Objection not found"},
    # 生日
    "birthday_already_delivered": {"zh-CN": "该会员本年度生日慰问已登记", "en": "This member's birthday was already delivered this year"},
    # 健康、互助、送温暖、助学
    "health_campaign_not_found": {"zh-CN": "体检活动不存在", "en": "Health-check campaign not found"},
    "health_not_eligible": {"zh-CN": "该会员不在本次体检对象范围内", "en": "The member is not eligible for this check"},
    "health_already_booked": {"zh-CN": "该会员已预约本次体检", "en": "The member is already booked"},
    "health_booking_not_found": {"zh-CN": "体检预约不存在", "en": "Booking not found"},
    "mutual_aid_already_enrolled": {"zh-CN": "该会员本年度已参加互助保障", "en": "The member is already enrolled this year"},
    "mutual_aid_not_enrolled": {"zh-CN": "该会员本年度未参加互助保障", "en": "The member is not enrolled this year"},
    "mutual_aid_claim_not_found": {"zh-CN": "理赔申请不存在", "en": "Claim not found"},
    "mutual_aid_claim_step": {"zh-CN": "理赔当前状态“{status}”不能执行该操作", "en": "A claim in status {status} cannot take this step"},
    "campaign_not_found": {"zh-CN": "送温暖活动不存在", "en": "Outreach campaign not found"},
    "campaign_recipient_exists": {"zh-CN": "该会员已在本次活动名单中", "en": "The member is already on this campaign's list"},
    "campaign_recipient_not_found": {"zh-CN": "名单中没有该会员", "en": "The member is not on this campaign's list"},
    "student_aid_double_funding": {"zh-CN": "该学生本年度已获资助，不能重复资助", "en": "This student is already funded this year"},
    "student_aid_not_eligible": {"zh-CN": "不符合金秋助学条件：须有已批准的困难职工档案",
                                 "en": "Not eligible: student aid needs an approved hardship file"},
    "student_aid_not_found": {"zh-CN": "助学申请不存在", "en": "Student-aid application not found"},
}
