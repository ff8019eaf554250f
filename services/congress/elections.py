"""Elections and ratings (差额选举、民主评议): candidate lists with more candidates than seats, the
result with its runoff (另行选举) and, for an election of delegates, the winners enrolled; ratings
of leaders on four grades with the distribution per person, exported for pay (结构工资)."""
from __future__ import annotations

import base64
import io
import json

from sqlalchemy import select

from services.congress import delegates
from services.congress.domain import rules
from services.congress.orm import Delegate, DirectoryMember, Poll
from services.congress.polls import agenda_item_of, session_taking_polls, load_poll, poll_view
from shared.errors import Conflict, ValidationFailed


def create_election(uow, school: str, session_id: int, data: dict) -> dict:
    """差额选举: more candidates than seats, each an in-service member. An election of delegates
    (代表选举) is for the session's term or the next one, and may be held in one constituency (选区,
    a union group): only that group votes, and only its members stand."""
    s = uow.session
    row = session_taking_polls(s, session_id)
    item = agenda_item_of(s, row, data.get("agenda_item_id"))
    seats, candidates, purpose = data["seats"], data["candidates"], data.get("purpose")
    term_no, constituency = data.get("term_no"), data.get("constituency_group_id")
    bad: dict = {}

    def refuse(field, code):
        bad.setdefault(field, []).append(code)
    if len(candidates) <= seats:
        refuse("candidates", "candidates_must_exceed_seats")      # 差额选举
    member_ids = [c["member_id"] for c in candidates]
    if len(set(member_ids)) != len(member_ids):
        refuse("candidates", "duplicate_candidate")
    members = {m.member_id: m for m in s.scalars(select(DirectoryMember).where(DirectoryMember.member_id.in_(member_ids)))}
    if any(members.get(m) is None or members[m].status != "active" for m in member_ids):
        refuse("candidates", "candidate_not_a_member")
    max_choices = data.get("max_choices", seats)
    if max_choices > seats:
        refuse("max_choices", "max_choices_over_seats")
    if purpose == "delegates":
        term_no = term_no or row.term_no
        if not rules.delegate_term_allowed(row.term_no, term_no):
            refuse("term_no", "delegate_term_out_of_range")
        if constituency is not None and any(m in members and members[m].union_group_id != constituency
                                            for m in member_ids):
            refuse("candidates", "candidate_not_in_constituency")
        sitting = set(s.scalars(select(Delegate.member_id).where(Delegate.term_no == term_no, Delegate.status == "active",
                                                                 Delegate.member_id.in_(member_ids))))
        if sitting:
            refuse("candidates", "candidate_already_delegate")
    else:
        for field, value in (("term_no", term_no), ("constituency_group_id", constituency)):
            if value is not None:
                refuse(field, "only_for_delegate_elections")
    if bad:
        raise ValidationFailed(fields=bad)
    options = [{"id": i, "member_id": m, "name": members[m].name} for i, m in enumerate(member_ids, start=1)]
    poll = Poll(school=school, session_id=row.id, agenda_item_id=item.id if item else None, kind="election",
                title=data["title"], status="draft", options=options, seats=seats, max_choices=max_choices,
                purpose=purpose, term_no=term_no, constituency_group_id=constituency,
                rule=data.get("rule") or row.election_rule, breakdown=data.get("breakdown", False))
    s.add(poll)
    s.flush()
    uow.commit()
    return poll_view(poll)


def create_evaluation(uow, school: str, session_id: int, data: dict) -> dict:
    row = session_taking_polls(uow.session, session_id)
    item = agenda_item_of(uow.session, row, data.get("agenda_item_id"))
    options = [{"id": i, "name": s["name"], "post": s.get("post"), "member_id": s.get("member_id")}
               for i, s in enumerate(data["subjects"], start=1)]
    poll = Poll(school=school, session_id=row.id, agenda_item_id=item.id if item else None, kind="evaluation",
                title=data["title"], status="draft", options=options, purpose=data.get("purpose", "cadre_rating"),
                rule=rules.Rule("votes_cast", 1, 2, True).as_dict(), breakdown=data.get("breakdown", False))
    uow.session.add(poll)
    uow.session.flush()
    uow.commit()
    return poll_view(poll)


def election_decided(uow, school, row, poll, decided_on):
    result = poll.result
    by_id = {o["id"]: o for o in poll.options}
    runoff_id = None
    if result["runoff"]:
        ro = result["runoff"]
        runoff = Poll(school=school, session_id=row.id, agenda_item_id=poll.agenda_item_id, kind="election",
                      title=f"{poll.title}（另行选举）", status="draft",
                      options=[by_id[c] for c in ro["candidates"]], seats=ro["seats"], max_choices=ro["seats"],
                      purpose=poll.purpose, term_no=poll.term_no, constituency_group_id=poll.constituency_group_id,
                      rule=poll.rule, breakdown=poll.breakdown, runoff_of=poll.id)
        uow.session.add(runoff)
        uow.session.flush()
        runoff_id = runoff.id
        result["runoff_poll_id"] = runoff_id
    winners = [{"member_id": by_id[c]["member_id"], "name": by_id[c]["name"], "votes": result["votes"][str(c)]}
               for c in result["winners"]]
    uow.publish("congress.election_decided", {
        "poll_id": poll.id, "session_id": row.id, "school": school, "title": poll.title, "purpose": poll.purpose,
        "seats": poll.seats, "cast": result["cast"], "required": result["required"], "winners": winners,
        "runoff_poll_id": runoff_id, "unfilled": result["unfilled"], "runoff_of": poll.runoff_of,
        "term_no": poll.term_no, "constituency_group_id": poll.constituency_group_id, "decided_on": decided_on})
    if poll.purpose == "delegates":
        result["enrolled"] = delegates.enroll_elected(uow, school, poll, winners, decided_on)


def evaluation_decided(uow, school, row, poll, decided_on):
    uow.publish("congress.evaluation_decided", {
        "poll_id": poll.id, "session_id": row.id, "school": school, "title": poll.title, "purpose": poll.purpose,
        "cast": poll.result["cast"], "decided_on": decided_on,
        "subjects": [{k: subj[k] for k in ("id", "name", "post", "counts", "total", "satisfaction_rate",
                                           "excellent_rate")} for subj in poll.result["subjects"]]})


def evaluation_export(session, poll_id: int, fmt: str) -> dict:
    """测评结果 for pay (与结构工资挂钩): one row per person with the grade counts and rates."""
    poll = load_poll(session, poll_id)
    if poll.kind != "evaluation":
        raise Conflict("not_an_evaluation")
    if poll.status != "closed":
        raise Conflict("poll_not_closed")
    rows = poll.result["subjects"]
    if fmt == "json":
        content = json.dumps({"poll_id": poll.id, "title": poll.title, "cast": poll.result["cast"], "subjects": rows},
                             ensure_ascii=False).encode()
        return {"content_b64": base64.b64encode(content).decode(), "format": "json",
                "filename": f"测评结果-{poll.id}.json"}
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "测评结果"
    ws.append(["姓名", "职务", *[rules.GRADE_LABELS[g] for g in rules.GRADES], "有效票", "满意率(%)", "优秀率(%)"])
    for r in rows:
        ws.append([r["name"], r.get("post") or "", *[r["counts"][g] for g in rules.GRADES], r["total"],
                   r["satisfaction_rate"], r["excellent_rate"]])
    out = io.BytesIO()
    wb.save(out)
    return {"content_b64": base64.b64encode(out.getvalue()).decode(), "format": "xlsx",
            "filename": f"测评结果-{poll.id}.xlsx"}
