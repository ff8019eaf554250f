"""Entrypoints of women's special protection (四期, W13), working conditions and the summer
sanatorium (W21), rights cases (W22), the women's programme (W23) and staff health promotion (W24),
mixed into ``WelfareService`` (they use its ``db`` and ``ctx``)."""
from __future__ import annotations

from datetime import date

from services.welfare import conditions, district, happiness, programmes, protection, rights
from services.welfare import schemas_wellbeing as s
from shared.errors import Forbidden
from shared.rpc import rpc
from shared.validation import load


class WellbeingEntrypoints:
    # --- 女职工“四期”保护 ----------------------------------------------------------------------
    @rpc
    def protection_kinds(self, school):
        return protection.measures()

    @rpc
    def record_protection(self, school, data):
        data = load(s.ProtectionCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return protection.record(uow, school, data, self.ctx.current, date.today())

    @rpc
    def protection_periods(self, school, query=None):
        query = load(s.ProtectionQuery, query or {})
        with self.db.unit_of_work(school) as uow:
            return protection.search(uow, school, query, self.ctx.current, date.today())

    @rpc
    def get_protection(self, school, period_id):
        with self.db.unit_of_work(school) as uow:
            return protection.get(uow, school, int(period_id), self.ctx.current, date.today())

    @rpc
    def end_protection(self, school, period_id, data=None):
        data = load(s.ProtectionEndSchema, data or {})
        with self.db.unit_of_work(school) as uow:
            return protection.end(uow, school, int(period_id), data, self.ctx.current, date.today())

    # --- 维权个案 -------------------------------------------------------------------------------
    @rpc
    def open_rights_case(self, school, data):
        data = load(s.RightsCaseCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return rights.open_case(uow, school, data, self.ctx.current, date.today())

    @rpc
    def rights_cases(self, school, query=None):
        query = load(s.RightsQuery, query or {})
        with self.db.unit_of_work(school) as uow:
            return rights.search(uow, school, query, self.ctx.current)

    @rpc
    def get_rights_case(self, school, case_id):
        with self.db.unit_of_work(school) as uow:
            return rights.get(uow, school, int(case_id), self.ctx.current)

    @rpc
    def add_rights_note(self, school, case_id, data):
        data = load(s.RightsNoteSchema, data)
        with self.db.unit_of_work(school) as uow:
            return rights.add_note(uow, school, int(case_id), data, self.ctx.current, date.today())

    @rpc
    def close_rights_case(self, school, case_id, data):
        data = load(s.RightsCloseSchema, data)
        with self.db.unit_of_work(school) as uow:
            return rights.close(uow, school, int(case_id), data, self.ctx.current, date.today())

    # --- 工作条件 -------------------------------------------------------------------------------
    @rpc
    def raise_condition(self, school, data):
        data = load(s.ConditionCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return conditions.raise_item(uow, school, data, self.ctx.current, date.today())

    @rpc
    def list_conditions(self, school, query=None):
        query = load(s.ConditionQuery, query or {})
        with self.db.read(school) as session:
            return conditions.search(session, query)

    @rpc
    def condition_progress(self, school, item_id, data):
        data = load(s.ConditionProgressSchema, data)
        with self.db.unit_of_work(school) as uow:
            return conditions.progress(uow, int(item_id), data, self.ctx.current, date.today())

    # --- 关爱项目: 疗养, 女职工活动, 健康促进 -----------------------------------------------------
    @rpc
    def create_programme(self, school, data):
        data = load(s.ProgrammeCreateSchema, data)
        with self.db.unit_of_work(school) as uow:
            return programmes.create(uow, school, data, date.today())

    @rpc
    def list_programmes(self, school, query=None):
        query = load(s.ProgrammeQuery, query or {})
        with self.db.read(school) as session:
            return programmes.search(session, query)

    @rpc
    def get_programme(self, school, programme_id, query=None):
        query = load(s.ParticipantQuery, query or {})
        with self.db.read(school) as session:
            return programmes.get(session, int(programme_id), query)

    @rpc
    def add_participants(self, school, programme_id, data):
        data = load(s.ParticipantsSchema, data)
        with self.db.unit_of_work(school) as uow:
            return programmes.add_participants(uow, school, int(programme_id), data, self.ctx.current, date.today())

    @rpc
    def record_attendance(self, school, programme_id, member_id, data):
        data = load(s.AttendanceSchema, data)
        with self.db.unit_of_work(school) as uow:
            return programmes.record_attendance(uow, school, int(programme_id), int(member_id), data,
                                                self.ctx.current, date.today())

    # --- 职业幸福指数 ---------------------------------------------------------------------------
    @rpc
    def create_happiness_survey(self, school, data):
        data = load(s.HappinessSurveySchema, data)
        with self.db.unit_of_work(school) as uow:
            return happiness.create(uow, school, data)

    @rpc
    def happiness_surveys(self, school, query=None):
        query = load(s.YearPageQuery, query or {})
        with self.db.read(school) as session:
            return happiness.search(session, query)

    @rpc
    def get_happiness_survey(self, school, survey_id):
        with self.db.read(school) as session:
            return happiness.get(session, int(survey_id), self.ctx.current)

    @rpc
    def answer_happiness_survey(self, school, survey_id, data):
        data = load(s.HappinessAnswerSchema, data)
        with self.db.unit_of_work(school) as uow:
            return happiness.respond(uow, school, int(survey_id), data, self.ctx.current, date.today())

    # --- 区教育工会 ----------------------------------------------------------------------------
    @rpc
    def district_womens_programme(self, query=None):
        if not self.ctx.current.is_district:
            raise Forbidden("role_forbidden")
        query = load(s.DistrictYearQuery, query or {})
        with self.db.read(district=True) as session:
            return district.womens_programme(session, query.get("year") or date.today().year)
