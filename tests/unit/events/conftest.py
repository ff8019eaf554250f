import pytest

from shared import contracts
from shared.db import TenantSessionFactory, UnitOfWork
from shared.directory import apply_group, apply_member
from shared.tenancy import CallContext

SCHOOL = "S1"


class Db:
    def __init__(self, engine):
        from services.events.orm import KIT
        self.engine, self.kit = engine, KIT
        self.sessions = TenantSessionFactory(engine)

    def uow(self, school=SCHOOL, role="events_officer", member_id=None, district=False):
        context = CallContext(school=None if district else school, actor="tester", role=role, member_id=member_id)
        return UnitOfWork(self.sessions, self.kit, schools=None if district else {school}, context=context)

    def read(self, school=SCHOOL):
        return self.sessions({school})

    def member(self, member_id, name, school=SCHOOL, group_id=None, status="active"):
        from services.events.orm import DirectoryMember
        with self.uow(school) as uow:
            apply_member(uow.session, DirectoryMember, {
                "id": member_id, "school": school, "person_key": f"pk{member_id}", "name": name, "gender": "female",
                "birth_date": "1980-01-01", "category": "teacher", "status": status, "union_group_id": group_id,
                "version": 1})
            uow.commit()

    def group(self, group_id, name, school=SCHOOL):
        from services.events.orm import DirectoryGroup
        with self.uow(school) as uow:
            apply_group(uow.session, DirectoryGroup, {"id": group_id, "school": school, "name": name, "version": 1})
            uow.commit()

    def committee(self, position_id, member_id, name, portfolio="culture_sports", school=SCHOOL,
                  started_on="2024-01-01", ended_on=None):
        """membership.committee_changed as the consumer applies it."""
        from services.events.committee import apply_position
        with self.uow(school) as uow:
            apply_position(uow.session, {"position_id": position_id, "school": school, "member_id": member_id,
                                         "member_name": name, "portfolio": portfolio, "title": None,
                                         "started_on": started_on, "ended_on": ended_on})
            uow.commit()

    def outbox_types(self):
        from sqlalchemy import select
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(self.kit.outbox.c.type).order_by(self.kit.outbox.c.id))]


@pytest.fixture
def db(sqlite_schema):
    contracts.load_all()
    from services.events.orm import Base
    return Db(sqlite_schema(Base.metadata))
