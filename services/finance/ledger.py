"""Use cases of the ledger (总账): post, reverse, list, periods and the hash-chain check."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.finance.domain import ledger as L
from services.finance.domain.chart import DEFAULT_CHART, Account, Chart
from services.finance.orm import ChainHead, ChartAccount, Entry, EntryLine, Period
from shared.errors import Conflict, NotFound


def load_chart(session) -> Chart:
    """The default chart with the district's additions and renames, read once per transaction
    (a batch of requests asks for it once per request; ``forget_chart`` after changing it)."""
    cached = session.info.get("finance.chart")
    if cached is not None and cached[0] is session.get_transaction():
        return cached[1]
    accounts = {a.code: a for a in DEFAULT_CHART}
    for row in session.scalars(select(ChartAccount)):
        accounts[row.code] = Account(row.code, row.name, row.kind, row.category)
    chart = Chart(accounts.values())
    session.info["finance.chart"] = (session.get_transaction(), chart)
    return chart


def forget_chart(session) -> None:
    session.info.pop("finance.chart", None)


def period_state(session, period: str) -> str:
    return session.scalar(select(Period.state).where(Period.period == period)) or "open"


def _lock_head(session, school: str) -> ChainHead:
    """The school's chain head, locked (SELECT ... FOR UPDATE) until the transaction ends."""
    stmt = select(ChainHead).where(ChainHead.school == school).with_for_update()
    head = session.scalar(stmt)
    if head is None:
        if session.get_bind().dialect.name == "sqlite":   # one writer at a time: no race to lose
            head = ChainHead(school=school, seq=0, head=L.GENESIS)
            session.add(head)
            session.flush()
            return head
        try:
            with session.begin_nested():
                session.add(ChainHead(school=school, seq=0, head=L.GENESIS))
        except IntegrityError:
            pass      # another poster created it first
        head = session.scalar(stmt.execution_options(populate_existing=True))
    return head


def post(uow, school: str, entry: L.Entry, actor: str | None = None) -> Entry:
    """Check and post one entry, chained after the school's newest one."""
    session = uow.session
    entry = replace(entry, posted_by=actor)
    L.check_lines(entry.lines, load_chart(session))
    head = _lock_head(session, school)
    L.check_period(entry.kind, entry.period, period_state(session, entry.period))
    seq = head.seq + 1
    digest = L.chain_hash(head.head, entry, seq)
    row = Entry(school=school, seq=seq, period=entry.period, entry_date=entry.entry_date, kind=entry.kind,
                memo=entry.memo, source=entry.source, reverses_id=entry.reverses, prev_hash=head.head, hash=digest,
                posted_by=actor)
    session.add(row)
    session.flush()
    session.add_all([EntryLine(school=school, entry_id=row.id, period=entry.period, account=l.account,
                               debit=l.debit, credit=l.credit, memo=l.memo) for l in entry.lines])
    head.seq, head.head = seq, digest
    session.flush()
    return row


def reverse(uow, school: str, entry_id: int, on: date, memo: str | None, actor: str | None) -> Entry:
    """红字冲销: post the mirror of an entry; the original stays as it was."""
    session = uow.session
    original = session.get(Entry, entry_id)
    if original is None:
        raise NotFound("ledger_entry_not_found")
    if original.kind == "reversal":
        raise Conflict("entry_is_reversal")
    if session.scalar(select(Entry.id).where(Entry.reverses_id == entry_id)):
        raise Conflict("entry_already_reversed")
    lines = L.reversal_lines(_lines(session, entry_id))
    entry = L.Entry(school, on, "reversal", memo or f"冲销凭证 #{original.seq}: {original.memo}"[:200], lines,
                    reverses=entry_id)
    try:
        return post(uow, school, entry, actor)
    except IntegrityError:
        raise Conflict("entry_already_reversed") from None


def _lines(session, entry_id: int) -> tuple:
    rows = session.scalars(select(EntryLine).where(EntryLine.entry_id == entry_id).order_by(EntryLine.id))
    return tuple(L.Line(r.account, Decimal(r.debit), Decimal(r.credit), r.memo) for r in rows)


def entry_dict(session, row: Entry, lines=None) -> dict:
    lines = lines if lines is not None else _lines(session, row.id)
    return {"id": row.id, "seq": row.seq, "period": row.period, "entry_date": row.entry_date.isoformat(),
            "kind": row.kind, "memo": row.memo, "source": row.source, "reverses_id": row.reverses_id,
            "hash": row.hash, "prev_hash": row.prev_hash, "posted_by": row.posted_by,
            "posted_at": row.posted_at.isoformat(),
            "lines": [{"account": l.account, "debit": str(l.debit), "credit": str(l.credit), "memo": l.memo}
                      for l in lines]}


