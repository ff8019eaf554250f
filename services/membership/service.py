"""The membership service (会员管理服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

import base64
from datetime import date

from nameko.dependency_providers import Config

from services.membership import bulk, members, organisation
from services.membership import schemas as s
from services.membership.metrics import MembershipGauges
from services.membership.orm import Base
from shared.errors import Forbidden
from shared.rpc import rpc
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints
from shared.validation import load


def _today(value):
    return value or date.today()


class MembershipService(OpsEndpoints):
    name = "membership"

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
    gauges = MembershipGauges()

    def _lang(self) -> str:
        return self.ctx.current.language or "zh-CN"

    def _district_only(self):
        if not self.ctx.current.is_district:
            raise Forbidden("role_forbidden")

    # schools registry (district)
    @rpc
    def create_school(self, data):
        self._district_only()
        data = load(s.SchoolCreateSchema, data)
        with self.db.unit_of_work(district=True) as uow:
            return organisation.create_school(uow, data)

    @rpc
    def list_schools(self, query=None):
        query = load(s.PageQuery, query or {})
        with self.db.read(district=True) as session:
            return organisation.list_schools(session, query["page"], query["page_size"])

    @rpc
    def update_school(self, code, data):
        self._district_only()
        data = load(s.SchoolUpdateSchema, data)
        with self.db.unit_of_work(district=True) as uow:
            return organisation.update_school(uow, code, data)

    @rpc
    def district_membership_stats(self):
        self._district_only()
        with self.db.read(district=True) as session:
            return organisation.membership_stats(session)

    # members
    @rpc
    def admit_member(self, school, data):
        data = load(s.MemberCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return members.admit(uow, school, data, date.today())

    @rpc
    def list_members(self, school, query=None):
        query = load(s.MemberListQuery, query or {})
        with self.db.read(school) as session:
            return members.search(session, school, query)

    @rpc
    def get_member(self, school, member_id, query=None):
        query = load(s.MemberGetQuery, query or {})
        with self.db.unit_of_work(school) as uow:
            return members.get(uow, int(member_id), query.get("reveal"), self.ctx.current.role)

    @rpc
    def update_member(self, school, member_id, data):
        data = load(s.MemberUpdateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return members.update(uow, school, int(member_id), data)

    @rpc
    def approve_member(self, school, member_id, data=None):
        data = load(s.ApproveSchema, data or {})
        with self.db.unit_of_work(school) as uow:
            return members.approve(uow, school, int(member_id), _today(data.get("approved_on")))

    @rpc
    def transfer_member(self, school, member_id, data):
        data = load(s.TransferSchema, data)
        with self.db.unit_of_work(school, also={data["to_school"]}) as uow:
            return members.transfer(uow, school, int(member_id), data["to_school"], _today(data.get("transferred_on")))

    @rpc
    def retire_member(self, school, member_id, data=None):
        data = load(s.RetireSchema, data or {})
        with self.db.unit_of_work(school) as uow:
            return members.retire(uow, school, int(member_id), _today(data.get("retired_on")))

    @rpc
    def leave_member(self, school, member_id, data):
        data = load(s.LeaveSchema, data)
        with self.db.unit_of_work(school) as uow:
            return members.leave(uow, school, int(member_id), data["reason"], data.get("note"),
                                 _today(data.get("left_on")))

    @rpc
    def member_history(self, school, member_id):
        with self.db.read(school) as session:
            return members.history(session, int(member_id))

    @rpc
    def birthdays(self, school, query):
        query = load(s.BirthdayQuery, query)
        with self.db.read(school) as session:
            return members.birthdays(session, school, query["month"], query.get("year") or date.today().year,
                                     query["milestone"])

    @rpc
    def import_members(self, school, upload):
        content = base64.b64decode(upload["content_b64"])
        with self.db.unit_of_work(school) as uow:
            return bulk.import_members(uow, school, content, upload["format"], date.today(), self._lang())

    @rpc
    def export_members(self, school, query=None):
        fmt = (query or {}).get("format", "xlsx")
        with self.db.read(school) as session:
            content = bulk.export_members(session, school, "csv" if fmt == "csv" else "xlsx", self._lang())
        return {"content_b64": base64.b64encode(content).decode(), "format": fmt}

    # organisation
    @rpc
    def create_group(self, school, data):
        data = load(s.GroupCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return organisation.create_group(uow, school, data)

    @rpc
    def update_group(self, school, group_id, data):
        data = load(s.GroupUpdateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return organisation.update_group(uow, school, int(group_id), data)

    @rpc
    def list_groups(self, school):
        with self.db.read(school) as session:
            return organisation.list_groups(session)

    @rpc
    def appoint_committee_member(self, school, data):
        data = load(s.CommitteeAppointSchema, data)
        with self.db.unit_of_work(school) as uow:
            return organisation.appoint(uow, school, data, date.today())

    @rpc
    def end_committee_position(self, school, position_id, data=None):
        data = load(s.CommitteeEndSchema, data or {})
        with self.db.unit_of_work(school) as uow:
            return organisation.end_position(uow, int(position_id), _today(data.get("ended_on")))

    @rpc
    def list_committee(self, school):
        with self.db.read(school) as session:
            return organisation.committee(session)

    @rpc
    def pii_reads(self, school, query=None):
        query = load(s.PageQuery, query or {})
        with self.db.read(school) as session:
            return organisation.pii_reads(session, query["page"], query["page_size"])

    @rpc
    def annual_summary(self, school, year):
        with self.db.read(school) as session:
            return organisation.annual_summary(session, school, int(year))
