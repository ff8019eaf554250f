"""User-facing messages: zh-CN first, English available.

Each service contributes a catalogue ``{code: {"zh-CN": ..., "en": ...}}`` through its plugin;
the gateway renders a code in the language the client asks for (``Accept-Language``), zh-CN by
default. Templates use ``str.format`` with the error's ``params``.
"""
from __future__ import annotations

DEFAULT_LANGUAGE = "zh-CN"
LANGUAGES = ("zh-CN", "en")

# codes of the platform kit and of field validation, shared by every service
KIT_MESSAGES: dict[str, dict[str, str]] = {
    "bad_request": {"zh-CN": "请求无效", "en": "Bad request"},
    "validation_failed": {"zh-CN": "提交的数据有误，请检查标出的字段", "en": "Some fields are invalid"},
    "malformed_json": {"zh-CN": "请求体不是合法的 JSON", "en": "The request body is not valid JSON"},
    "json_object_expected": {"zh-CN": "请求体必须是 JSON 对象", "en": "The request body must be a JSON object"},
    "not_authenticated": {"zh-CN": "请先登录", "en": "Authentication required"},
    "invalid_token": {"zh-CN": "登录凭证无效或已过期", "en": "The access token is invalid or expired"},
    "invalid_credentials": {"zh-CN": "用户名或密码错误", "en": "Wrong username or password"},
    "forbidden": {"zh-CN": "无权执行此操作", "en": "You are not allowed to do this"},
    "role_forbidden": {"zh-CN": "当前角色无权访问此功能", "en": "Your role may not use this endpoint"},
    "not_found": {"zh-CN": "未找到", "en": "Not found"},
    "route_not_found": {"zh-CN": "接口不存在", "en": "No such endpoint"},
    "method_not_allowed": {"zh-CN": "不支持该请求方法", "en": "Method not allowed"},
    "conflict": {"zh-CN": "与现有数据冲突", "en": "Conflicts with existing data"},
    "payload_too_large": {"zh-CN": "请求体过大（上限 {limit} 字节）", "en": "Request body too large (limit {limit} bytes)"},
    "unsupported_media_type": {"zh-CN": "不支持的内容类型", "en": "Unsupported content type"},
    "too_many_requests": {"zh-CN": "尝试过于频繁，请 {retry_after} 秒后再试", "en": "Too many attempts; retry in {retry_after} s"},
    "cross_school_write": {"zh-CN": "不能写入其他学校工会的数据", "en": "Writing into another school union is refused"},
    "service_unavailable": {"zh-CN": "服务暂不可用，请稍后再试", "en": "Service temporarily unavailable"},
    "internal_error": {"zh-CN": "服务器内部错误", "en": "Internal server error"},
    # shared by several services (a code means one thing on the whole platform)
    "member_account_required": {"zh-CN": "请使用绑定会员身份的账号（会员或代表）",
                                "en": "This needs an account linked to a member (member or delegate)"},
    "already_checked_in": {"zh-CN": "已签到", "en": "Already checked in"},
    "idempotency_key_reused": {"zh-CN": "该 Idempotency-Key 已用于另一个请求", "en": "This Idempotency-Key was used for a different request"},
    # field-level codes
    "money_not_string": {"zh-CN": "金额须以字符串提交（如 \"1200.00\"），不接受数字或浮点数",
                         "en": "Send amounts as strings such as \"1200.00\", never as numbers"},
    "money_format": {"zh-CN": "金额格式不正确", "en": "Not an amount of yuan"},
    "money_decimals": {"zh-CN": "金额最多两位小数", "en": "At most two decimals"},
    "money_negative": {"zh-CN": "金额不能为负数", "en": "The amount may not be negative"},
    "money_zero": {"zh-CN": "金额必须大于零", "en": "The amount must be greater than zero"},
    "required": {"zh-CN": "必填", "en": "Required"},
    "unknown_field": {"zh-CN": "未知字段", "en": "Unknown field"},
    "invalid": {"zh-CN": "格式不正确", "en": "Invalid value"},
    "invalid_type": {"zh-CN": "类型不正确", "en": "Wrong type"},
    "invalid_choice": {"zh-CN": "取值不在允许范围内", "en": "Not one of the allowed values"},
    "invalid_date": {"zh-CN": "日期格式应为 YYYY-MM-DD", "en": "Date must be YYYY-MM-DD"},
    "too_long": {"zh-CN": "过长", "en": "Too long"},
    "too_short": {"zh-CN": "过短或为空", "en": "Too short or empty"},
    "invalid_length": {"zh-CN": "长度不符合要求", "en": "Length out of range"},
    "out_of_range": {"zh-CN": "超出允许范围", "en": "Out of range"},
    "null": {"zh-CN": "不能为空", "en": "May not be null"},
}

_catalogue: dict[str, dict[str, str]] = dict(KIT_MESSAGES)


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add a service's catalogue; a code defined twice with different texts fails loudly."""
    for code, texts in messages.items():
        if code in _catalogue and _catalogue[code] != texts:
            raise ValueError(f"message code {code!r} defined twice with different texts")
        _catalogue[code] = texts


def pick_language(accept_language: str | None) -> str:
    if not accept_language:
        return DEFAULT_LANGUAGE
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def render(code: str, language: str = DEFAULT_LANGUAGE, params: dict | None = None) -> str:
    texts = _catalogue.get(code)
    if not texts:
        return code
    template = texts.get(language) or texts[DEFAULT_LANGUAGE]
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return template


def known(code: str) -> bool:
    return code in _catalogue
