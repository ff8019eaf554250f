"""Polls: motions, elections and evaluations by secret ballot (无记名投票).

The guarantee: one ballot per delegate on the roll, checked by the primary key of
``poll_voters`` in the same transaction that stores the ballot; ``ballots`` holds only the
choice under a random receipt code. Nothing here logs, counts per voter or publishes per
ballot; tallies are computed at close and the bulletin (receipt codes with choices) is public
once the poll is closed, so every voter can check their ballot and anyone can recount.
"""
from __future__ import annotations

import json
import secrets

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified

from services.congress import delegates
from services.congress import sessions as sess
from services.congress.common import get_or_404, iso, rule_of, today
from services.congress.domain import rules
from services.congress.orm import (AgendaItem, AuditItem, Ballot, Delegate, DirectoryGroup, DirectoryMember, Poll,
                                   PollRoll, PollVoter, Resolution, Sitting)
from shared.db.base import utcnow
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_receipt() -> str:
    """回执码: 12 random characters (60 bits) in three groups, e.g. K7QF-2M9X-H4PD."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def poll_view(p: Poll, voted: int | None = None) -> dict:
    out = {"id": p.id, "session_id": p.session_id, "agenda_item_id": p.agenda_item_id, "kind": p.kind,
           "title": p.title, "status": p.status, "secret": p.secret is not False, "options": p.options, "seats": p.seats,
           "max_choices": p.max_choices, "purpose": p.purpose, "term_no": p.term_no,
           "constituency_group_id": p.constituency_group_id, "rule": p.rule, "breakdown": p.breakdown,
           "sitting_id": p.sitting_id, "eligible": p.eligible, "present": p.present, "runoff_of": p.runoff_of,
           "audit_id": p.audit_id, "opened_at": iso(p.opened_at), "closed_at": iso(p.closed_at),
           "result": p.result if p.status == "closed" else None}
    if voted is not None:
        out["voted"] = voted
    return out


def load_poll(session, poll_id) -> Poll:
    return get_or_404(session, Poll, int(poll_id), "poll_not_found")


def _agenda_item(session, congress_session, agenda_item_id):
    if agenda_item_id is None:
        return None
    item = session.get(AgendaItem, agenda_item_id)
    if item is None or item.session_id != congress_session.id:
        raise ValidationFailed(fields={"agenda_item_id": ["agenda_item_not_found"]})
    return item


def _open_session(session, session_id):
    row = sess.load_session(session, session_id)
    if row.status == "closed":
        raise Conflict("congress_session_closed")
    return row


def create_motion(uow, school: str, session_id: int, data: dict) -> dict:
    row = _open_session(uow.session, session_id)
    item = _agenda_item(uow.session, row, data.get("agenda_item_id"))
    poll = Poll(school=school, session_id=row.id, agenda_item_id=item.id if item else None, kind="motion",
                title=data["title"], status="draft", options=list(rules.MOTION_CHOICES),
                rule=data.get("rule") or row.pass_rule, breakdown=data.get("breakdown", False),
                secret=data.get("secret", True), audit_id=item.audit_id if item else None)
    if not poll.secret and poll.breakdown:
        raise ValidationFailed(fields={"breakdown": ["not_for_show_of_hands"]})
    uow.session.add(poll)
    uow.session.flush()
    uow.commit()
    return poll_view(poll)


def create_election(uow, school: str, session_id: int, data: dict) -> dict:
    """差额选举: more candidates than seats, each an in-service member. An election of delegates
    (代表选举) is for the session's term or the next one, and may be held in one constituency (选区,
    a union group): only that group votes, and only its members stand."""
    s = uow.session
    row = _open_session(s, session_id)
    item = _agenda_item(s, row, data.get("agenda_item_id"))
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
    row = _open_session(uow.session, session_id)
    item = _agenda_item(uow.session, row, data.get("agenda_item_id"))
    options = [{"id": i, "name": s["name"], "post": s.get("post"), "member_id": s.get("member_id")}
               for i, s in enumerate(data["subjects"], start=1)]
    poll = Poll(school=school, session_id=row.id, agenda_item_id=item.id if item else None, kind="evaluation",
                title=data["title"], status="draft", options=options, purpose=data.get("purpose", "cadre_rating"),
                rule=rules.Rule("votes_cast", 1, 2, True).as_dict(), breakdown=data.get("breakdown", False))
    uow.session.add(poll)
    uow.session.flush()
    uow.commit()
    return poll_view(poll)


def _buckets(session, roll: dict, min_size: int) -> dict:
    """Breakdown buckets fixed at open: a constituency smaller than ``min_size`` is "other"."""
    sizes: dict = {}
    for group in roll.values():
        sizes[group] = sizes.get(group, 0) + 1
    names = {g.group_id: g.name for g in session.scalars(select(DirectoryGroup))}
    return {m: (names.get(g, str(g)) if g is not None and sizes[g] >= min_size else "other")
            for m, g in roll.items()}


def open_poll(uow, school: str, poll_id: int, data: dict) -> dict:
    s = uow.session
    poll = load_poll(s, poll_id)
    if poll.status != "draft":
        raise Conflict("poll_not_draft", params={"status": poll.status})
    row = sess.load_session(s, poll.session_id)
    if row.status != "convened":
        raise Conflict("congress_session_not_convened", params={"status": row.status})
    if data.get("sitting_id"):
        sitting_id = sess.load_sitting(s, row, data["sitting_id"]).id
    else:
        sitting_id = rules.sitting_for_vote(list(s.execute(select(Sitting.id, Sitting.sitting_date)
                                                           .where(Sitting.session_id == row.id))), today())
    roll = sess.roll_of(s, row)
    present = sess.present_count(s, sitting_id, roll)
    state = rules.quorum(present, len(roll), rule_of(row.quorum_rule))
    if not state["quorate"]:
        raise Conflict("quorum_not_met", params={"present": present, "required": state["required"],
                                                 "total": len(roll)})
    if poll.runoff_of is not None:      # 另行选举: by the electors of the first round (a delegate it elected is not one)
        electors = set(s.scalars(select(PollRoll.member_id).where(PollRoll.poll_id == poll.runoff_of)))
        roll = {m: g for m, g in roll.items() if m in electors}
        present = sess.present_count(s, sitting_id, roll)
    if poll.constituency_group_id is not None:      # 选区: only the constituency elects its delegates
        roll = {m: g for m, g in roll.items() if g == poll.constituency_group_id}
        present = sess.present_count(s, sitting_id, roll)
        if not roll:
            raise Conflict("constituency_empty")
    buckets = _buckets(s, roll, row.min_group_size) if poll.breakdown else {}
    s.execute(insert(PollRoll), [{"school": school, "poll_id": poll.id, "member_id": m, "bucket": buckets.get(m)}
                                 for m in roll])
    poll.status, poll.sitting_id, poll.eligible, poll.present, poll.opened_at = (
        "open", sitting_id, len(roll), present, utcnow())
    uow.publish("congress.poll_opened", {
        "poll_id": poll.id, "session_id": row.id, "school": school, "kind": poll.kind, "title": poll.title,
        "secret": poll.secret is not False, "sitting_id": sitting_id, "eligible": len(roll), "present": present,
        "opened_on": today()})
    uow.commit()
    return poll_view(poll, voted=0)


def _validate_choice(poll_kind: str, options: list, max_choices, choice) -> str | None:
    if poll_kind == "motion":
        return rules.validate_motion_choice(choice)
    if poll_kind == "election":
        return rules.validate_approval_choice(choice, {o["id"] for o in options}, max_choices)
    return rules.validate_grades(choice, {o["id"] for o in options})


# One statement on PostgreSQL: lock the poll row shared (a close waits for ballots in flight, and a
# ballot that waited for a close re-reads the row and finds it closed), find the voter on the roll,
# record that they voted (the primary key refuses a second time) and store the ballot.
_CAST_PG = text("""
WITH p AS (SELECT id FROM polls WHERE id = :poll AND school = :school AND status = 'open' FOR SHARE),
r AS (SELECT bucket FROM poll_roll WHERE poll_id = :poll AND school = :school AND member_id = :member
      AND EXISTS (SELECT 1 FROM p)),
