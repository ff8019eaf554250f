"""The events service (文体活动与工作计划服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

import functools
import logging
import re
from datetime import date

import eventlet
from nameko.dependency_providers import Config
from nameko.timer import timer
from sqlalchemy import select

from services.events import (activities, committee, competitions, costs, links, participation, plans,
                             registrations, summary, summary_document, tournaments, trips)
from services.events import schemas as s
from services.events.metrics import EventsGauges
from services.events.remote import Remote
from services.events.orm import Base, DirectoryGroup, DirectoryMember, KnownSchool
from shared.db.base import utcnow
from shared.directory import LIVE, MemberDirectoryMixin
from shared.errors import Forbidden, NotFound
from shared.inbox import consumes
from shared.rpc import rpc
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints
from shared.validation import load

log = logging.getLogger(__name__)
SUMMARY_TIMEOUT = 10.0


def _year(value) -> int:
    """A year from the path (the gateway passes it as text): anything else is not a page that exists."""
    text = str(value)
    if not re.fullmatch(r"[0-9]{4}", text) or not 2000 <= int(text) <= 2100:
        raise NotFound("not_found")
    return int(text)


def _id(value) -> int:
    """A record number from the path: one the database cannot hold names no record."""
    number = int(value)
    if not 1 <= number <= 2 ** 31 - 1:
        raise NotFound("not_found")
    return number


@functools.cache
def _schema(cls):
    """One instance per schema: loading is stateless, building the fields is not free."""
    return cls()


class EventsService(MemberDirectoryMixin, OpsEndpoints):
    name = "events"

    config = Config()      # the ops endpoints (/readyz) read the broker's address from it
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
    gauges = EventsGauges()
    remote = Remote()
    directory = (DirectoryMember, DirectoryGroup)

    def _lang(self):
        return self.ctx.current.language or "zh-CN"

    def _district_only(self):
        if not self.ctx.current.is_district:
            raise Forbidden("role_forbidden")

    def _officer_only(self):
        if self.ctx.current.role not in activities.OFFICERS:
            raise Forbidden("role_forbidden")

    # 活动
    @rpc
    def create_activity(self, school, data):
        data = load(_schema(s.ActivityCreateSchema), data)
        with self.db.unit_of_work(school) as uow:
            return activities.create_activity(uow, school, data, self.ctx.current.actor, self._lang())

    @rpc
    def update_activity(self, school, activity_id, data):
        data = load(_schema(s.ActivityUpdateSchema), data)
        with self.db.unit_of_work(school) as uow:
            return activities.update_activity(uow, _id(activity_id), data, utcnow(), self._lang())

    @rpc
    def list_activities(self, school, query=None):
        query = load(_schema(s.ActivityListQuery), query or {})
        with self.db.read(school) as session:
            return activities.list_activities(session, query, self._lang())

    @rpc
    def get_activity(self, school, activity_id):
        with self.db.read(school) as session:
            return activities.get_activity(session, _id(activity_id), self._lang())

    # 报名
    @rpc
    def register(self, school, activity_id, data=None):
        data = load(_schema(s.RegisterSchema), data or {})
        member_id = activities.resolve_member(self.ctx.current, data.get("member_id"))
        with self.db.unit_of_work(school) as uow:
            return registrations.register(uow, school, _id(activity_id), member_id, data.get("route_id"), utcnow(),
                                       self.ctx.current.actor, self._lang())

    @rpc
    def list_registrations(self, school, activity_id, query=None):
        query = load(_schema(s.RegistrationListQuery), query or {})
        with self.db.read(school) as session:
            return registrations.list_registrations(session, _id(activity_id), query, self._lang())

    @rpc
    def my_registrations(self, school, query=None):
        query = load(_schema(s.PageQuery), query or {})
        member_id = self.ctx.current.member_id
        if member_id is None:
            raise Forbidden("member_account_required")
        with self.db.read(school) as session:
            return registrations.my_registrations(session, member_id, query, self._lang())

    def _change(self, school, activity_id, member_id, action):
        with self.db.unit_of_work(school) as uow:
            return registrations.change(uow, _id(activity_id), _id(member_id), action, utcnow(), self.ctx.current,
                                     self._lang())

    @rpc
    def cancel_registration(self, school, activity_id, member_id, data=None):
        return self._change(school, activity_id, member_id, "cancel")

    @rpc
    def accept_offer(self, school, activity_id, member_id, data=None):
        return self._change(school, activity_id, member_id, "accept")

    @rpc
    def decline_offer(self, school, activity_id, member_id, data=None):
        return self._change(school, activity_id, member_id, "decline")

    @rpc
    def approve_registration(self, school, activity_id, member_id, data=None):
        return self._change(school, activity_id, member_id, "approve")

    @rpc
    def reject_registration(self, school, activity_id, member_id, data=None):
        return self._change(school, activity_id, member_id, "reject")

    @rpc
    def check_in(self, school, activity_id, data):
        data = load(_schema(s.CheckInSchema), data)
        with self.db.unit_of_work(school) as uow:
            return registrations.check_in(uow, _id(activity_id), data["member_id"], utcnow(), self._lang())

    @rpc
    def close_attendance(self, school, activity_id, data=None):
        with self.db.unit_of_work(school) as uow:
            return registrations.close_attendance(uow, _id(activity_id), utcnow())

    @timer(interval=60)
    def expire_offers(self):
        """递补逾期: offers past their deadline pass the seat on, even if nobody touches the activity."""
        n = registrations.sweep_expired_offers(lambda: self.db.unit_of_work(district=True), utcnow())
        if n:
            log.info("expired %d seat offers", n)

    def on_member_changed(self, uow, event, before, after):
        """退会、调出: the member's places in activities still to come are released."""
        if before is not None and after.get("status") not in LIVE:
            registrations.withdraw_member(uow, int(after["id"]), utcnow())

    # 参与 / 必须人人参加
    @rpc
    def compulsory_gaps(self, school, activity_id):
        with self.db.read(school) as session:
            return participation.compulsory_gaps(session, _id(activity_id))

    @rpc
    def participation(self, school, query):
        query = load(_schema(s.ParticipationQuery), query)
        with self.db.read(school) as session:
            return participation.school_participation(session, query["year"])

    @rpc
    def district_participation(self, query):
        self._district_only()
        query = load(_schema(s.ParticipationQuery), query)
        with self.db.read(district=True) as session:
            return participation.district_participation(session, query["year"])

    # 出游
    @rpc
    def add_route(self, school, activity_id, data):
        data = load(_schema(s.RouteCreateSchema), data)
        with self.db.unit_of_work(school) as uow:
            return trips.add_route(uow, school, _id(activity_id), data, date.today())

    @rpc
    def update_route(self, school, activity_id, route_id, data):
        data = load(_schema(s.RouteUpdateSchema), data)
        with self.db.unit_of_work(school) as uow:
            return trips.update_route(uow, _id(activity_id), _id(route_id), data, date.today())

    @rpc
    def list_routes(self, school, activity_id):
        with self.db.read(school) as session:
            return trips.list_routes(session, _id(activity_id), date.today())

    @consumes("membership", "committee_changed")
    def on_committee_changed(self, uow, event):
        """工会委员会: the committee copy that says who may lead a trip route."""
        committee.apply_position(uow.session, event.payload)

    @rpc
    def answer_survey(self, school, activity_id, data):
        data = load(_schema(s.IntentionSchema), data)
        with self.db.unit_of_work(school) as uow:
            return trips.answer_survey(uow, school, _id(activity_id), data, self.ctx.current)

    @rpc
    def survey_results(self, school, activity_id):
        with self.db.read(school) as session:
            return trips.survey_results(session, _id(activity_id))

    # 经费
    @rpc
    def request_expense(self, school, activity_id, data):
        data = load(_schema(s.ExpenseCreateSchema), data)
        with self.db.unit_of_work(school) as uow:
            return costs.request_expense(uow, school, _id(activity_id), data, date.today(), self._lang())

    @rpc
    def list_expenses(self, school, activity_id, query=None):
        query = load(_schema(s.PageQuery), query or {})
        with self.db.read(school) as session:
            return costs.list_expenses(session, _id(activity_id), query, self._lang())

    @consumes("finance", "spending_request_updated")
    def on_spending_request_updated(self, uow, event):
        costs.apply_answer(uow.session, event.payload)

    # 赛事
    @rpc
    def create_tournament(self, school, data):
        data = load(_schema(s.TournamentCreateSchema), data)
        with self.db.unit_of_work(school) as uow:
            return tournaments.create(uow, school, data)

    @rpc
    def list_tournaments(self, school, query=None):
        query = load(_schema(s.PageQuery), query or {})
        with self.db.read(school) as session:
            return tournaments.list_tournaments(session, query)

    @rpc
    def get_tournament(self, school, tournament_id):
        with self.db.read(school) as session:
            return tournaments.get(session, _id(tournament_id))

    @rpc
    def add_entrants(self, school, tournament_id, data):
        data = load(_schema(s.EntrantsSchema), data)
        with self.db.unit_of_work(school) as uow:
            return tournaments.add_entrants(uow, school, _id(tournament_id), data)

    @rpc
    def make_draw(self, school, tournament_id, data=None):
        data = load(_schema(s.DrawSchema), data or {})
        with self.db.unit_of_work(school) as uow:
            return tournaments.make_draw(uow, school, _id(tournament_id), data)

    @rpc
    def record_result(self, school, tournament_id, match_id, data):
        data = load(_schema(s.ResultSchema), data)
        with self.db.unit_of_work(school) as uow:
            return tournaments.record_result(uow, _id(tournament_id), _id(match_id), data)

    @rpc
    def standings(self, school, tournament_id):
        with self.db.read(school) as session:
            return tournaments.standings(session, _id(tournament_id))

    @rpc
    def give_award(self, school, tournament_id, data):
        data = load(_schema(s.AwardSchema), data)
        with self.db.unit_of_work(school) as uow:
            return tournaments.give_award(uow, school, _id(tournament_id), data, date.today())

    @rpc
    def give_activity_award(self, school, activity_id, data):
        data = load(_schema(s.AwardSchema), data)
        with self.db.unit_of_work(school) as uow:
            return tournaments.give_activity_award(uow, school, _id(activity_id), data, date.today())

    @rpc
    def list_awards(self, school, query=None):
        query = load(_schema(s.YearQuery), query or {})
        with self.db.read(school) as session:
            return tournaments.list_awards(session, query)

    # 区级比赛
    @rpc
    def create_competition(self, data):
        self._district_only()
        data = load(_schema(s.CompetitionCreateSchema), data)
        with self.db.unit_of_work(district=True) as uow:
            return competitions.create(uow, data)

    @rpc
    def list_competitions(self, query=None):
        self._district_only()
        query = load(_schema(s.YearQuery), query or {})
        with self.db.read(district=True) as session:
            return competitions.list_competitions(session, query)

    @rpc
    def school_competitions(self, school, query=None):
        query = load(_schema(s.YearQuery), query or {})
        with self.db.read(school) as session:
            return competitions.list_competitions(session, query)

    @rpc
    def enter_competition(self, school, competition_id, data):
        data = load(_schema(s.CompetitionEntrySchema), data)
        with self.db.unit_of_work(school) as uow:
            return competitions.enter(uow, school, _id(competition_id), data, date.today())

    @rpc
    def school_entries(self, school, competition_id, query=None):
        query = load(_schema(s.PageQuery), query or {})
        with self.db.read(school) as session:
            return competitions.school_entries(session, _id(competition_id), query)

    @rpc
    def record_competition_results(self, competition_id, data):
        self._district_only()
        data = load(_schema(s.CompetitionResultSchema), data)
        with self.db.unit_of_work(district=True) as uow:
            return competitions.record_results(uow, _id(competition_id), data)

    @rpc
    def school_rankings(self, school, competition_id):
        with self.db.read(district=True) as session:
            ranking = competitions.published_rankings(session, _id(competition_id))
        return competitions.without_other_athletes(ranking, school)

    @rpc
    def competition_rankings(self, competition_id):
        self._district_only()
        with self.db.read(district=True) as session:
            return competitions.rankings(session, _id(competition_id))

    # 工作计划
    @rpc
    def create_plan(self, school, year, data=None):
        data = load(_schema(s.PlanCreateSchema), data or {})
        with self.db.unit_of_work(school) as uow:
            return plans.create_plan(uow, school, _year(year), data)

    @rpc
    def get_plan(self, school, year):
        with self.db.read(school) as session:
            return plans.get_plan(session, _year(year))

    @rpc
    def add_plan_item(self, school, year, data):
        data = load(_schema(s.PlanItemCreateSchema), data)
        link_errors = self._link_errors(school, data.get("link"))
        with self.db.unit_of_work(school) as uow:
            return plans.add_item(uow, school, _year(year), data, link_errors)

    @rpc
    def update_plan_item(self, school, year, item_id, data):
        data = load(_schema(s.PlanItemSchema), data)
        link_errors = self._link_errors(school, data.get("link"))
        with self.db.unit_of_work(school) as uow:
            return plans.update_item(uow, _year(year), _id(item_id), data, link_errors)

    @rpc
    def link_kinds(self, school):
        return links.catalogue(self._lang())

    def _link_errors(self, school, link) -> dict:
        """The link's problems, asked before the unit of work opens (no transaction waits on a
        remote service); the owner being down is a 503 and nothing is written."""
        return links.errors(link, lambda service, kind, spec, record_id:
                            self._record_exists(school, service, kind, spec, record_id))

    def _record_exists(self, school, service, kind, spec, record_id) -> bool:
        if service == self.name:
            with self.db.read(school) as session:
                return plans.own_record_exists(session, kind, record_id)
        context = self.ctx.current.to_context_data()
        try:
            if spec.listing:
                return links.found_in_listing(lambda query: self.remote(
                    service, spec.method, {"school": school, **({"query": query} if query else {})}, context),
                    record_id)
            self.remote(service, spec.method, {"school": school, spec.id_arg: record_id}, context)
            return True
        except NotFound:
            return False

    @rpc
    def publish_plan(self, school, year, data=None):
        with self.db.unit_of_work(school) as uow:
            return plans.publish_plan(uow, _year(year))

    @rpc
    def calendar(self, school, query):
        query = load(_schema(s.CalendarQuery), query)
        with self.db.read(school) as session:
            return plans.calendar(session, query["year"], query.get("month"))

    @rpc
    def create_district_task(self, data):
        self._district_only()
        data = load(_schema(s.TaskCreateSchema), data)
        with self.db.unit_of_work(district=True) as uow:
            return plans.create_task(uow, data)

    @rpc
    def list_district_tasks(self, query=None):
        self._district_only()
        query = load(_schema(s.ParticipationQuery), query or {})
        with self.db.read(district=True) as session:
            return plans.list_tasks(session, query["year"])

    @rpc
    def school_district_tasks(self, school, query=None):
        query = load(_schema(s.ParticipationQuery), query or {})
        with self.db.read(school) as session:
            return plans.list_tasks(session, query["year"])

    @rpc
    def plan_compliance(self, query):
        self._district_only()
        query = load(_schema(s.ParticipationQuery), query)
        with self.db.read(district=True) as session:
            schools = [c for (c,) in session.execute(select(KnownSchool.code).where(KnownSchool.active.is_(True)))]
            return plans.compliance(session, query["year"], schools)

    @consumes("membership", "school_registered", scope="district", dedupe=False)
    def on_school_registered(self, uow, event):
        self._remember_school(uow, event.payload, True)

    @consumes("membership", "school_updated", scope="district", dedupe=False)
    def on_school_updated(self, uow, event):
        self._remember_school(uow, event.payload, event.payload.get("active", True))

    @staticmethod
    def _remember_school(uow, payload, active):
        row = uow.session.get(KnownSchool, payload["code"])
        if row is None:
            uow.session.add(KnownSchool(code=payload["code"], name=payload["name"], active=active))
        else:
            row.name, row.active = payload["name"], active

    # 年度工作总结
    @rpc
    def annual_summary(self, school, year):
        with self.db.read(school) as session:
            return summary.own_summary(session, school, _year(year))

    def _gather(self, school, year) -> dict:
        year = _year(year)
        from shared.plugins import discover
        names = [n for n, p in discover().items() if p.annual_summary and p.service]
        context = self.ctx.current.to_context_data()
        answers: dict = {}

        def ask(name):
            try:
                if name == self.name:
                    return name, self.annual_summary(school, year)
                return name, self.remote(name, "annual_summary", {"school": school, "year": year}, context,
                                         SUMMARY_TIMEOUT)
            except Exception as exc:   # a missing or failing service is shown as missing
                log.warning("annual_summary of %s failed: %r", name, exc)
                return name, exc
        pool = eventlet.GreenPool(len(names) or 1)
        for name, answer in pool.imap(ask, names):
            answers[name] = answer
        with self.db.read(district=True) as session:
            school_name = session.execute(select(KnownSchool.name).where(KnownSchool.code == school)).scalar()
        return summary.assemble(school, year, answers, school_name)

    @rpc
    def year_summary(self, school, year):
        return self._gather(school, year)

    @rpc
    def year_summary_document(self, school, year, query=None):
        query = load(_schema(s.SummaryQuery), query or {})
        return summary_document.document(self._gather(school, year), query["format"])
