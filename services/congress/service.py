"""The congress service (教代会服务): thin nameko entrypoints over the use cases."""
from __future__ import annotations

from datetime import date

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.congress import (archive, audit, delegates, disclosure, district, documents, elections, meetings,
                               polls, proposals, resolutions, sessions)
from services.congress.metrics import CongressGauges
from services.congress import schemas as s
from services.congress.common import today
from services.congress.domain.rules import LEAVES_DELEGATION
from services.congress.orm import Base, DirectoryGroup, DirectoryMember, KnownSchool
from shared.directory import MemberDirectoryMixin
from shared.errors import Forbidden
from shared.inbox import consumes
from shared.rpc import rpc
from shared.service import Context, Database, EntrypointMetrics, OpsEndpoints
from shared.validation import load


class CongressService(MemberDirectoryMixin, OpsEndpoints):
    name = "congress"
    directory = (DirectoryMember, DirectoryGroup)

    config = Config()
    db = Database(Base)
    ctx = Context()
    timing = EntrypointMetrics()
    gauges = CongressGauges()

    # --- events consumed ----------------------------------------------------------------------
    def on_member_changed(self, uow, event, before, after):
        """Delegates follow the members: one who leaves the union, transfers out or retires leaves a
        vacancy; a new name or staff category is carried over."""
        status = after.get("status")
        if status in LEAVES_DELEGATION and (before is None or before.get("status") not in LEAVES_DELEGATION):
            on = (event.payload.get("left_on") or event.payload.get("transferred_on")
                  or event.payload.get("retired_on") or today())
            delegates.vacate_for_member(uow, int(after["id"]), status,
                                        date.fromisoformat(on) if isinstance(on, str) else on)
        elif before is not None:
            delegates.follow_member(uow, int(after["id"]), before, after)

    @consumes("membership", "school_registered", scope="district")
    def school_registered(self, uow, event):
        self._school(uow, event.payload, True)

    @consumes("membership", "school_updated", scope="district")
    def school_updated(self, uow, event):
        self._school(uow, event.payload, event.payload.get("active", True))

    @staticmethod
    def _school(uow, payload, active):
        row = uow.session.get(KnownSchool, payload["code"])
        if row is None:
            uow.session.add(KnownSchool(code=payload["code"], name=payload["name"], active=active))
        else:
            row.name, row.active = payload["name"], active

    @consumes("finance", "audit_report_submitted")
    def audit_report_submitted(self, uow, event):
        audit.receive(uow, event.school or event.payload["school"], event.payload)

    # --- sessions, agenda, delegates, attendance ----------------------------------------------
    @rpc
    def create_session(self, school, data):
        data = load(s.SessionCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return sessions.create_session(uow, school, data)

    @rpc
    def list_sessions(self, school, query=None):
        query = load(s.SessionListQuery, query or {})
        with self.db.read(school) as session:
            return sessions.list_sessions(session, query)

    @rpc
    def get_session(self, school, session_id):
        with self.db.read(school) as session:
            return sessions.get_session(session, session_id)

    @rpc
    def add_agenda_item(self, school, session_id, data):
        data = load(s.AgendaItemCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return sessions.add_agenda_item(uow, school, session_id, data)

    @rpc
    def convene_session(self, school, session_id):
        with self.db.unit_of_work(school) as uow:
            return sessions.convene(uow, session_id)

    @rpc
    def close_session(self, school, session_id):
        with self.db.unit_of_work(school) as uow:
            return sessions.close(uow, session_id)

    @rpc
    def update_session(self, school, session_id, data):
        data = load(s.SessionUpdateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return sessions.update_session(uow, session_id, data)

    @rpc
    def add_sitting(self, school, session_id, data):
        data = load(s.SittingCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return sessions.add_sitting(uow, school, session_id, data)

    @rpc
    def add_delegate(self, school, data):
        data = load(s.DelegateCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return delegates.add_delegate(uow, school, data)

    @rpc
    def add_delegates(self, school, data):
        data = load(s.DelegateBulkSchema, data)
        with self.db.unit_of_work(school) as uow:
            return delegates.add_delegates(uow, school, data)

    @rpc
    def list_delegates(self, school, query=None):
        query = load(s.DelegateListQuery, query or {})
        with self.db.read(school) as session:
            return delegates.list_delegates(session, query)

    @rpc
    def check_in(self, school, session_id, sitting_id, data):
        data = load(s.CheckInSchema, data)
        with self.db.unit_of_work(school) as uow:
            return sessions.check_in(uow, school, session_id, sitting_id, data, self.ctx.current)

    @rpc
    def attendance(self, school, session_id, sitting_id):
        with self.db.read(school) as session:
            return sessions.attendance(session, session_id, sitting_id)

    @rpc
    def sitting_code(self, school, session_id, sitting_id):
        with self.db.read(school) as session:
            return sessions.sitting_code(session, session_id, sitting_id)

    # --- polls (motions, elections, evaluations) ----------------------------------------------
    @rpc
    def create_motion(self, school, session_id, data):
        data = load(s.MotionCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return polls.create_motion(uow, school, session_id, data)

    @rpc
    def create_election(self, school, session_id, data):
        data = load(s.ElectionCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return elections.create_election(uow, school, session_id, data)

    @rpc
    def create_evaluation(self, school, session_id, data):
        data = load(s.EvaluationCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return elections.create_evaluation(uow, school, session_id, data)

    @rpc
    def list_polls(self, school, session_id, query=None):
        query = load(s.PollListQuery, query or {})
        with self.db.read(school) as session:
            return polls.list_polls(session, session_id, query)

    @rpc
    def get_poll(self, school, poll_id):
        with self.db.read(school) as session:
            return polls.get_poll(session, poll_id)

    @rpc
    def open_poll(self, school, poll_id, data=None):
        data = load(s.PollOpenSchema, data or {})
        with self.db.unit_of_work(school) as uow:
            return polls.open_poll(uow, school, poll_id, data)

    @rpc
    def close_poll(self, school, poll_id):
        with self.db.unit_of_work(school) as uow:
            return polls.close_poll(uow, school, poll_id)

    @rpc
    def cast_ballot(self, school, poll_id, data):
        data = load(s.BallotCastSchema, data)
        caller = self.ctx.current
        if caller.school != school:
            raise Forbidden("school_forbidden", params={"school": school})
        if self.db.engine.dialect.name == "postgresql":
            return polls.cast_on_postgres(self.db.engine, school, poll_id, caller.member_id, data["choice"])
        with self.db.unit_of_work(school) as uow:
            return polls.cast(uow, school, poll_id, caller.member_id, data["choice"])

    @rpc
    def record_hands(self, school, poll_id, data):
        data = load(s.HandsSchema, data)
        with self.db.unit_of_work(school) as uow:
            return polls.record_hands(uow, poll_id, data)

    @rpc
    def my_vote_status(self, school, poll_id):
        with self.db.read(school) as session:
            return polls.voted_status(session, poll_id, self.ctx.current.member_id)

    @rpc
    def bulletin(self, school, poll_id, query=None):
        query = load(s.BulletinQuery, query or {})
        with self.db.read(school) as session:
            return polls.bulletin(session, poll_id, query.get("receipt"))

    @rpc
    def evaluation_export(self, school, poll_id, query=None):
        query = load(s.ExportQuery, query or {})
        with self.db.read(school) as session:
            return elections.evaluation_export(session, poll_id, query["format"])

    # --- resolutions (决议) -----------------------------------------------------------------------
    @rpc
    def list_resolutions(self, school, query=None):
        query = load(s.ResolutionListQuery, query or {})
        with self.db.read(school) as session:
            return resolutions.search(session, query)

    @rpc
    def update_resolution(self, school, resolution_id, data):
        data = load(s.ResolutionUpdateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return resolutions.update(uow, resolution_id, data)

    # --- proposals (提案) -------------------------------------------------------------------------
    @rpc
    def submit_proposal(self, school, session_id, data):
        data = load(s.ProposalCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return proposals.submit(uow, school, session_id, data, self.ctx.current)

    @rpc
    def list_proposals(self, school, query=None):
        query = load(s.ProposalListQuery, query or {})
        with self.db.read(school) as session:
            return proposals.search(session, query)

    @rpc
    def get_proposal(self, school, proposal_id):
        with self.db.read(school) as session:
            return proposals.get(session, proposal_id)

    @rpc
    def review_proposal(self, school, proposal_id, data):
        data = load(s.ProposalReviewSchema, data)
        with self.db.unit_of_work(school) as uow:
            return proposals.review(uow, proposal_id, data)

    @rpc
    def assign_proposal(self, school, proposal_id, data):
        data = load(s.ProposalAssignSchema, data)
        with self.db.unit_of_work(school) as uow:
            return proposals.assign(uow, proposal_id, data)

    @rpc
    def answer_proposal(self, school, proposal_id, data):
        data = load(s.ProposalAnswerSchema, data)
        with self.db.unit_of_work(school) as uow:
            return proposals.answer(uow, proposal_id, data)

    @rpc
    def track_proposal(self, school, proposal_id, data):
        data = load(s.ProposalTrackSchema, data)
        with self.db.unit_of_work(school) as uow:
            return proposals.track(uow, proposal_id, data)

    @rpc
    def rate_proposal(self, school, proposal_id, data):
        data = load(s.ProposalRateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return proposals.rate(uow, proposal_id, data, self.ctx.current)

    @rpc
    def remind_overdue_proposals(self, school):
        with self.db.unit_of_work(school) as uow:
            return proposals.remind_overdue(uow)

    @timer(interval=3600)
    def remind_overdue_everywhere(self):
        """逾期提醒, hourly; at most one reminder per proposal per day."""
        with self.db.unit_of_work(district=True) as uow:
            proposals.remind_overdue(uow)

    @rpc
    def proposal_stats(self, school, session_id):
        with self.db.read(school) as session:
            return proposals.stats(session, session_id)

    # --- disclosure (校务公开) and suggestions (意见箱) ----------------------------------------------
    @rpc
    def publish_notice(self, school, data):
        data = load(s.NoticeCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return disclosure.publish(uow, school, data)

    @rpc
    def list_notices(self, school, query=None):
        query = load(s.NoticeListQuery, query or {})
        with self.db.read(school) as session:
            return disclosure.notices(session, query)

    @rpc
    def get_notice(self, school, notice_id):
        with self.db.read(school) as session:
            return disclosure.get_notice(session, notice_id)

    @rpc
    def disclosure_cadence(self, school, query):
        query = load(s.CadenceQuery, query)
        with self.db.read(school) as session:
            return disclosure.cadence(session, query["year"])

    @rpc
    def submit_suggestion(self, school, data):
        data = load(s.SuggestionCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return disclosure.suggest(uow, school, data, self.ctx.current)

    @rpc
    def list_suggestions(self, school, query=None):
        query = load(s.SuggestionListQuery, query or {})
        with self.db.read(school) as session:
            return disclosure.suggestions(session, self.ctx.current, query)

    @rpc
    def reply_suggestion(self, school, suggestion_id, data):
        data = load(s.SuggestionReplySchema, data)
        with self.db.unit_of_work(school) as uow:
            return disclosure.reply(uow, suggestion_id, data)

    # --- meetings and trainings (会议与培训记录) ----------------------------------------------------
    @rpc
    def record_meeting(self, school, data):
        data = load(s.MeetingCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return meetings.record(uow, school, data)

    @rpc
    def list_meetings(self, school, query=None):
        query = load(s.MeetingListQuery, query or {})
        with self.db.read(school) as session:
            return meetings.search(session, query)

    @rpc
    def get_meeting(self, school, meeting_id):
        with self.db.read(school) as session:
            return meetings.get(session, meeting_id)

    @rpc
    def update_meeting(self, school, meeting_id, data):
        data = load(s.MeetingUpdateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return meetings.update(uow, meeting_id, data)

    @rpc
    def training_coverage(self, school, query=None):
        query = load(s.TrainingQuery, query or {})
        with self.db.read(school) as session:
            return meetings.training_coverage(session, query.get("term_no"))

    # --- the congress archive (教代会档案) ------------------------------------------------------------
    @rpc
    def congress_archive(self, school, query=None):
        query = load(s.ArchiveQuery, query or {})
        with self.db.read(school) as session:
            return archive.compile_archive(session, school, query.get("school_year"))

    @rpc
    def submit_archive(self, school, data):
        data = load(s.ArchiveSubmitSchema, data)
        with self.db.unit_of_work(school) as uow:
            return archive.submit(uow, school, data["school_year"])

    # --- documents ----------------------------------------------------------------------------
    @rpc
    def session_record(self, school, session_id, query=None):
        query = load(s.RecordQuery, query or {})
        with self.db.read(school) as session:
            return documents.export(session, session_id, query["format"])

    # --- district -----------------------------------------------------------------------------
    def _district_only(self):
        if not self.ctx.current.is_district:
            raise Forbidden("role_forbidden")

    @rpc
    def district_overview(self, query=None):
        self._district_only()
        query = load(s.YearQuery, query or {})
        with self.db.read(district=True) as session:
            return district.overview(session, query.get("school_year"))

    @rpc
    def district_proposal_rates(self, query=None):
        self._district_only()
        query = load(s.YearQuery, query or {})
        with self.db.read(district=True) as session:
            return district.proposal_rates(session, query.get("school_year"))

    @rpc
    def district_disclosures(self, query=None):
        self._district_only()
        query = load(s.DistrictYearQuery, query or {})
        with self.db.read(district=True) as session:
            return district.disclosures(session, query.get("year"))

    @rpc
    def district_filings(self, query=None):
        self._district_only()
        query = load(s.FilingListQuery, query or {})
        with self.db.read(district=True) as session:
            return district.filings(session, query)

    @rpc
    def district_meetings(self, query=None):
        self._district_only()
        query = load(s.DistrictYearQuery, query or {})
        with self.db.read(district=True) as session:
            return meetings.district_view(session, query.get("year"))

    @rpc
    def district_archives(self, query=None):
        self._district_only()
        query = load(s.DistrictArchiveQuery, query or {})
        with self.db.read(district=True) as session:
            return archive.district_view(session, query.get("school_year"), query.get("school"))

    @rpc
    def annual_summary(self, school, year):
        with self.db.read(school) as session:
            return district.annual_summary(session, school, int(year))
