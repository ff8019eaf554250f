"""Messages for the error codes of the membership service (会员管理), zh-CN first.

The plugin registers ``MESSAGES`` with ``shared.i18n``; codes the platform kit already defines
(``required``, ``invalid_choice``, ``too_long`` ...) are reused, never redefined, because a code
defined twice with different texts fails at registration.
Templates are filled from the error's ``params``; a placeholder the raiser may omit is avoided.
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # 身份证号 / 手机号
    "id_format": {
        "zh-CN": "身份证号格式不正确，应为 18 位且含有效出生日期",
        "en": "The ID number must have 18 characters and a valid birth date",
    },
    "id_checksum": {
        "zh-CN": "身份证号校验位错误，请核对",
        "en": "The ID number's check digit is wrong",
    },
    "id_birth_mismatch": {
        "zh-CN": "出生日期与身份证号不一致",
        "en": "The birth date does not match the ID number",
    },
    "id_gender_mismatch": {
        "zh-CN": "性别与身份证号不一致",
        "en": "The gender does not match the ID number",
    },
    "id_stored_as_number": {
        "zh-CN": "身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新填写",
        "en": "Excel stored the ID number as a number and lost its last digits; format the column as text and re-enter it",
    },
    "phone_invalid": {
        "zh-CN": "手机号码应为 11 位大陆手机号",
        "en": "The phone must be an 11-digit mainland mobile number",
    },
    # 会员状态
    "invalid_transition": {
        "zh-CN": "会员状态不能从“{from}”变更为“{to}”",
        "en": "A member cannot go from {from} to {to}",
    },
    "leave_reason_required": {
        "zh-CN": "退会须注明原因",
        "en": "A reason is required to close a membership",
    },
    "member_not_active": {
        "zh-CN": "该会员不是在册会员，不能办理此项业务",
        "en": "Only an active member can do this",
    },
    "member_closed": {
        "zh-CN": "该会员已转出或已退会，记录只作历史保存，不能修改",
        "en": "This membership is closed (transferred out or left) and kept as history only",
    },
    "member_not_found": {"zh-CN": "未找到该会员", "en": "Member not found"},
    "member_busy": {
        "zh-CN": "该会员信息正在被其他人同时修改，请稍后重试",
        "en": "This member is being changed by someone else at the same time; try again shortly",
    },
    "id_number_taken": {
        "zh-CN": "本校工会已有使用该身份证号的会员记录",
        "en": "This school union already has a member with this ID number",
    },
    "id_number_active_elsewhere": {
        "zh-CN": "该身份证号已是其他学校工会的在册会员，请由原学校办理转出",
        "en": "This ID number is an active member of another school union; transfer it out there first",
    },
    # 学校工会
    "school_not_found": {"zh-CN": "未找到该学校工会", "en": "School union not found"},
    "school_code_taken": {"zh-CN": "学校代码已被使用", "en": "This school code is already in use"},
    # 会员转移
    "transfer_same_school": {
        "zh-CN": "转入学校不能是会员当前所在学校",
        "en": "The target school is the member's current school",
    },
    "transfer_target_missing": {
        "zh-CN": "转入学校不存在",
        "en": "The target school does not exist",
    },
    # 工会小组 / 委员会
    "group_not_found": {"zh-CN": "未找到该工会小组", "en": "Union group not found"},
    "group_name_taken": {"zh-CN": "本校已有同名的工会小组", "en": "This school already has a group with that name"},
    "group_leader_not_in_group": {
        "zh-CN": "工会小组长须是本小组的在册会员",
        "en": "A group leader must be an active member of the group",
    },
    "committee_member_not_active": {
        "zh-CN": "工会委员须是本校在册会员",
        "en": "A committee member must be an active member of this school union",
    },
    "chair_taken": {
        "zh-CN": "本校工会已有在任的工会主席",
        "en": "This school union already has a chair in office",
    },
    "position_not_found": {"zh-CN": "未找到该委员任职记录", "en": "Committee position not found"},
    "position_ended": {"zh-CN": "该委员任职已经结束", "en": "This committee position has already ended"},
    # 生日 / 统计
    "invalid_month": {"zh-CN": "月份应为 1 至 12", "en": "The month must be between 1 and 12"},
    # 批量导入
    "missing_column": {
        "zh-CN": "文件缺少必需的列：{column}",
        "en": "The file lacks the required column: {column}",
    },
    "too_many_rows": {
        "zh-CN": "文件行数超过上限 {limit} 行，请分批导入",
        "en": "The file has more than {limit} rows; import it in parts",
    },
    "empty_file": {"zh-CN": "文件中没有数据", "en": "The file holds no data"},
    "file_unreadable": {
        "zh-CN": "无法读取文件，请确认是 xlsx 或 csv 文件",
        "en": "The file cannot be read; use xlsx or csv",
    },
    "unsupported_file_format": {
        "zh-CN": "不支持的文件格式，请上传 xlsx 或 csv 文件",
        "en": "Unsupported file format; upload xlsx or csv",
    },
    "duplicate_in_file": {
        "zh-CN": "与第 {first_row} 行的身份证号重复",
        "en": "Same ID number as row {first_row}",
    },
    "date_unrecognised": {
        "zh-CN": "无法识别的日期“{value}”，请写成 2020-09-01 的形式",
        "en": "Unrecognised date \"{value}\"; write it like 2020-09-01",
    },
    "gender_unrecognised": {
        "zh-CN": "无法识别的性别“{value}”，应为“男”或“女”",
        "en": "Unrecognised gender \"{value}\"; use male or female",
    },
    "category_unrecognised": {
        "zh-CN": "无法识别的人员类别“{value}”",
        "en": "Unrecognised staff category \"{value}\"",
    },
}
