"""教代会的规则: pure functions, no framework.

Numbers are compared exactly with integers: "more than half of 9" is 5, "at least two-thirds
of 9" is 6. A rule is ``Rule(base, num, den, strict)``: ``strict`` means "more than" the
fraction, otherwise "at least".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

POWERS = ("hear_report", "deliberate_approve", "evaluate_supervise", "suggest", "decide")
POWER_LABELS = {"hear_report": "听取报告", "deliberate_approve": "审议通过", "evaluate_supervise": "评议监督",
                "suggest": "建议", "decide": "决定"}
MODES = ("delegate_congress", "all_staff_assembly")
MODE_LABELS = {"delegate_congress": "教职工代表大会", "all_staff_assembly": "教职工大会"}
BASES = ("all_delegates", "present", "votes_cast")
MOTION_CHOICES = ("yes", "no", "abstain")
GRADES = ("excellent", "competent", "basically_competent", "incompetent")
GRADE_LABELS = {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职", "incompetent": "不称职"}
TEACHER_CATEGORIES = ("teacher", "temporary_teacher")
TEACHER_SHARE_MIN = (3, 5)          # 60%: a warning, not a block
# 代表出缺: a delegate represents the in-service staff, so leaving the union, transferring out and
# retiring all leave a vacancy
LEAVES_DELEGATION = ("left", "transferred_out", "retired")
ELECTION_PURPOSES = ("union_committee", "funds_review_committee", "delegates", "other")

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 8 -> 八, 10 -> 十, 15 -> 十五, 21 -> 二十一."""
    if n < 1 or n > 99:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def session_label(term_no: int, session_no: int) -> str:
    """届次: term 8, session 5 -> 八届五次."""
    return f"{chinese_number(term_no)}届{chinese_number(session_no)}次"


def school_year_of(day: date) -> int:
    """The school year (学年) a day falls in, named by the year it starts: 2026-10-01 -> 2026."""
    return day.year if day.month >= 9 else day.year - 1


def school_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 9, 1), date(year + 1, 8, 31)


def sitting_for_vote(sitting_dates: list[tuple[int, date]], today: date) -> int:
    """The sitting a vote belongs to when none is named: the latest one held by today (九届一次 on
    3月31日 and 4月7日 votes on 3月31日 at the first), or the first when none has been held yet.

    ``sitting_dates``: (sitting id, date) pairs."""
    ordered = sorted(sitting_dates, key=lambda s: (s[1], s[0]))
    held = [s for s in ordered if s[1] <= today]
    return (held[-1] if held else ordered[0])[0]


