"""The welfare service (职工福利与关爱服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from datetime import date

from nameko.dependency_providers import Config
from nameko.rpc import rpc

from services.welfare import care, payments, policies
from services.welfare import schemas as s
from services.welfare.orm import Base, DirectoryGroup, DirectoryMember
from shared.directory import MemberDirectoryMixin
from shared.errors import Forbidden
from shared.inbox import consumes
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints
from shared.validation import load


def _today(value=None):
    return value or date.today()


class WelfareService(MemberDirectoryMixin, OpsEndpoints):
    name = "welfare"
    directory = (DirectoryMember, DirectoryGroup)

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()

    # --- events --------------------------------------------------------------------------
    def on_member_changed(self, uow, event, before, after):
        """退休 opens a care case (退休慰问) by itself."""
        retired_now = after.get("status") == "retired" and (
            (before is not None and before.get("status") != "retired")
            or (before is None and event.type == "membership.member_retired"))
        if retired_now:
            retired_on = event.payload.get("retired_on")
            care.open_retirement_case(uow.session, after, date.fromisoformat(retired_on) if retired_on else date.today(),
                                      event.event_id)

    @consumes("finance", "spending_request_updated")
    def on_spending_request_updated(self, uow, event):
        """财务对支付申请的答复: received, approved, rejected (the cap is released) or paid."""
        payments.apply_answer(uow, event.payload)

    # --- policy --------------------------------------------------------------------------
    def _district_only(self):
        if not self.ctx.current.is_district:
            raise Forbidden("role_forbidden")

    @rpc
    def district_policy(self):
        with self.db.read(district=True) as session:
            return policies.view(policies.district(session))

    @rpc
    def set_district_policy(self, data):
        self._district_only()
        data = load(s.PolicySetSchema, data)
        with self.db.unit_of_work(district=True) as uow:
            return policies.set_district(uow, data, self.ctx.current.actor)

    @rpc
    def school_policy(self, school):
        with self.db.read(school) as session:
            return policies.view(policies.effective(session))

    @rpc
    def set_school_policy(self, school, data):
        data = load(s.PolicySetSchema, data)
        with self.db.unit_of_work(school) as uow:
            return policies.set_school(uow, school, data, self.ctx.current.actor)

    # --- care cases ------------------------------------------------------------------------
    @rpc
    def care_kinds(self, school):
        with self.db.read(school) as session:
            return care.kinds(session)

    @rpc
    def add_care_kind(self, school, data):
        data = load(s.CareKindCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return care.add_kind(uow, school, data)

    @rpc
    def open_case(self, school, data):
        data = load(s.CareCaseCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return care.open_case(uow, school, data, self.ctx.current, date.today())

    @rpc
    def list_cases(self, school, query=None):
        query = load(s.CareCaseQuery, query or {})
        with self.db.unit_of_work(school) as uow:
            return care.list_cases(uow, school, query, self.ctx.current)

    @rpc
    def member_cases(self, school, member_id, query=None):
        query = load(s.CareCaseQuery, query or {})
        query["member_id"] = int(member_id)
        with self.db.unit_of_work(school) as uow:
            return care.list_cases(uow, school, query, self.ctx.current)

    @rpc
    def get_case(self, school, case_id):
        with self.db.unit_of_work(school) as uow:
            return care.get_case(uow, school, int(case_id), self.ctx.current)

    @rpc
    def record_visit(self, school, case_id, data):
        data = load(s.CareVisitCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return care.record_visit(uow, school, int(case_id), data, self.ctx.current, date.today())

    @rpc
    def close_case(self, school, case_id, data=None):
        data = load(s.CloseSchema, data or {})
        with self.db.unit_of_work(school) as uow:
            return care.close_case(uow, int(case_id), _today(data.get("closed_on")))

    @rpc
    def case_reads(self, school, query=None):
        query = load(s.PageQuery, query or {})
        with self.db.read(school) as session:
            return care.reads(session, query)

    # --- payments --------------------------------------------------------------------------
    @rpc
    def request_payment(self, school, data):
        data = load(s.PaymentCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            payment = payments.request(uow, school, today=date.today(), actor=self.ctx.current.actor, **data)
            result = payments.view(payment)
            uow.commit()
            return result

    @rpc
    def list_payments(self, school, query=None):
        query = load(s.PaymentQuery, query or {})
        with self.db.read(school) as session:
            return payments.search(session, query)

    @rpc
    def get_payment(self, school, payment_id):
        with self.db.read(school) as session:
            return payments.get(session, int(payment_id), self.ctx.current)

    @rpc
    def member_caps(self, school, member_id, query=None):
        query = load(s.YearQuery, query or {})
        with self.db.read(school) as session:
            return payments.cap_usage(session, int(member_id), query.get("year") or date.today().year)
