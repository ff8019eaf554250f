"""The gateway as a plugin: its own routes (login, accounts) and its database."""
from services.gateway import schemas as s
from shared.plugins import Plugin, Route

H = "services.gateway.handlers:"
ALL_SCHOOL_ROLES = frozenset({"school_admin", "finance_officer", "welfare_officer", "congress_officer",
                              "events_officer", "auditor", "delegate", "member"})


def _metadata():
    from services.gateway.orm import Base
    return Base.metadata


def _seed_demo(runtime, context):
    from services.gateway.seed import seed_demo_accounts
    return seed_demo_accounts(runtime, context)


MESSAGES = {
    "username_taken": {"zh-CN": "用户名已被占用", "en": "Username already taken"},
    "password_too_short": {"zh-CN": "密码至少 8 位", "en": "Password must have at least 8 characters"},
    "role_grant_forbidden": {"zh-CN": "学校工会主席只能创建本校的非区级账号", "en": "A school admin may only create school roles"},
    "school_forbidden": {"zh-CN": "无权访问其他学校工会的数据", "en": "You may not access another school union"},
    "school_required": {"zh-CN": "缺少学校", "en": "A school is required"},
    "reveal_forbidden": {"zh-CN": "只有工会主席可以查看完整的身份证号和手机号", "en": "Only the union chair may unmask personal data"},
    "token_revoked": {"zh-CN": "登录已失效（账号已停用或密码已修改），请重新登录",
                      "en": "This token was revoked (account deactivated or password changed); log in again"},
    "idempotency_in_progress": {"zh-CN": "相同 Idempotency-Key 的请求正在处理，请 {retry_after} 秒后重试",
                                "en": "A request with this Idempotency-Key is still running; retry in {retry_after} s"},
    "account_not_found": {"zh-CN": "账号不存在", "en": "No such account"},
    "wrong_password": {"zh-CN": "原密码不正确", "en": "The current password is wrong"},
    "cannot_deactivate_self": {"zh-CN": "不能停用自己的账号", "en": "You cannot deactivate your own account"},
    "rpc_timeout": {"zh-CN": "后台服务响应超时，请稍后再试", "en": "A backend service did not answer in time"},
    "broker_unavailable": {"zh-CN": "消息总线暂时不可用，请稍后再试", "en": "The message bus is unavailable; try again shortly"},
    "service_not_running": {"zh-CN": "后台服务 {service} 未运行", "en": "Backend service {service} is not running"},
}

plugin = Plugin(
    name="gateway",
    service="services.gateway.service:build_service",
    migrations="services.gateway.migrations",
    metadata=_metadata,
    messages=MESSAGES,
    seed_demo=_seed_demo,
    routes=[
        Route("POST", "/api/v1/auth/token", "登录获取访问令牌", "Log in and get an access token", handler=H + "login",
              public=True, request=s.TokenRequestSchema, response=s.TokenSchema, tags=("auth",)),
        Route("GET", "/api/v1/auth/me", "当前登录账号", "The account behind the token", handler=H + "whoami",
              roles=ALL_SCHOOL_ROLES | {"district_admin"}, response=s.MeSchema, tags=("auth",)),
        Route("GET", "/api/v1/labels", "角色与语言标签", "Role labels in the requested language", handler=H + "labels",
              roles=ALL_SCHOOL_ROLES | {"district_admin"}, tags=("auth",)),
        Route("POST", "/api/v1/district/accounts", "区管理员创建账号", "District admin creates an account",
              handler=H + "create_account", roles=frozenset({"district_admin"}), request=s.AccountCreateSchema,
              response=s.AccountSchema, status=201, tags=("accounts",)),
        Route("GET", "/api/v1/district/accounts", "账号列表（全区）", "All accounts", handler=H + "list_accounts",
              roles=frozenset({"district_admin"}), query=s.AccountListQuery, response=s.AccountListSchema,
              tags=("accounts",)),
        Route("GET", "/api/v1/district/plugins", "已安装的服务插件", "Installed plugins", handler=H + "plugins",
              roles=frozenset({"district_admin"}), response=s.PluginListSchema, tags=("platform",)),
        Route("POST", "/api/v1/schools/{school}/accounts", "学校工会主席创建本校账号", "School admin creates an account",
              handler=H + "create_school_account", roles=frozenset({"school_admin", "district_admin"}),
              request=s.AccountCreateSchema, response=s.AccountSchema, status=201, tags=("accounts",)),
        Route("PATCH", "/api/v1/district/accounts/{account_id}", "修改账号（停用、重置密码、显示名）",
              "Update an account (deactivate, reset password, display name)", handler=H + "update_account",
              roles=frozenset({"district_admin"}), request=s.AccountUpdateSchema, response=s.AccountSchema,
              tags=("accounts",)),
        Route("PATCH", "/api/v1/schools/{school}/accounts/{account_id}", "修改本校账号（停用、重置密码、显示名）",
              "Update an account of the school", handler=H + "update_school_account",
              roles=frozenset({"school_admin", "district_admin"}), request=s.AccountUpdateSchema,
              response=s.AccountSchema, tags=("accounts",)),
        Route("POST", "/api/v1/auth/password", "修改本人密码（其他已登录设备失效）", "Change my password (other sessions end)",
              handler=H + "change_password", roles=ALL_SCHOOL_ROLES | {"district_admin"},
              request=s.PasswordChangeSchema, response=s.TokenSchema, tags=("auth",)),
        Route("GET", "/api/v1/schools/{school}/accounts", "本校账号列表", "Accounts of the school",
              handler=H + "list_school_accounts", roles=frozenset({"school_admin", "district_admin"}),
              query=s.AccountListQuery, response=s.AccountListSchema, tags=("accounts",)),
    ],
)
