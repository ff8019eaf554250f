"""关联记录: a plan item's link to the record that fulfils it is checked before it is stored."""
from datetime import datetime

import pytest

from services.events import activities, links, plans
from shared.errors import Unavailable, ValidationFailed

from .conftest import SCHOOL


class Owners:
    """The other services as the link check sees them: records by (service, kind), and who is down."""

    def __init__(self, records=(), down=()):
        self.records, self.down, self.asked = set(records), set(down), []

    def exists(self, service, kind, spec, record_id):
        self.asked.append((service, kind, record_id))
        if service in self.down:
            raise Unavailable("remote_service_unavailable", params={"service": service})
        return (service, kind, record_id) in self.records


def link(service="congress", kind="session", id="8"):
    return {"service": service, "kind": kind, "id": id}


def test_a_link_to_an_existing_record_has_no_errors_and_no_link_asks_nobody():
    owners = Owners({("congress", "session", 8)})
    assert links.errors(link(), owners.exists) == {}
    assert links.errors(None, owners.exists) == {}
    assert owners.asked == [("congress", "session", 8)]


def test_a_link_to_a_record_that_does_not_exist_names_the_id():
    assert links.errors(link(id="9"), Owners().exists) == {"link.id": ["linked_record_not_found"]}


@pytest.mark.parametrize("bad, fields", [
    (link(service="library"), {"link.service": ["unknown_link_service"]}),
    (link(kind="banquet"), {"link.kind": ["unknown_link_kind"]}),
    (link(id="8-5"), {"link.id": ["invalid_link_id"]}),
    (link(id="0"), {"link.id": ["invalid_link_id"]}),
    (link(id="²"), {"link.id": ["invalid_link_id"]}),
    (link(id="9999999999"), {"link.id": ["invalid_link_id"]}),
    (link(kind="banquet", id="x"), {"link.kind": ["unknown_link_kind"], "link.id": ["invalid_link_id"]}),
])
def test_a_link_of_an_unknown_kind_or_with_a_bad_id_is_refused_without_asking_anyone(bad, fields):
    owners = Owners()
    assert links.errors(bad, owners.exists) == fields
    assert owners.asked == []


def test_an_owner_that_cannot_answer_makes_the_check_fail_as_unavailable():
    with pytest.raises(Unavailable) as exc:
        links.errors(link(service="finance", kind="audit"), Owners(down={"finance"}).exists)
    assert exc.value.status == 503 and exc.value.params == {"service": "finance"}


def test_an_owners_list_answer_is_searched_for_the_record():
    answer = {"items": [{"id": 3, "title": "2026年教工体检"}, {"id": 5}], "total": 2}
    assert links.listing_has(answer, 5) and not links.listing_has(answer, 4) and not links.listing_has(None, 1)


def test_an_owner_that_answers_in_pages_is_read_until_the_record_is_found():
    records = [{"id": i} for i in range(1200, 0, -1)]          # newest first, as the owners list them
    asked = []

    def ask(query):
        asked.append(query)
        number, size = (query or {}).get("page", 1), (query or {}).get("page_size", 50)
        return {"items": records[(number - 1) * size: number * size], "total": len(records)}
    assert links.found_in_listing(ask, 1190) and asked == [None]
    asked.clear()
    assert links.found_in_listing(ask, 3) and [q["page"] for q in asked[1:]] == [1, 2, 3]
    assert not links.found_in_listing(ask, 5000)
    assert not links.found_in_listing(lambda query: {"items": [{"id": 1}]}, 2)      # an owner without pages


def test_the_catalogue_names_every_kind_in_the_callers_language():
    zh, en = links.catalogue("zh-CN"), links.catalogue("en")
    assert {"service": "congress", "kind": "session", "label": "教代会会议"} in zh["items"]
    assert {"service": "welfare", "kind": "health_campaign", "label": "Health-check campaign"} in en["items"]
    assert zh["total"] == len(links.KINDS)


# --- the plan's side -------------------------------------------------------------------------

@pytest.fixture
def plan(db):
    with db.uow() as uow:
        plans.create_plan(uow, SCHOOL, 2026, {})


def items(db):
    with db.read() as s:
        return plans.get_plan(s, 2026)["items"]


def test_an_item_is_not_written_when_its_link_or_any_other_field_is_bad(db, plan):
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        plans.add_item(uow, SCHOOL, 2026, {"month": 6, "title": "教代会", "district_task_id": 999,
                                           "link": link(id="9")}, {"link.id": ["linked_record_not_found"]})
    assert exc.value.fields == {"link.id": ["linked_record_not_found"], "district_task_id": ["task_not_found"]}
    assert items(db) == []
    with db.uow() as uow:
        plans.add_item(uow, SCHOOL, 2026, {"month": 6, "title": "教代会", "link": link()}, {})
    assert [i["link"] for i in items(db)] == [link()]


def test_a_changed_link_is_not_stored_when_its_record_is_missing_and_a_cleared_one_is(db, plan):
    with db.uow() as uow:
        item = plans.add_item(uow, SCHOOL, 2026, {"month": 6, "title": "教代会", "link": link()}, {})
    with db.uow() as uow, pytest.raises(ValidationFailed) as exc:
        plans.update_item(uow, 2026, item["id"], {"status": "done", "link": link(id="9")},
                          {"link.id": ["linked_record_not_found"]})
    assert exc.value.code == "linked_record_not_found"
    assert [(i["status"], i["link"]) for i in items(db)] == [("planned", link())]
    with db.uow() as uow:
        plans.update_item(uow, 2026, item["id"], {"link": None}, {})
    assert items(db)[0]["link"] is None


def test_the_events_services_own_records_are_found_in_the_schools_records_only(db):
    with db.uow() as uow:
        mine = activities.create_activity(uow, SCHOOL, {"title": "登山比赛", "kind": "sport",
                                                        "starts_at": datetime(2026, 11, 8)}, "t")["id"]
    with db.uow("S2") as uow:
        theirs = activities.create_activity(uow, "S2", {"title": "拔河比赛", "kind": "sport",
                                                        "starts_at": datetime(2026, 11, 8)}, "t")["id"]
    with db.read() as s:
        assert plans.own_record_exists(s, "activity", mine)
        assert not plans.own_record_exists(s, "activity", theirs)
        assert not plans.own_record_exists(s, "tournament", 1)