v AS (INSERT INTO poll_voters (school, poll_id, member_id) SELECT :school, :poll, :member FROM r RETURNING 1),
b AS (INSERT INTO ballots (school, poll_id, receipt, choice, bucket)
      SELECT :school, :poll, :receipt, :choice, r.bucket FROM r WHERE EXISTS (SELECT 1 FROM v) RETURNING 1)
SELECT (SELECT count(*) FROM p) AS open, (SELECT count(*) FROM r) AS on_roll, (SELECT count(*) FROM b) AS cast
""")
_OPTIONS: dict = {}     # (database, school, poll id) -> (kind, options, max_choices): fixed at creation


def _poll_options(s, school: str, poll_id: int):
    key = (id(s.get_bind() if hasattr(s, "get_bind") else s.engine), school, poll_id)
    if key not in _OPTIONS:
        row = s.execute(select(Poll.kind, Poll.options, Poll.max_choices, Poll.secret)
                        .where(Poll.id == poll_id, Poll.school == school)).first()
        if row is None:
            raise NotFound("poll_not_found", params={"id": poll_id})
        _OPTIONS[key] = tuple(row)
        if len(_OPTIONS) > 10_000:
            _OPTIONS.clear()
    return _OPTIONS[key]


def _checked(s, school, poll_id, member_id, choice) -> tuple[str, str]:
    if member_id is None:
        raise Forbidden("member_account_required")
    kind, options, max_choices, secret = _poll_options(s, school, poll_id)
    if secret is False:
        raise Conflict("show_of_hands_poll")
    problem = _validate_choice(kind, options, max_choices, choice)
    if problem:
        raise ValidationFailed(fields={"choice": [problem]})
    return new_receipt(), json.dumps(choice, sort_keys=True, ensure_ascii=False)


def cast(uow, school: str, poll_id: int, member_id: int | None, choice) -> dict:
    """投票 through a unit of work (any database): the poll row is share-locked so a close waits for
    ballots in flight and no ballot lands after it; the voter row's primary key refuses a second
    ballot, in the same transaction that stores the ballot. No event, no log line."""
    s, poll_id = uow.session, int(poll_id)
    receipt, stored = _checked(s, school, poll_id, member_id, choice)
    if s.get_bind().dialect.name == "postgresql":
        _cast_pg(s, school, poll_id, member_id, receipt, stored)
    else:
        _cast_portable(s, school, poll_id, member_id, receipt, stored)
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict("already_voted") from None
    return {"poll_id": poll_id, "receipt": receipt}


def cast_on_postgres(engine, school: str, poll_id: int, member_id: int | None, choice) -> dict:
    """The hot path on PostgreSQL: the same statement on a plain connection, one short transaction
    (the caller has already checked that ``school`` is the caller's own)."""
    poll_id = int(poll_id)
    with engine.connect() as conn:
        receipt, stored = _checked(conn, school, poll_id, member_id, choice)
        conn.rollback()
        with conn.begin():
            _cast_pg(conn, school, poll_id, member_id, receipt, stored)
    return {"poll_id": poll_id, "receipt": receipt}


def _cast_pg(s, school, poll_id, member_id, receipt, stored):
    try:
        row = s.execute(_CAST_PG, {"poll": poll_id, "school": school, "member": member_id, "receipt": receipt,
                                   "choice": stored}).one()
    except IntegrityError:
        raise Conflict("already_voted") from None
    if not row.open:
        status = s.execute(select(Poll.status).where(Poll.id == poll_id, Poll.school == school)).scalar()
        raise Conflict("poll_not_open", params={"status": status})
    if not row.on_roll:
        raise Forbidden("not_on_roll")


def _cast_portable(s, school, poll_id, member_id, receipt, stored):
    """The same steps, one statement each (SQLite serialises writers anyway)."""
    status = s.scalar(select(Poll.status).where(Poll.id == poll_id).with_for_update(read=True))
    if status != "open":
        raise Conflict("poll_not_open", params={"status": status})
    bucket = s.execute(select(PollRoll.bucket).where(PollRoll.poll_id == poll_id,
                                                     PollRoll.member_id == member_id)).first()
    if bucket is None:
        raise Forbidden("not_on_roll")
    try:
        s.execute(insert(PollVoter).values(school=school, poll_id=poll_id, member_id=member_id))
    except IntegrityError:
        raise Conflict("already_voted") from None
    s.execute(insert(Ballot).values(school=school, poll_id=poll_id, receipt=receipt, choice=stored,
                                    bucket=bucket[0]))


def record_hands(uow, poll_id: int, data: dict) -> dict:
    """举手表决: the tellers' counts of an open (non-secret) motion; recorded again until it closes."""
    poll = load_poll(uow.session, poll_id)
    if poll.secret is not False:
        raise Conflict("secret_poll_counts_ballots")
    if poll.status != "open":
        raise Conflict("poll_not_open", params={"status": poll.status})
    counts = {k: data[k] for k in rules.MOTION_CHOICES}
    if sum(counts.values()) > (poll.present or 0):
        raise ValidationFailed("more_hands_than_present", fields={"yes": ["more_hands_than_present"]},
                               params={"present": poll.present})
    poll.hands = counts
    uow.commit()
    return poll_view(poll)


def _tally(poll: Poll, ballots: list[tuple[str, str | None]], min_group_size: int) -> dict:
    choices = [json.loads(c) for c, _ in ballots]
    rule = rule_of(poll.rule)
    if poll.kind == "motion" and poll.secret is False:
        result = rules.motion_outcome(poll.hands or {}, rule, eligible=poll.eligible or 0, present=poll.present or 0)
        result["turnout"] = {"eligible": poll.eligible, "present": poll.present, "cast": result["cast"]}
        result["show_of_hands"] = True
        return result
    if poll.kind == "motion":
        counts = {k: sum(1 for c in choices if c == k) for k in rules.MOTION_CHOICES}
        result = rules.motion_outcome(counts, rule, eligible=poll.eligible or 0, present=poll.present or 0)
    elif poll.kind == "election":
        votes = {o["id"]: 0 for o in poll.options}
        for c in choices:
            for cid in c:
                votes[cid] += 1
        result = rules.election_outcome(votes, poll.seats, len(choices), rule, eligible=poll.eligible or 0,
                                        present=poll.present or 0)
        result["blank"] = sum(1 for c in choices if not c)
    else:
        result = {"cast": len(choices), "subjects": []}
        for o in poll.options:
            dist = rules.grade_distribution([c[str(o["id"])] for c in choices])
            result["subjects"].append({"id": o["id"], "name": o["name"], "post": o.get("post"), **dist})
    result["turnout"] = {"eligible": poll.eligible, "present": poll.present, "cast": len(choices)}
    if poll.breakdown:
        groups: dict = {}
        for (choice, bucket), parsed in zip(ballots, choices):
            g = groups.setdefault(bucket or "other", {"n": 0})
            g["n"] += 1
            for key in ([parsed] if poll.kind == "motion" else [str(x) for x in parsed] if poll.kind == "election"
                        else [f"{k}:{v}" for k, v in parsed.items()]):
                g[key] = g.get(key, 0) + 1
        result["breakdown"] = rules.breakdown(groups, min_group_size)
        result["min_group_size"] = min_group_size
    return result


def close_poll(uow, school: str, poll_id: int) -> dict:
    s = uow.session
    poll = s.scalars(select(Poll).where(Poll.id == int(poll_id)).with_for_update()).first()
    if poll is None:
        raise NotFound("poll_not_found", params={"id": poll_id})
    if poll.status != "open":
        raise Conflict("poll_not_open", params={"status": poll.status})
    row = sess.load_session(s, poll.session_id)
    ballots = [(b.receipt, b.choice, b.bucket) for b in s.execute(
        select(Ballot.receipt, Ballot.choice, Ballot.bucket).where(Ballot.poll_id == poll.id))]
    ballots.sort()
    # rewrite in receipt order: the stored order no longer says in which order ballots came
    s.execute(delete(Ballot).where(Ballot.poll_id == poll.id))
    if ballots:
        s.execute(insert(Ballot), [{"school": school, "poll_id": poll.id, "receipt": r, "choice": c, "bucket": b}
                                   for r, c, b in ballots])
    poll.result = _tally(poll, [(c, b) for _, c, b in ballots], row.min_group_size)
    poll.status, poll.closed_at = "closed", utcnow()
    decided_on = today()
    if poll.kind == "motion":
        _motion_decided(uow, school, row, poll, decided_on)
    elif poll.kind == "election":
        _election_decided(uow, school, row, poll, decided_on)
    else:
        uow.publish("congress.evaluation_decided", {
            "poll_id": poll.id, "session_id": row.id, "school": school, "title": poll.title, "purpose": poll.purpose,
            "cast": poll.result["cast"], "decided_on": decided_on,
            "subjects": [{k: subj[k] for k in ("id", "name", "post", "counts", "total", "satisfaction_rate",
                                               "excellent_rate")} for subj in poll.result["subjects"]]})
    flag_modified(poll, "result")       # the decision added the resolution, runoff or enrolment to it
    uow.commit()
    return poll_view(poll)


def _motion_decided(uow, school, row, poll, decided_on):
    result = poll.result
    resolution_id = None
    if result["adopted"]:
        count = uow.session.scalar(select(func.count()).select_from(Resolution)
                                   .where(Resolution.session_id == row.id)) or 0
        resolution = Resolution(school=school, session_id=row.id, poll_id=poll.id,
                                number=f"{rules.session_label(row.term_no, row.session_no)}决议第{count + 1}号",
                                title=poll.title, adopted_on=decided_on, documents=[], enforcement="to_implement")
        uow.session.add(resolution)
        uow.session.flush()
        resolution_id = resolution.id
        result["resolution_id"] = resolution_id
    uow.publish("congress.motion_decided", {
        "poll_id": poll.id, "session_id": row.id, "school": school, "agenda_item_id": poll.agenda_item_id,
        "title": poll.title, "adopted": result["adopted"], "yes": result["yes"], "no": result["no"],
        "abstain": result["abstain"], "eligible": poll.eligible, "present": poll.present,
        "required": result["required"], "rule": result["rule"], "resolution_id": resolution_id,
        "decided_on": decided_on})
    if poll.audit_id is not None:
        item = uow.session.get(AuditItem, poll.audit_id)
        decision = "approved" if result["adopted"] else "rejected"
        if item is not None:
            item.decision, item.poll_id = decision, poll.id
        uow.publish("congress.audit_report_decided", {
            "audit_id": poll.audit_id, "school": school, "decision": decision, "session_id": row.id,
            "motion_id": poll.id, "yes": result["yes"], "no": result["no"], "abstain": result["abstain"],
            "decided_on": decided_on})


def _election_decided(uow, school, row, poll, decided_on):
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


def get_poll(session, poll_id: int) -> dict:
    poll = load_poll(session, poll_id)
    voted = session.scalar(select(func.count()).select_from(PollVoter).where(PollVoter.poll_id == poll.id))
    return poll_view(poll, voted=voted)


def list_polls(session, session_id: int, query: dict | None = None) -> dict:
    sess.load_session(session, session_id)
    query = query or {}
    stmt = select(Poll).where(Poll.session_id == int(session_id))
    for key in ("kind", "status"):
        if query.get(key):
            stmt = stmt.where(getattr(Poll, key) == query[key])
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Poll.id).offset((page - 1) * size).limit(size))
    return {"items": [poll_view(p) for p in rows], "total": total, "page": page, "page_size": size}


