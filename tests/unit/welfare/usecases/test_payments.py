"""Payments checked against the policy, asked of finance by event, following finance's answers."""
from __future__ import annotations

import pytest

from services.welfare import payments, policies
from shared.errors import ValidationFailed

from .support import CHAIR, OFFICER, S1, S2, TODAY, as_member, money


def request(wf, school=S1, **kw):
    args = dict(member_id=1, kind="hospitalisation", form="transfer", amount=money("800.00"), purpose="住院慰问")
    args.update(kw)
    with wf.uow(school) as uow:
        p = payments.request(uow, school, today=TODAY, actor="welfare1", **args)
        view = payments.view(p)
        uow.commit()
    return view


def answer(wf, payment_id, status, school=S1, **kw):
    with wf.uow(school) as uow:
        outcome = payments.apply_answer(uow, {"request_id": f"welfare:{payment_id}", "origin": "welfare",
                                              "status": status, **kw})
        uow.commit()
    return outcome


def get(wf, payment_id, school=S1):
    with wf.read(school) as session:
        return payments.get(session, payment_id, OFFICER)


def test_an_allowed_payment_is_pending_and_published_for_finance_with_its_spending_category(wf):
    p = request(wf)
    assert p["status"] == "pending" and p["awaiting_finance"] is True
    (event,) = wf.outbox("welfare.payment_requested")
    assert event["school"] == S1
    assert event["payload"] == {**event["payload"], "request_id": f"welfare:{p['id']}", "payment_id": p["id"],
                                "member_id": 1, "kind": "hospitalisation", "form": "money", "form_detail": "transfer",
                                "amount": "800.00", "budget_category": "rights_welfare"}


def test_a_payment_over_the_cap_is_refused_and_nothing_is_written(wf):
    with pytest.raises(ValidationFailed) as exc:
        request(wf, amount=money("1200.00"))
    assert exc.value.code == "payment_over_cap_per_event"
    assert wf.outbox() == []
    with wf.read(S1) as session:
        assert payments.search(session, {"page": 1, "page_size": 10})["total"] == 0


def test_a_payment_for_a_member_of_another_school_is_refused(wf):
    with pytest.raises(ValidationFailed) as exc:
        request(wf, member_id=3)
    assert exc.value.fields == {"member_id": ["welfare_member_unknown"]}
    assert wf.outbox() == []


def test_a_rejection_releases_the_amount_counted_against_the_yearly_cap(wf):
    first = request(wf, kind="holiday_gift", form="goods", amount=money("1000.00"))
    with pytest.raises(ValidationFailed):
        request(wf, kind="holiday_gift", form="goods", amount=money("600.00"))
    assert answer(wf, first["id"], "rejected", reason="超预算", reason_code="over_budget") == "applied"
    rejected = get(wf, first["id"])
    assert rejected["status"] == "rejected" and rejected["reason"] == "超预算" and rejected["reason_code"] == "over_budget"
    assert request(wf, kind="holiday_gift", form="goods", amount=money("1500.00"))["status"] == "pending"


def test_answers_move_forward_only_and_a_redelivered_or_late_answer_changes_nothing(wf):
    p = request(wf)
    assert answer(wf, p["id"], "approved", decided_by="fin1") == "applied"
    assert answer(wf, p["id"], "received") == "stale"
    assert answer(wf, p["id"], "approved") == "stale"
    assert get(wf, p["id"])["status"] == "approved"
    assert answer(wf, p["id"], "paid", entry_id=77) == "applied"
    paid = get(wf, p["id"])
    assert paid["status"] == "paid" and paid["entry_id"] == 77 and paid["decided_by"] == "fin1"
    assert paid["awaiting_finance"] is False


def test_answers_for_other_origins_or_unknown_payments_are_ignored(wf):
    p = request(wf)
    with wf.uow(S1) as uow:
        assert payments.apply_answer(uow, {"request_id": f"welfare:{p['id']}", "origin": "events",
                                           "status": "approved"}) == "not_ours"
    assert answer(wf, 99999, "approved") == "unknown"
    assert get(wf, p["id"])["status"] == "pending"


def test_an_answer_never_reaches_a_payment_of_another_school(wf):
    p = request(wf)
    assert answer(wf, p["id"], "approved", school=S2) == "unknown"
    assert get(wf, p["id"])["status"] == "pending"


def test_a_payment_finance_never_answered_stays_listed_as_pending(wf):
    p = request(wf)
    with wf.read(S1) as session:
        listed = payments.search(session, {"status": "pending", "page": 1, "page_size": 10})
    assert [i["id"] for i in listed["items"]] == [p["id"]]


def test_hardship_help_needs_an_approved_file(wf):
    with pytest.raises(ValidationFailed) as exc:
        request(wf, kind="hardship", amount=money("500.00"))
    assert exc.value.code == "hardship_file_required"


def test_a_member_sees_their_own_payment_and_not_another_members(wf):
    p = request(wf)
    with wf.read(S1) as session:
        assert payments.get(session, p["id"], as_member(1))["id"] == p["id"]
        from shared.errors import Forbidden
        with pytest.raises(Forbidden):
            payments.get(session, p["id"], as_member(2))


