"""一个人的身份信息 (a person's identity data) as a member record holds it: ID and phone numbers
checked and normalised, birth date and gender derived from the ID number, and what an update
announces. Used by both ways membership writes (``members`` and ``direct``)."""
from __future__ import annotations

from services.membership.domain.idcard import id_birth_date, id_gender, validate_id_number, validate_phone
from shared.errors import ValidationFailed

PERSONAL = ("id_number", "phone")   # never named in an event: a change of them is "personal_data"


def normalise_person(data: dict) -> dict:
    """Validate ID and phone numbers and derive birth date and gender from the ID number,
    naming every bad field at once."""
    bad: dict[str, list[str]] = {}
    out = dict(data)
    if "id_number" in data:
        try:
            out["id_number"] = validate_id_number(data["id_number"])
        except ValidationFailed as exc:
            bad.update(exc.fields)
    if data.get("phone"):
        try:
            out["phone"] = validate_phone(data["phone"])
        except ValidationFailed as exc:
            bad.update(exc.fields)
    if "id_number" in out and "id_number" not in bad:
        born = id_birth_date(out["id_number"])
        if out.get("birth_date") and out["birth_date"] != born:
            bad.setdefault("birth_date", []).append("id_birth_mismatch")
        out.setdefault("birth_date", born)
        out.setdefault("gender", id_gender(out["id_number"]))
    if bad:
        raise ValidationFailed(fields=bad)
    return out


def checked_update(current_id_number: str, data: dict, refuse_taken) -> dict:
    """An update's fields with a new ID or phone number checked and normalised (a birth date
    against the ID number); ``refuse_taken(id_number)`` raises when the new ID number is a live
    membership elsewhere."""
    out = dict(data)
    if "id_number" in out or "phone" in out or "birth_date" in out:
        probe = {"id_number": out.get("id_number", current_id_number),
                 **{k: out[k] for k in ("phone", "birth_date") if k in out}}
        checked = normalise_person(probe)
        if "id_number" in out:
            refuse_taken(checked["id_number"])
            out["id_number"] = checked["id_number"]
        if out.get("phone"):
            out["phone"] = checked["phone"]
    return out


def announced_changes(changed: list[str]) -> list[str]:
    """What ``member_updated`` says changed: field names, personal data only as ``personal_data``."""
    return [c for c in changed if c not in PERSONAL] or ["personal_data"]
