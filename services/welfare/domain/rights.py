"""维权个案 (labour-relations and rights cases): the union helps the administration with post
setting and hiring (岗位设置、教职工聘任, in August) and defuses disputes early, counsels staff who
are reassigned (转岗), not re-hired (落聘) or retired early (内退), and puts rights proposals to the
administration on reforms that touch staff interests. The case notes are confidential: welfare
officers, the chair and the member concerned; a collective case (no member) only the officers."""
from __future__ import annotations

from services.welfare.domain.errors import WelfareConflict, WelfareInvalid

KINDS = ("post_setting", "hiring", "reassignment", "not_rehired", "early_retirement", "dispute",
         "rights_proposal", "other")
LABELS = {"post_setting": "岗位设置", "hiring": "教职工聘任", "reassignment": "转岗", "not_rehired": "落聘",
          "early_retirement": "内退", "dispute": "劳动争议", "rights_proposal": "维权建议", "other": "其他"}
# the kinds that are about one person and so must name the member
PERSONAL = frozenset({"reassignment", "not_rehired", "early_retirement"})
NOTE_KINDS = ("counselling", "mediation", "proposal", "reply", "follow_up", "note")
NOTE_LABELS = {"counselling": "谈心疏导", "mediation": "调解", "proposal": "向行政提出建议", "reply": "行政答复",
               "follow_up": "跟踪回访", "note": "记录"}
# how a case ends: resolved (化解), referred on (转调解委员会/仲裁), withdrawn (本人撤回)
OUTCOMES = ("resolved", "referred", "withdrawn")
STATUSES = ("open",) + OUTCOMES


def check_member(kind: str, member_id: int | None) -> None:
    if member_id is None and kind in PERSONAL:
        raise WelfareInvalid("rights_case_member_required", fields={"member_id": ["rights_case_member_required"]})


def check_open(status: str) -> None:
    if status != "open":
        raise WelfareConflict("rights_case_closed", params={"status": status})
