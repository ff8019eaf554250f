"""福利政策 (the welfare policy table): caps per kind, per member per year and per event, and the
payment forms that are forbidden. The district sets the policy; a school may only narrow it.

Amounts are policy data, never constants: ``DEFAULT_RULES`` is what a district starts from
(one province's published caps, DOMAIN.md) until its district_admin sets its own rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from services.welfare.domain.errors import PolicyViolation, WelfareInvalid

D = Decimal

# 慰问/福利 kinds a payment may be of, with their finance spending category (经费支出科目)
KINDS = {
    "hospitalisation": "rights_welfare",     # 生病住院慰问
    "wedding": "rights_welfare",             # 结婚
    "childbirth": "rights_welfare",          # 生育
    "death_of_member": "rights_welfare",     # 职工去世
    "death_of_relative": "rights_welfare",   # 直系亲属去世
    "retirement": "rights_welfare",          # 退休慰问
    "hardship": "rights_welfare",            # 困难帮扶 (only against an approved hardship file)
    "sick_leave": "rights_welfare",          # 病休慰问
    "warmth": "rights_welfare",              # 送温暖 (节日慰问困难、患病职工和退休职工)
    "student_aid": "rights_welfare",         # 金秋助学
    "mutual_aid": "rights_welfare",          # 互助保障理赔
    "holiday_gift": "staff_activities",      # 节日慰问品 (三八、教师节、中秋、春节)
    "birthday": "staff_activities",          # 生日蛋糕和贺卡
    "sanatorium": "staff_activities",        # 暑期疗休养
    "health_promotion": "staff_activities",  # 健康促进 (计步器、岗位健身、心理健康)
    "other": "rights_welfare",
}
# kinds that happen at most once a year whatever the table says (a birthday comes once a year)
ONCE_A_YEAR = frozenset({"birthday"})
# 支付形式: cash and bank transfer are money (现金, 转账), a shopping card counts as money too (购物卡)
FORMS = {"cash": "money", "transfer": "money", "shopping_card": "money", "goods": "goods", "service": "service"}


@dataclass(frozen=True)
class Rule:
    """One row of the policy table. ``None`` means no cap of that sort."""
    kind: str
    per_event: Decimal | None = None
    per_member_year: Decimal | None = None
    times_per_year: int | None = None

    def narrowed_by(self, other: "Rule | None") -> "Rule":
        if other is None:
            return self
        return Rule(self.kind, _min(self.per_event, other.per_event), _min(self.per_member_year, other.per_member_year),
                    _min(self.times_per_year, other.times_per_year))


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


DEFAULT_RULES = {r.kind: r for r in (
    Rule("holiday_gift", per_member_year=D("1500.00")),
    Rule("birthday", per_event=D("300.00"), per_member_year=D("300.00"), times_per_year=1),
    Rule("wedding", per_event=D("600.00")),
    Rule("childbirth", per_event=D("600.00")),
    Rule("hospitalisation", per_event=D("1000.00")),
    Rule("death_of_member", per_event=D("2000.00")),
    Rule("death_of_relative", per_event=D("1000.00")),
    Rule("retirement", per_event=D("1000.00"), times_per_year=1),
)}
# 中央八项规定 forbids shopping cards bought with union funds; a district may forbid cash as well
DEFAULT_FORBIDDEN = frozenset({"shopping_card"})


# district settings that are not caps; the seeds do not fix them, so these are defaults
DEFAULT_SETTINGS = {
    "retirement_age": {"male": 60, "female": 55},          # 法定退休年龄 (changes with national policy)
    "student_aid_tiers": {"university": "3000.00", "vocational_college": "2000.00", "senior_high": "1000.00"},
    "hardship_notice_days": 5,                              # 公示天数
    "protection_days": {"maternity": 98, "breastfeeding": 365},   # 产假, 哺乳期 (女职工劳动保护特别规定)
    "happiness_min_responses": 5,                           # 幸福指数: answers needed before results show
}


def merged_settings(stored: dict | None) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_SETTINGS.items()}
    for key, value in (stored or {}).items():
        if isinstance(out.get(key), dict) and isinstance(value, dict):
            out[key].update(value)
        elif value is not None:
            out[key] = value
    return out


@dataclass(frozen=True)
class Policy:
    """The effective policy of one school: the district's rules narrowed by the school's."""
    rules: dict = field(default_factory=dict)
    forbidden_forms: frozenset = frozenset()
    sources: dict = field(default_factory=dict)   # kind -> "district" | "school" | "default"

    def rule(self, kind: str) -> Rule:
        return self.rules.get(kind) or Rule(kind)


def _once_a_year(rules: dict) -> dict:
    out = dict(rules)
    for kind in ONCE_A_YEAR:
        rule = out.get(kind) or Rule(kind)
        out[kind] = Rule(kind, rule.per_event, rule.per_member_year, _min(rule.times_per_year, 1))
    return out


def district_policy(rows: list[Rule] | None, forbidden: frozenset | None) -> Policy:
    """The district's policy: its own table once it has set one (an empty table caps nothing),
    the defaults until then."""
    own = dict(DEFAULT_RULES) if rows is None else {r.kind: r for r in rows}
    source = "default" if rows is None else "district"
    rules = _once_a_year(own)
    return Policy(rules, DEFAULT_FORBIDDEN if forbidden is None else frozenset(forbidden),
                  {k: source if k in own else "default" for k in rules})


def school_policy(district: Policy, rows: list[Rule], forbidden: frozenset) -> Policy:
    rules, sources = dict(district.rules), dict(district.sources)
    for row in rows:
        rules[row.kind] = rules.get(row.kind, Rule(row.kind)).narrowed_by(row)
        sources[row.kind] = "school"
    return Policy(rules, district.forbidden_forms | frozenset(forbidden), sources)


def check_narrowing(district: Policy, row: Rule) -> None:
    """A school may only narrow the district's caps (学校标准不得高于区标准)."""
    base = district.rule(row.kind)
    bad = {}
    for name in ("per_event", "per_member_year", "times_per_year"):
        mine, theirs = getattr(row, name), getattr(base, name)
        if name == "times_per_year" and mine is None and row.kind in ONCE_A_YEAR:
            continue    # once a year is the kind's nature, not a district cap the school drops
        if theirs is not None and (mine is None or mine > theirs):
            bad[name] = ["policy_above_district_cap"]
    if bad:
        raise WelfareInvalid("policy_above_district_cap", fields=bad, params={"kind": row.kind})