def test_the_cap_usage_of_a_member_shows_what_remains(wf):
    request(wf, kind="holiday_gift", form="goods", amount=money("400.00"))
    with wf.read(S1) as session:
        usage = {i["kind"]: i for i in payments.cap_usage(session, 1, TODAY.year)["items"]}
    assert usage["holiday_gift"]["counted"] == money("400.00")
    assert usage["holiday_gift"]["remaining"] == money("1100.00")


def test_a_school_policy_narrows_what_its_payments_may_be(wf):
    with wf.uow(S1, CHAIR) as uow:
        view = policies.set_school(uow, S1, {"rules": [{"kind": "hospitalisation", "per_event": money("500.00"),
                                                         "per_member_year": None, "times_per_year": None}],
                                             "forbidden_forms": ["cash"]}, "chair1")
    assert {r["kind"]: r for r in view["rules"]}["hospitalisation"]["per_event"] == "500.00"
    with pytest.raises(ValidationFailed) as exc:
        request(wf, amount=money("600.00"))
    assert exc.value.params["source"] == "school"
    with pytest.raises(ValidationFailed) as exc:
        request(wf, amount=money("100.00"), form="cash")
    assert exc.value.code == "payment_form_forbidden"
    # the other school still follows the district
    with wf.read(S2) as session:
        assert {r["kind"]: r for r in policies.view(policies.effective(session))["rules"]}["hospitalisation"]["per_event"] == "1000.00"


def test_the_district_policy_replaces_the_defaults(wf):
    with wf.uow(None) as uow:
        policies.set_district(uow, {"rules": [{"kind": "birthday", "per_event": money("200.00"),
                                               "per_member_year": money("200.00"), "times_per_year": 1}],
                                    "forbidden_forms": ["cash", "shopping_card"]}, "admin")
    with pytest.raises(ValidationFailed) as exc:
        request(wf, kind="birthday", form="goods", amount=money("250.00"))
    assert exc.value.code == "payment_over_cap_per_event"
    # hospitalisation has no district row any more: no cap
    assert request(wf, amount=money("5000.00"))["status"] == "pending"


def test_a_batch_records_the_allowed_payments_and_names_the_rule_each_refused_one_breaks(wf):
    items = [dict(member_id=1, kind="holiday_gift", form="goods", amount=money("1000.00"), purpose="春节"),
             dict(member_id=1, kind="holiday_gift", form="goods", amount=money("600.00"), purpose="中秋"),
             dict(member_id=3, kind="holiday_gift", form="goods", amount=money("100.00"), purpose="别校"),
             dict(member_id=2, kind="holiday_gift", form="shopping_card", amount=money("100.00"), purpose="购物卡"),
             dict(member_id=2, kind="holiday_gift", form="goods", amount=money("500.00"), purpose="春节")]
    with wf.uow(S1) as uow:
        result = payments.request_many(uow, S1, items, TODAY, "welfare1")
        uow.commit()
    assert (result["accepted"], result["refused"]) == (2, 3)
    assert [r["accepted"] for r in result["items"]] == [True, False, False, False, True]
    assert [r.get("code") for r in result["items"]] == [None, "payment_over_cap_per_member_year",
                                                       "welfare_member_unknown", "payment_form_forbidden", None]
    assert len(wf.outbox("welfare.payment_requested")) == 2


def test_the_cap_usage_of_a_member_of_another_school_is_not_found(wf):
    from shared.errors import NotFound
    with wf.read(S1) as session:
        with pytest.raises(NotFound):
            payments.cap_usage(session, 3, TODAY.year)


def test_the_finance_officer_reads_any_payment_and_a_payment_names_only_the_members_own_case(wf):
    from shared.tenancy import CallContext
    p = request(wf)
    with wf.read(S1) as session:
        assert payments.get(session, p["id"], CallContext(school=S1, actor="fin", role="finance_officer"))["id"] == p["id"]
    with pytest.raises(ValidationFailed) as exc:
        request(wf, case_id=12345)
    assert exc.value.fields == {"case_id": ["care_case_not_found"]}


def test_an_amount_beyond_what_the_ledger_column_holds_is_a_field_error_naming_every_bad_field():
    from services.welfare import schemas
    from shared.validation import load
    with pytest.raises(ValidationFailed) as exc:
        load(schemas.PaymentCreateSchema, {"member_id": 1, "kind": "other", "form": "transfer",
                                           "amount": "10000000000.00", "purpose": "", "case_id": "7"})
    assert exc.value.fields == {"amount": ["out_of_range"], "purpose": ["invalid_length"], "case_id": ["invalid_type"]}
    assert load(schemas.PaymentCreateSchema, {"member_id": 1, "kind": "other", "form": "transfer",
                                              "amount": "9999999999.99", "purpose": "x"})["amount"] == money("9999999999.99")


def test_a_rejection_reason_longer_than_its_column_is_kept_shortened_not_refused(wf):
    p = request(wf)
    assert answer(wf, p["id"], "rejected", reason="预算" * 400, reason_code="over_budget") == "applied"
    rejected = get(wf, p["id"])
    assert rejected["status"] == "rejected" and len(rejected["reason"]) == 300
