"""重新公布会员名册 (announce the roster again): an operator command for a member directory that
starts late — a service added to a running deployment, or a directory restored from a backup.

Every union group and every membership of the chosen schools is published again as it stands
(``membership.union_group_changed`` and ``membership.member_updated`` with ``changed:
["roster_announced"]``), through the outbox like any other change. Every directory keeps a
snapshot only when it is newer than the one it holds, so a directory that already has a member
changes nothing, and one that lacks it takes it. The running membership service relays the
events; if it is not running, they wait in its outbox.

    unionhub membership announce-roster [--school CODE ...] [--batch 1000]
"""
from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import select

from services.membership import views
from services.membership.orm import Member, School, UnionGroup


def announce(runtime, schools: list[str] | None = None, batch: int = 1000) -> dict:
    """Publish the groups and members of ``schools`` (default: every school) again; returns the
    counts per school. One transaction per ``batch`` members, so a large district is not one
    enormous transaction."""
    with runtime.session("membership") as session:
        codes = schools or list(session.scalars(select(School.code).order_by(School.code)))
        known = set(session.scalars(select(School.code).where(School.code.in_(codes))))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise SystemExit(f"unionhub: no such school: {', '.join(unknown)}")
    counts = {}
    for code in codes:
        with runtime.unit_of_work("membership", school=code, actor="announce-roster") as uow:
            groups = list(uow.session.scalars(select(UnionGroup).order_by(UnionGroup.id)))
            for group in groups:
                uow.publish("membership.union_group_changed", {"id": group.id, "school": group.school,
                                                               "name": group.name,
                                                               "leader_member_id": group.leader_member_id,
                                                               "version": group.version or 1})
            uow.commit()
        names = {g.id: g.name for g in groups}
        ids = []
        with runtime.session("membership") as session:
            ids = list(session.scalars(select(Member.id).where(Member.school == code).order_by(Member.id)))
        for start in range(0, len(ids), batch):
            with runtime.unit_of_work("membership", school=code, actor="announce-roster") as uow:
                rows = uow.session.scalars(select(Member).where(Member.id.in_(ids[start:start + batch]))
                                           .order_by(Member.id))
                uow.publish_many("membership.member_updated", [
                    {"member": views.snapshot(row, names.get(row.union_group_id)), "changed": ["roster_announced"]}
                    for row in rows])
                uow.commit()
        counts[code] = {"groups": len(groups), "members": len(ids)}
    return counts


def command(runtime, argv) -> int:
    parser = argparse.ArgumentParser(prog="unionhub membership announce-roster", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--school", action="append", help="only this school (repeat for several; default: all)")
    parser.add_argument("--batch", type=int, default=1000, help="members per transaction (default 1000)")
    args = parser.parse_args(argv)
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    counts = announce(runtime, args.school, args.batch)
    print(json.dumps({"announced": counts, "members": sum(c["members"] for c in counts.values())},
                     ensure_ascii=False, indent=2))
    return 0


def main(argv=None) -> int:
    from shared import plugins, settings
    from shared.runtime import Runtime
    runtime = Runtime(settings.load(), plugins.discover(["membership"]))
    try:
        return command(runtime, argv)
    finally:
        runtime.close()


if __name__ == "__main__":
    sys.exit(main())