def bulletin(session, poll_id: int, receipt: str | None = None) -> dict:
    """公告板: every receipt code with its choice, once the poll is closed."""
    poll = load_poll(session, poll_id)
    if poll.status != "closed":
        raise Conflict("poll_not_closed")
    if poll.secret is False:
        raise Conflict("show_of_hands_poll")
    stmt = select(Ballot.receipt, Ballot.choice).where(Ballot.poll_id == poll.id).order_by(Ballot.receipt)
    if receipt:
        stmt = stmt.where(Ballot.receipt == receipt.strip().upper())
    items = [{"receipt": r, "choice": json.loads(c)} for r, c in session.execute(stmt)]
    if receipt and not items:
        raise NotFound("receipt_not_found")
    return {"poll_id": poll.id, "kind": poll.kind, "title": poll.title, "options": poll.options,
            "items": items, "total": len(items)}


def voted_status(session, poll_id: int, member_id: int | None) -> dict:
    """Whether the caller has voted (their own row only; never what)."""
    poll = load_poll(session, poll_id)
    if member_id is None:
        raise Forbidden("member_account_required")
    on_roll = session.get(PollRoll, (poll.id, member_id)) is not None
    voted = session.get(PollVoter, (poll.id, member_id)) is not None
    return {"poll_id": poll.id, "on_roll": on_roll, "voted": voted, "status": poll.status}


