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
    "hardship_objection_resolved": {"zh-CN": "该异议已于 {on} 处理", "en": "This objection was answered on {on}"},
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
    "care_case_closed_before_event": {"zh-CN": "结案日期不能早于事由发生日期", "en": "A case cannot close before its event"},
    "campaign_gift_already_delivered": {"zh-CN": "该会员的慰问品已于 {on} 送达", "en": "This member's gift was delivered on {on}"},
    "health_follow_up_needs_attendance": {"zh-CN": "未到检的预约不能标记需跟进",
                                          "en": "Only a check that was attended can be flagged for follow-up"},
    "mutual_aid_not_covered": {"zh-CN": "该会员本年度参加的是“{plan}”保障，不含此项理赔",
                               "en": "The member's cover this year ({plan}) does not include this claim"},
    "hardship_date_in_future": {"zh-CN": "日期不能晚于今天", "en": "The date may not be in the future"},
    "hardship_date_before_previous_step": {"zh-CN": "日期不能早于上一步骤（{previous}）",
                                           "en": "The date may not be before the previous step ({previous})"},
    "welfare_member_not_in_service": {"zh-CN": "该会员不是在职会员", "en": "The member is not in service"},
    # 女职工“四期”保护
    "protection_women_only": {"zh-CN": "“四期”保护只适用于女会员", "en": "Four-periods protection is for women members only"},
    "protection_self_report_only": {"zh-CN": "经期保护只能由本人申请", "en": "Only the woman herself may ask for this protection"},
    "protection_ends_before_start": {"zh-CN": "结束日期不能早于开始日期", "en": "The end may not be before the start"},
    "protection_period_open": {"zh-CN": "该会员已有一段进行中的同类保护期", "en": "The member already has an open period of this kind"},
    "protection_period_ended": {"zh-CN": "该保护期已结束", "en": "This protection period has ended"},
    "protection_period_not_found": {"zh-CN": "保护期记录不存在", "en": "Protection period not found"},
    # 维权个案
    "rights_case_member_required": {"zh-CN": "此类个案须指明当事会员", "en": "A case of this kind must name the member"},
    "rights_case_closed": {"zh-CN": "个案已结案（{status}）", "en": "The case is closed ({status})"},
    "rights_case_not_found": {"zh-CN": "维权个案不存在", "en": "Rights case not found"},
    "rights_case_date_in_future": {"zh-CN": "日期不能晚于今天", "en": "The date may not be in the future"},
    "rights_note_date_out_of_case": {"zh-CN": "日期须在立案之后且不晚于今天",
                                     "en": "The date must fall between the opening of the case and today"},
    # 工作条件
    "condition_step_out_of_order": {"zh-CN": "当前状态“{status}”不能改为“{to}”", "en": "An item in status {status} cannot move to {to}"},
    "condition_item_not_found": {"zh-CN": "工作条件事项不存在", "en": "Working-conditions item not found"},
    "condition_date_in_future": {"zh-CN": "日期不能晚于今天", "en": "The date may not be in the future"},
    "condition_date_before_raised": {"zh-CN": "日期不能早于提出日期", "en": "The date may not be before the item was raised"},
    # 关爱项目（疗养、女职工活动、健康促进）
    "programme_not_found": {"zh-CN": "项目不存在", "en": "Programme not found"},
    "programme_ends_before_start": {"zh-CN": "结束日期不能早于开始日期", "en": "The end may not be before the start"},
    "programme_cost_not_allowed": {"zh-CN": "此类项目不通过福利支付人均费用",
                                   "en": "This kind of programme has no cost per person paid as welfare"},
    "programme_full": {"zh-CN": "名额已满（共 {places} 个，剩余 {left} 个）", "en": "No places left ({left} of {places})"},
    "programme_not_eligible": {"zh-CN": "该会员不在本项目对象范围内", "en": "The member is not in this programme's audience"},
    "programme_participant_exists": {"zh-CN": "该会员已在名单中", "en": "The member is already on the list"},
    "programme_participant_not_found": {"zh-CN": "名单中没有该会员", "en": "The member is not on the list"},
    "programme_attendance_paid": {"zh-CN": "费用已报财务，不能改为未参加", "en": "The cost was asked of finance: attendance cannot be taken back"},
    # 职业幸福指数
    "happiness_survey_not_found": {"zh-CN": "调查不存在", "en": "Survey not found"},
    "happiness_closes_before_opening": {"zh-CN": "截止日期不能早于开始日期", "en": "The survey cannot close before it opens"},
    "happiness_survey_closed": {"zh-CN": "调查不在填答期内（{opens_on} 至 {closes_on}）",
                                "en": "The survey takes answers from {opens_on} to {closes_on} only"},
    "happiness_already_responded": {"zh-CN": "您已填答过本次调查", "en": "You have already answered this survey"},
}