@dataclass(frozen=True)
class Rule:
    base: str = "all_delegates"
    num: int = 1
    den: int = 2
    strict: bool = True

    def threshold(self, base_count: int) -> int:
        """The smallest count that satisfies the rule for ``base_count``."""
        if self.strict:
            return base_count * self.num // self.den + 1
        return -(-base_count * self.num // self.den)

    def met(self, count: int, base_count: int) -> bool:
        return count >= self.threshold(base_count)

    def as_dict(self) -> dict:
        return {"base": self.base, "num": self.num, "den": self.den, "strict": self.strict}


DEFAULT_QUORUM = Rule("all_delegates", 2, 3, strict=False)     # 到会代表不少于全体代表的三分之二
DEFAULT_PASS = Rule("all_delegates", 1, 2, strict=True)        # 超过全体代表的半数
DEFAULT_ELECTION = Rule("votes_cast", 1, 2, strict=True)       # 得票超过投票人数的半数


def quorum(present: int, total: int, rule: Rule = DEFAULT_QUORUM) -> dict:
    """到会人数 against the quorum rule; with no delegates there is no quorum."""
    required = rule.threshold(total)
    return {"present": present, "total": total, "required": required,
            "quorate": total > 0 and present >= required}


def base_count(rule: Rule, *, eligible: int, present: int, cast: int) -> int:
    return {"all_delegates": eligible, "present": present, "votes_cast": cast}[rule.base]


def motion_outcome(counts: dict, rule: Rule, *, eligible: int, present: int) -> dict:
    """表决结果: adopted when the yes votes meet the rule in force (abstentions are not yes)."""
    yes, no, abstain = (int(counts.get(k, 0)) for k in MOTION_CHOICES)
    cast = yes + no + abstain
    base = base_count(rule, eligible=eligible, present=present, cast=cast)
    required = rule.threshold(base)
    return {"yes": yes, "no": no, "abstain": abstain, "cast": cast, "base": base, "required": required,
            "adopted": base > 0 and yes >= required, "rule": rule.as_dict()}


def validate_motion_choice(choice) -> str | None:
    return None if choice in MOTION_CHOICES else "invalid_choice"


def validate_approval_choice(choice, candidates: set, max_choices: int) -> str | None:
    """An approval ballot: distinct candidates, at most ``max_choices`` (an empty ballot is a blank vote)."""
    if not isinstance(choice, list) or any(not isinstance(c, int) or isinstance(c, bool) for c in choice):
        return "invalid_choice"
    if len(set(choice)) != len(choice) or not set(choice) <= candidates:
        return "invalid_choice"
    if len(choice) > max_choices:
        return "too_many_choices"
    return None


def validate_grades(choice, subjects: set) -> str | None:
    """A rating ballot grades every subject once with one of the four grades."""
    if not isinstance(choice, dict) or set(choice) != {str(s) for s in subjects}:
        return "every_subject_required"
    if any(g not in GRADES for g in choice.values()):
        return "invalid_grade"
    return None


def election_outcome(votes: dict, seats: int, cast: int, rule: Rule = DEFAULT_ELECTION, *,
                     eligible: int = 0, present: int = 0) -> dict:
    """选举结果: candidates reaching the threshold win in order of votes; a tie across the last
    seats goes to a runoff (另行选举) between the tied candidates for the seats left.

    ``votes``: candidate id -> votes. Returns winners, the runoff (candidates and seats) or None,
    and the seats left unfilled when too few candidates reached the threshold."""
    base = base_count(rule, eligible=eligible, present=present, cast=cast)
    required = rule.threshold(base)
    qualified = sorted(((v, c) for c, v in votes.items() if base > 0 and v >= required), key=lambda x: (-x[0], x[1]))
    winners: list = []
    runoff = None
    i = 0
    while i < len(qualified) and len(winners) < seats:
        level = qualified[i][0]
        tied = [c for v, c in qualified if v == level]
        left = seats - len(winners)
        if len(tied) <= left:
            winners += tied
        else:
            runoff = {"candidates": sorted(tied), "seats": left}
            break
        i += len(tied)
    unfilled = seats - len(winners) - (runoff["seats"] if runoff else 0)
    return {"votes": {str(c): v for c, v in sorted(votes.items())}, "cast": cast, "base": base,
            "required": required, "seats": seats, "winners": winners, "runoff": runoff, "unfilled": unfilled,
            "decided": runoff is None, "rule": rule.as_dict()}


def grade_distribution(ratings: list[str]) -> dict:
    """评议结果 for one person: counts per grade, the satisfaction rate (优秀+称职 over all) and the
    excellent rate, as exact fractions rounded only for display (percent, 1 decimal)."""
    counts = {g: 0 for g in GRADES}
    for grade in ratings:
        counts[grade] += 1
    total = len(ratings)
    satisfied = counts["excellent"] + counts["competent"]
    return {"counts": counts, "total": total, "satisfied": satisfied,
            "satisfaction_rate": percent(satisfied, total), "excellent_rate": percent(counts["excellent"], total)}


def percent(part: int, whole: int):
    """``part / whole`` as a percentage with one decimal, half up; None when ``whole`` is 0."""
    if whole == 0:
        return None
    tenths = (part * 1000 * 2 + whole) // (whole * 2)
    return tenths / 10


def breakdown(groups: dict, min_size: int) -> dict:
    """Results by group, never for a group smaller than ``min_size``: small groups merge into
    "other", and when "other" is itself too small, the next smallest groups join it, so no small
    group's result can be worked out by subtraction. Below ``min_size`` in all, no breakdown.

    ``groups``: name -> {"n": ballots, ...counts}. Returns name -> counts (with "other")."""
    total = sum(g["n"] for g in groups.values())
    if total < min_size:
        return {}
    shown = {k: v for k, v in groups.items() if v["n"] >= min_size}
    hidden = {k: v for k, v in groups.items() if k not in shown}
    while hidden and sum(v["n"] for v in hidden.values()) < min_size and shown:
        smallest = min(shown, key=lambda k: (shown[k]["n"], str(k)))
        hidden[smallest] = shown.pop(smallest)
    out = dict(shown)
    if hidden:
        merged: dict = {}
        for counts in hidden.values():
            for key, value in counts.items():
                merged[key] = merged.get(key, 0) + value
        out["other"] = merged
    if len(out) == 1:
        return {}
    return out


def delegate_term_allowed(session_term: int, term_no: int) -> bool:
    """代表选举: delegates are elected for the session's own term (补选) or for the next one (换届)."""
    return term_no in (session_term, session_term + 1)


def fill_vacancies(open_vacancies: list[tuple[int, int | None]], newcomers: list[tuple[int, int | None]]) -> dict:
    """补选: each new delegate fills the oldest open vacancy of the same term's constituency.

    ``open_vacancies``: (vacant delegate id, constituency) oldest first; ``newcomers``: (new
    delegate id, constituency). Returns vacant delegate id -> new delegate id."""
    waiting: dict = {}
    for vacancy, group in open_vacancies:
        waiting.setdefault(group, []).append(vacancy)
    filled = {}
    for newcomer, group in newcomers:
        if waiting.get(group):
            filled[waiting[group].pop(0)] = newcomer
    return filled


def teacher_share(delegates: list[str]) -> dict:
    """教师代表比例: categories of the current delegates; below 60% is a warning, not a block."""
    total = len(delegates)
    teachers = sum(1 for c in delegates if c in TEACHER_CATEGORIES)
    num, den = TEACHER_SHARE_MIN
    return {"delegates": total, "teachers": teachers, "teacher_share": percent(teachers, total),
            "warning": "teacher_share_low" if total and teachers * den < total * num else None}


# --- proposals (提案) ---------------------------------------------------------------------

PROPOSAL_FLOW = {
    "submitted": {"register", "convert", "decline"},
    "registered": {"assign", "answer"},
    "assigned": {"answer"},
    "answered": {"track", "rate"},
    "in_progress": {"track", "rate"},
    "implemented": {"rate"},
    "partly_implemented": {"track", "rate"},
    "not_implementable": {"rate"},
    "reopened": {"assign", "answer"},
    "opinion": set(),
    "declined": set(),
}
PROPOSAL_STATUS_LABELS = {"submitted": "待审查", "registered": "已立案", "assigned": "已交办", "answered": "已答复",
                          "in_progress": "落实中", "implemented": "已落实", "partly_implemented": "部分落实",
                          "not_implementable": "不能落实", "reopened": "重新办理", "opinion": "转为意见建议",
                          "declined": "不予立案"}
SATISFACTION_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
TRACK_STATUSES = ("in_progress", "implemented", "partly_implemented", "not_implementable")
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")
REPLIED = {"answered", "in_progress", "implemented", "partly_implemented", "not_implementable"}


def proposal_allows(status: str, action: str) -> bool:
    return action in PROPOSAL_FLOW.get(status, set())


def in_window(day: date, opens: date | None, closes: date | None) -> bool:
    """提案征集期: an open bound is no limit."""
    return (opens is None or day >= opens) and (closes is None or day <= closes)


AWAITING_REPLY = ("registered", "assigned", "reopened")


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """逾期: no reply yet and the due date has passed."""
    return status in AWAITING_REPLY and due_on is not None and due_on < today


def proposal_rates(statuses: list[str], ever_replied: list[bool]) -> dict:
    """答复率 and 落实率 of a session's proposals (opinions and declined ones are not proposals).

    ``ever_replied`` says per proposal whether it has a reply on record (a reopened proposal keeps
    its first reply but is not counted as implemented)."""
    counted = [(s, r) for s, r in zip(statuses, ever_replied) if s not in ("submitted", "opinion", "declined")]
    total = len(counted)
    replied = sum(1 for s, r in counted if r and s != "reopened")
    implemented = sum(1 for s, _ in counted if s == "implemented")
    partly = sum(1 for s, _ in counted if s == "partly_implemented")
    return {"proposals": total, "replied": replied, "reply_rate": percent(replied, total),
            "implemented": implemented, "partly_implemented": partly,
            "implementation_rate": percent(implemented, total)}


def disclosure_gaps(months_with_notices: set[str], year: int, through: date) -> list[str]:
    """每月一公开: the months of ``year`` that ended by ``through`` without a notice (YYYY-MM). The
    month in progress is not missing yet (see ``disclosure_pending``)."""
    last = 12 if through.year > year else through.month - 1 if through.year == year else 0
    return [f"{year}-{m:02d}" for m in range(1, last + 1) if f"{year}-{m:02d}" not in months_with_notices]


def disclosure_pending(months_with_notices: set[str], year: int, through: date) -> str | None:
    """The month in progress when it has no notice yet: still due, not yet missing."""
    month = f"{through:%Y-%m}"
    return month if through.year == year and month not in months_with_notices else None