def evaluation_export(session, poll_id: int, fmt: str) -> dict:
    """测评结果 for pay (与结构工资挂钩): one row per person with the grade counts and rates."""
    import base64
    import io
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


def resolutions(session, query: dict) -> dict:
    """决议登记簿, newest first; by session and enforcement (行政执行情况)."""
    stmt = select(Resolution)
    for key in ("session_id", "enforcement"):
        if query.get(key):
            stmt = stmt.where(getattr(Resolution, key) == query[key])
    page, size = query.get("page", 1), query.get("page_size", 50)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Resolution.adopted_on.desc(), Resolution.id.desc())
                           .offset((page - 1) * size).limit(size))
    return {"items": [resolution_view(r) for r in rows], "total": total, "page": page, "page_size": size}


def resolution_view(r: Resolution) -> dict:
    return {"id": r.id, "session_id": r.session_id, "poll_id": r.poll_id, "number": r.number, "title": r.title,
            "adopted_on": iso(r.adopted_on), "documents": r.documents, "enforcement": r.enforcement,
            "enforcement_note": r.enforcement_note}


def update_resolution(uow, resolution_id: int, data: dict) -> dict:
    r = get_or_404(uow.session, Resolution, int(resolution_id), "resolution_not_found")
    for key in ("documents", "enforcement", "enforcement_note"):
        if key in data:
            setattr(r, key, data[key])
    uow.commit()
    return resolution_view(r)
