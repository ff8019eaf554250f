"""职业幸福指数 use cases: open a survey for a window of dates, take each in-service member's
anonymous answer once, show the index when enough have answered. Who answered (``responders``)
and the answers (``scores`` under random tokens, no time, no sequence) are never joined."""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select

from services.welfare import members, policies
from services.welfare.domain import happiness as model
from services.welfare.domain.errors import WelfareConflict, WelfareForbidden, WelfareInvalid, WelfareNotFound
from services.welfare.orm import HappinessResponder, HappinessScore, HappinessSurvey
from services.welfare.paging import page


def create(uow, school: str, data: dict) -> dict:
    model.check_window(data["opens_on"], data["closes_on"])
    s = HappinessSurvey(school=school, year=data.get("year") or data["opens_on"].year, title=data["title"],
                        opens_on=data["opens_on"], closes_on=data["closes_on"])
    uow.session.add(s)
    uow.session.flush()
    result = view(uow.session, s)
    uow.commit()
    return result


def _survey(session, survey_id: int) -> HappinessSurvey:
    s = session.get(HappinessSurvey, int(survey_id))
    if s is None:
        raise WelfareNotFound("happiness_survey_not_found")
    return s


def respond(uow, school: str, survey_id: int, data: dict, context, today: date) -> dict:
    """One answer per in-service member, given by themself only: nobody answers for another."""
    session = uow.session
    s = _survey(session, survey_id)   # another school's survey is simply not found
    if context.member_id is None:
        raise WelfareForbidden("member_account_required")
    model.check_open(s.opens_on, s.closes_on, today)
    person = members.member(session, context.member_id, field="member_id")
    if person.status != "active":
        raise WelfareInvalid("welfare_member_not_in_service", fields={"member_id": ["welfare_member_not_in_service"]})
    if session.get(HappinessResponder, (s.id, person.member_id)) is not None:
        raise WelfareConflict("happiness_already_responded")
    session.add(HappinessResponder(school=school, survey_id=s.id, member_id=person.member_id))
    session.add(HappinessScore(school=school, survey_id=s.id, token=secrets.token_urlsafe(16)[:24],
                               score=data["score"]))
    session.flush()
    result = {"survey_id": s.id, "responded": True}
    uow.commit()
    return result


def view(session, s: HappinessSurvey) -> dict:
    scores = list(session.scalars(select(HappinessScore.score).where(HappinessScore.survey_id == s.id)))
    minimum = int(policies.settings(session)["happiness_min_responses"])
    return {"id": s.id, "year": s.year, "title": s.title, "opens_on": s.opens_on, "closes_on": s.closes_on,
            **model.index(scores, minimum)}


def get(session, survey_id: int, context) -> dict:
    s = _survey(session, survey_id)
    result = view(session, s)
    if context.member_id is not None:
        result["you_responded"] = session.get(HappinessResponder, (s.id, int(context.member_id))) is not None
    return result


def search(session, query: dict) -> dict:
    stmt = select(HappinessSurvey)
    if query.get("year") is not None:
        stmt = stmt.where(HappinessSurvey.year == query["year"])
    return page(session, stmt.order_by(HappinessSurvey.opens_on.desc(), HappinessSurvey.id.desc()), query,
                lambda s: view(session, s))


def year_index(session, year: int) -> dict | None:
    """The year's last survey with enough answers, for the year-end summary."""
    for s in session.scalars(select(HappinessSurvey).where(HappinessSurvey.year == year)
                             .order_by(HappinessSurvey.closes_on.desc(), HappinessSurvey.id.desc())):
        v = view(session, s)
        if v["index"] is not None:
            return {"survey": s.title, "index": v["index"], "responses": v["responses"]}
    return None