def validate_kind(kind: str) -> None:
    if kind not in KINDS:
        raise WelfareInvalid(fields={"kind": ["invalid_choice"]})


@dataclass(frozen=True)
class Spent:
    """What a member already has of one kind this year (requests not rejected count)."""
    amount: Decimal = D("0.00")
    times: int = 0


def check_payment(policy: Policy, kind: str, form: str, amount: Decimal, spent: Spent,
                  event_spent: Decimal = D("0.00")) -> None:
    """Refuse a payment that breaks the policy, naming the rule; returns None when allowed.

    ``event_spent``: what the same life event (one care case) already has of this kind, so that
    two visits to one hospitalisation share its per-event cap."""
    if form in policy.forbidden_forms:
        raise PolicyViolation("payment_form_forbidden", "form", {"form": form})
    rule = policy.rule(kind)
    source = policy.sources.get(kind, "default")
    if rule.per_event is not None and event_spent + amount > rule.per_event:
        raise PolicyViolation("payment_over_cap_per_event", "amount",
                              {"kind": kind, "cap": str(rule.per_event), "source": source,
                               "remaining": str(max(rule.per_event - event_spent, D("0.00")))})
    if rule.times_per_year is not None and spent.times >= rule.times_per_year:
        raise PolicyViolation("payment_over_times_per_year", "kind",
                              {"kind": kind, "times": rule.times_per_year, "source": source})
    if rule.per_member_year is not None and spent.amount + amount > rule.per_member_year:
        remaining = max(rule.per_member_year - spent.amount, D("0.00"))
        raise PolicyViolation("payment_over_cap_per_member_year", "amount",
                              {"kind": kind, "cap": str(rule.per_member_year), "remaining": str(remaining),
                               "source": source})


def contract_form(form: str) -> str:
    return FORMS[form]


def budget_category(kind: str) -> str:
    return KINDS[kind]


