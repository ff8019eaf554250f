"""The welfare service (职工福利与关爱服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from datetime import date

from nameko.dependency_providers import Config

from services.welfare import (birthdays, care, district, hardship, health, members, mutual_aid, outreach, payments,
                              policies, retirees, student_aid)
from services.welfare.metrics import WelfareGauges
from services.welfare import schemas as s
from services.welfare.orm import Base, DirectoryGroup, DirectoryMember
from services.welfare.wellbeing_service import WellbeingEntrypoints
from shared.directory import MemberDirectoryMixin
from shared.errors import Forbidden
from shared.inbox import consumes
from shared.rpc import rpc
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints
from shared.validation import load


def _today(value=None):
    return value or date.today()


class WelfareService(WellbeingEntrypoints, MemberDirectoryMixin, OpsEndpoints):
    name = "welfare"
    directory = (DirectoryMember, DirectoryGroup)

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
    gauges = WelfareGauges()

    # --- events --------------------------------------------------------------------------
    def on_member_changed(self, uow, event, before, after):
        """退休 opens a care case (退休慰问) by itself."""
        retired_now = after.get("status") == "retired" and (
            (before is not None and before.get("status") != "retired")
            or (before is None and event.type == "membership.member_retired"))
        if retired_now:
            retired_on = event.payload.get("retired_on")
            on = date.fromisoformat(retired_on) if retired_on else date.today()
            care.open_retirement_case(uow.session, after, on, event.event_id)
            hardship.close_for_member(uow.session, int(after["id"]), "retirement", on)
        ended = {"transferred_out": "transfer", "left": "death" if after.get("left_reason") == "deceased" else "left"}
        if after.get("status") in ended and (before is None or before.get("status") != after.get("status")):
            hardship.close_for_member(uow.session, int(after["id"]), ended[after["status"]], date.today())

    # idempotent by itself (an answer only moves a payment forward), so no dedupe record
    @consumes("finance", "spending_request_updated", dedupe=False)
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
            return policies.district_view(session)

    @rpc
    def set_district_policy(self, data):
        self._district_only()
        data = load(s.DistrictPolicySetSchema, data)
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
            members.member(uow.session, int(member_id), field=None, live=False)
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
        query = load(s.CaseReadQuery, query or {})
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
    def request_payments(self, school, data):
        data = load(s.PaymentBatchSchema, data)
        with self.db.unit_of_work(school) as uow:
            result = payments.request_many(uow, school, data["payments"], date.today(), self.ctx.current.actor)
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

    # --- hardship files --------------------------------------------------------------------
    @rpc
    def apply_hardship(self, school, data):
        data = load(s.HardshipApplySchema, data)
        with self.db.unit_of_work(school) as uow:
            return hardship.apply(uow, school, data, self.ctx.current, date.today())

    @rpc
    def list_hardship(self, school, query=None):
        query = load(s.HardshipQuery, query or {})
        with self.db.read(school) as session:
            return hardship.search(session, query, date.today())

    @rpc
    def get_hardship(self, school, file_id):
        with self.db.read(school) as session:
            return hardship.get(session, int(file_id), self.ctx.current)

    def _hardship_step(self, school, file_id, step, schema, data):
        data = load(schema, data or {})
        with self.db.unit_of_work(school) as uow:
            return hardship.step(uow, int(file_id), step, data, self.ctx.current, date.today())

    @rpc
    def hardship_home_visit(self, school, file_id, data=None):
        return self._hardship_step(school, file_id, "home_visit", s.HardshipStepSchema, data)

    @rpc
    def hardship_verify(self, school, file_id, data=None):
        return self._hardship_step(school, file_id, "verify", s.HardshipStepSchema, data)

    @rpc
    def hardship_start_notice(self, school, file_id, data=None):
        return self._hardship_step(school, file_id, "start_notice", s.HardshipNoticeSchema, data)

    @rpc
    def hardship_approve(self, school, file_id, data=None):
        return self._hardship_step(school, file_id, "approve", s.HardshipStepSchema, data)

    @rpc
    def hardship_reject(self, school, file_id, data):
        return self._hardship_step(school, file_id, "reject", s.HardshipRejectSchema, data)

    @rpc
    def hardship_object(self, school, file_id, data):
        data = load(s.HardshipObjectionSchema, data)
        with self.db.unit_of_work(school) as uow:
            return hardship.object_to(uow, school, int(file_id), data, date.today())

    @rpc
    def hardship_resolve_objection(self, school, file_id, objection_id, data):
        data = load(s.HardshipResolveSchema, data)
        with self.db.unit_of_work(school) as uow:
            return hardship.resolve_objection(uow, int(file_id), int(objection_id), data, date.today())

    @rpc
    def hardship_pair_leader(self, school, file_id, data):
        data = load(s.HardshipPairSchema, data)
        with self.db.unit_of_work(school) as uow:
            return hardship.pair_leader(uow, int(file_id), data)

    @rpc
    def hardship_recheck(self, school, file_id, data):
        data = load(s.HardshipRecheckSchema, data)
        with self.db.unit_of_work(school) as uow:
            return hardship.recheck(uow, school, int(file_id), data, self.ctx.current, date.today())

    @rpc
    def hardship_close(self, school, file_id, data):
        data = load(s.HardshipCloseSchema, data)
        with self.db.unit_of_work(school) as uow:
            return hardship.close(uow, int(file_id), data, date.today())

    # --- birthdays -------------------------------------------------------------------------
    @rpc
    def birthdays(self, school, query):
        query = load(s.BirthdayQuery, query)
        with self.db.read(school) as session:
            return birthdays.month_list(session, query["month"], query.get("year") or date.today().year,
                                        query["milestone"], query)

    @rpc
    def deliver_birthday(self, school, data):
        data = load(s.BirthdayDeliverySchema, data)
        with self.db.unit_of_work(school) as uow:
            return birthdays.deliver(uow, school, data, self.ctx.current, date.today())

    @rpc
    def birthday_deliveries(self, school, query=None):
        query = load(s.YearPageQuery, query or {})
        with self.db.read(school) as session:
            return birthdays.deliveries(session, query.get("year") or date.today().year, query)

    # --- health ----------------------------------------------------------------------------
    @rpc
    def create_health_campaign(self, school, data):
        data = load(s.HealthCampaignSchema, data)
        with self.db.unit_of_work(school) as uow:
            return health.create(uow, school, data)

    @rpc
    def health_campaigns(self, school, query=None):
        query = load(s.HealthCampaignQuery, query or {})
        with self.db.read(school) as session:
            return health.campaigns(session, query)

    @rpc
    def book_health_check(self, school, campaign_id, data):
        data = load(s.HealthBookingSchema, data)
        with self.db.unit_of_work(school) as uow:
            return health.book(uow, school, int(campaign_id), data, self.ctx.current)

    @rpc
    def health_bookings(self, school, campaign_id, query=None):
        query = load(s.BookingQuery, query or {})
        with self.db.read(school) as session:
            return health.bookings(session, int(campaign_id), query["follow_up"], query)

    @rpc
    def record_health_result(self, school, campaign_id, booking_id, data):
        data = load(s.HealthResultSchema, data)
        with self.db.unit_of_work(school) as uow:
            return health.record_result(uow, int(campaign_id), int(booking_id), data)

    # --- mutual aid ------------------------------------------------------------------------
    @rpc
    def enrol_mutual_aid(self, school, data):
        data = load(s.EnrolSchema, data)
        with self.db.unit_of_work(school) as uow:
            return mutual_aid.enrol(uow, school, data, date.today())

    @rpc
    def mutual_aid(self, school, query=None):
        query = load(s.MutualAidQuery, query or {})
        context = self.ctx.current
        if not members.is_officer(context):     # a member sees their own cover and claims
            query["member_id"] = context.member_id if context.member_id is not None else -1
        with self.db.read(school) as session:
            return mutual_aid.listing(session, query.get("year") or date.today().year, query)

    @rpc
    def submit_claim(self, school, data):
        data = load(s.ClaimSchema, data)
        with self.db.unit_of_work(school) as uow:
            return mutual_aid.claim(uow, school, data, self.ctx.current, date.today())

    @rpc
    def decide_claim(self, school, claim_id, data):
        data = load(s.ClaimDecisionSchema, data)
        with self.db.unit_of_work(school) as uow:
            return mutual_aid.decide(uow, school, int(claim_id), data, self.ctx.current, date.today())

    # --- festival outreach -----------------------------------------------------------------
    @rpc
    def create_campaign(self, school, data):
        data = load(s.CampaignSchema, data)
        with self.db.unit_of_work(school) as uow:
            return outreach.create(uow, school, data)

    @rpc
    def campaigns(self, school, query=None):
        query = load(s.CampaignQuery, query or {})
        with self.db.read(school) as session:
            return outreach.campaigns(session, query)

    @rpc
    def add_recipients(self, school, campaign_id, data):
        data = load(s.RecipientsSchema, data)
        with self.db.unit_of_work(school) as uow:
            return outreach.add_recipients(uow, school, int(campaign_id), data)

    @rpc
    def campaign_recipients(self, school, campaign_id, query=None):
        query = load(s.RecipientQuery, query or {})
        with self.db.read(school) as session:
            return outreach.recipients(session, int(campaign_id), query)

    @rpc
    def deliver_gift(self, school, campaign_id, data):
        data = load(s.DeliverSchema, data)
        with self.db.unit_of_work(school) as uow:
            return outreach.deliver(uow, school, int(campaign_id), data, self.ctx.current, date.today())

    # --- retirees --------------------------------------------------------------------------
    @rpc
    def upcoming_retirees(self, school, query=None):
        query = load(s.RetireeQuery, query or {})
        with self.db.read(school) as session:
            return retirees.upcoming(session, query["within_years"], date.today(), query=query)

    @rpc
    def record_retiree_care(self, school, data):
        data = load(s.RetireeCareSchema, data)
        with self.db.unit_of_work(school) as uow:
            return retirees.record(uow, school, data, date.today())

    @rpc
    def retiree_care_records(self, school, query=None):
        query = load(s.RetireeCareQuery, query or {})
        with self.db.read(school) as session:
            return retirees.records(session, query)

    # --- student aid -----------------------------------------------------------------------
    @rpc
    def award_student_aid(self, school, data):
        data = load(s.StudentAidSchema, data)
        with self.db.unit_of_work(school) as uow:
            return student_aid.award(uow, school, data, self.ctx.current, date.today())

    @rpc
    def student_aid(self, school, query=None):
        query = load(s.YearPageQuery, query or {})
        with self.db.read(school) as session:
            return student_aid.listing(session, query.get("year") or date.today().year, query)

    # --- district and year-end ---------------------------------------------------------------
    @rpc
    def district_spending(self, query=None):
        self._district_only()
        query = load(s.YearQuery, query or {})
        with self.db.read(district=True) as session:
            return district.spending(session, query.get("year") or date.today().year)

    @rpc
    def district_hardship(self):
        self._district_only()
        with self.db.read(district=True) as session:
            return district.hardship(session)

    @rpc
    def district_visits_owed(self):
        self._district_only()
        with self.db.read(district=True) as session:
            return district.visits_owed(session)

    @rpc
    def annual_summary(self, school, year):
        with self.db.read(school) as session:
            return district.annual_summary(session, school, int(year))
