"""Polls: motions, elections and evaluations by secret ballot (无记名投票); how elections and
ratings are set up and decided is in ``elections``, the register of resolutions in ``resolutions``.

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

from services.congress import resolutions
from services.congress import sessions as sess
from services.congress.common import get_or_404, iso, rule_of, today
from services.congress.domain import rules
from services.congress.orm import AgendaItem, AuditItem, Ballot, DirectoryGroup, Poll, PollRoll, PollVoter, Sitting
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


def agenda_item_of(session, congress_session, agenda_item_id):
    if agenda_item_id is None:
        return None
    item = session.get(AgendaItem, agenda_item_id)
    if item is None or item.session_id != congress_session.id:
        raise ValidationFailed(fields={"agenda_item_id": ["agenda_item_not_found"]})
    return item


def session_taking_polls(session, session_id):
    row = sess.load_session(session, session_id)
    if row.status == "closed":
        raise Conflict("congress_session_closed")
    return row


def create_motion(uow, school: str, session_id: int, data: dict) -> dict:
    row = session_taking_polls(uow.session, session_id)
    item = agenda_item_of(uow.session, row, data.get("agenda_item_id"))
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
    from services.congress import elections     # it builds on this module
    if poll.kind == "motion":
        _motion_decided(uow, school, row, poll, decided_on)
    elif poll.kind == "election":
        elections.election_decided(uow, school, row, poll, decided_on)
    else:
        elections.evaluation_decided(uow, school, row, poll, decided_on)
    flag_modified(poll, "result")       # the decision added the resolution, runoff or enrolment to it
    uow.commit()
    return poll_view(poll)


def _motion_decided(uow, school, row, poll, decided_on):
    result = poll.result
    resolution_id = None
    if result["adopted"]:
        resolution_id = result["resolution_id"] = resolutions.register(uow, school, row, poll, decided_on)
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