def get_entry(session, entry_id: int) -> dict:
    row = session.get(Entry, entry_id)
    if row is None:
        raise NotFound("ledger_entry_not_found")
    out = entry_dict(session, row)
    out["reversed_by"] = session.scalar(select(Entry.id).where(Entry.reverses_id == entry_id))
    return out


def list_entries(session, query: dict) -> dict:
    stmt = select(Entry)
    if query.get("period"):
        stmt = stmt.where(Entry.period == query["period"])
    if query.get("kind"):
        stmt = stmt.where(Entry.kind == query["kind"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page, size = query.get("page", 1), query.get("page_size", 50)
    rows = list(session.scalars(stmt.order_by(Entry.seq.desc()).offset((page - 1) * size).limit(size)))
    lines: dict[int, list] = {r.id: [] for r in rows}
    if rows:
        for l in session.scalars(select(EntryLine).where(EntryLine.entry_id.in_(list(lines))).order_by(EntryLine.id)):
            lines[l.entry_id].append(L.Line(l.account, Decimal(l.debit), Decimal(l.credit), l.memo))
    return {"items": [entry_dict(session, r, lines[r.id]) for r in rows], "total": total, "page": page,
            "page_size": size}


def set_period_state(uow, school: str, period: str, target: str, actor: str | None, today: date) -> dict:
    """Move a period forward (open -> adjusting -> closed); closing publishes ``finance.period_closed``."""
    session = uow.session
    _lock_head(session, school)      # no entry is posted into the period while its state changes
    row = session.scalar(select(Period).where(Period.period == period))
    if row is None:
        row = Period(school=school, period=period, state="open")
        session.add(row)
    row.state = L.next_period_state(row.state, target)
    row.changed_by = actor
    from shared.db import utcnow
    row.changed_at = utcnow()
    session.flush()
    if row.state == "closed":
        uow.publish("finance.period_closed", {"school": school, "period": period, "closed_on": today.isoformat()})
    return {"period": period, "state": row.state}


def list_periods(session, year: int) -> dict:
    stored = {p.period: p for p in session.scalars(select(Period).where(Period.period.like(f"{year:04d}-%")))}
    items = []
    for m in range(1, 13):
        key = f"{year:04d}-{m:02d}"
        row = stored.get(key)
        items.append({"period": key, "state": row.state if row else "open",
                      "changed_at": row.changed_at.isoformat() if row else None})
    return {"year": year, "items": items}


def posted(session, school: str, batch: int = 20000):
    """``(seq, prev_hash, hash, Entry)`` of every posted entry in chain order, read in batches of
    plain rows (no ORM objects: a chain of 100,000 entries is checked in seconds)."""
    e, l = Entry.__table__, EntryLine.__table__
    last = 0
    while True:
        heads = session.execute(select(e.c.id, e.c.seq, e.c.prev_hash, e.c.hash, e.c.entry_date, e.c.kind, e.c.memo,
                                       e.c.reverses_id, e.c.source, e.c.period, e.c.posted_by)
                                .where(e.c.school == school, e.c.seq > last).order_by(e.c.seq).limit(batch)).all()
        if not heads:
            return
        lines: dict[int, list] = {h.id: [] for h in heads}
        for entry_id, account, debit, credit in session.execute(
                select(l.c.entry_id, l.c.account, l.c.debit, l.c.credit)
                .where(l.c.school == school, l.c.entry_id >= heads[0].id, l.c.entry_id <= max(h.id for h in heads))
                .order_by(l.c.entry_id, l.c.id)):
            if entry_id in lines:
                lines[entry_id].append(L.Line(account, Decimal(debit), Decimal(credit)))
        for h in heads:
            yield h.seq, h.prev_hash, h.hash, L.Entry(school, h.entry_date, h.kind, h.memo, tuple(lines[h.id]),
                                                      reverses=h.reverses_id, source=h.source, period=h.period,
                                                      posted_by=h.posted_by)
        last = heads[-1].seq


def verify(session, school: str) -> dict:
    report = L.verify_chain(posted(session, school))
    head = session.scalar(select(ChainHead).where(ChainHead.school == school))
    out = report.as_dict()
    if report.valid and head is not None and (head.seq != report.entries or head.head != report.head):
        out.update(valid=False, problem="head_mismatch", broken_at=report.entries + 1)
    out["school"] = school
    return out
