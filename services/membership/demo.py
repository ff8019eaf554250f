"""A small district for demos and tests (演示数据): three school unions, about 300 members.

Modelled on the 新北区 schools of the seeds: a primary school (新桥实验小学, 004), a
secondary school and a vocational school (000 [D]). The same seed always gives the same data,
so demos, screenshots and tests agree. Returns plain dicts; the caller decides how to store them.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from faker import Faker

from services.membership.domain.idcard import make_id_number
from services.membership.domain.model import counts_as_in_service

AS_OF = date(2026, 9, 1)  # start of the 2026-27 school year: no hire or join date lies after it
SUPPORT_GROUP = "后勤组"
RETIREE_GROUP = "退休组"

# category mix, share of women among teachers, extra eligible staff who have not joined
_SCHOOLS = (
    {"code": "XQ-SY", "name": "新桥实验小学", "kind": "primary", "area": "新桥镇",
     "mix": {"teacher": 94, "temporary_teacher": 6, "staff": 6, "logistics": 8, "retiree": 6},
     "women": 0.72, "not_joined": 2, "applicants": 0},
    {"code": "XQ-ZX", "name": "新桥初级中学", "kind": "secondary", "area": "新桥镇",
     "mix": {"teacher": 84, "temporary_teacher": 4, "staff": 8, "logistics": 7, "retiree": 7},
     "women": 0.6, "not_joined": 0, "applicants": 0},
    {"code": "XB-ZJ", "name": "新北区职业教育中心", "kind": "vocational", "area": "三井街道",
     "mix": {"teacher": 50, "temporary_teacher": 5, "staff": 6, "logistics": 6, "retiree": 3},
     "women": 0.5, "not_joined": 1, "applicants": 2},
)
# teaching groups with their subject posts and relative size
_TEACHING_GROUPS = {
    "primary": (("语文组", ("语文教师",), 35), ("数学组", ("数学教师",), 30), ("英语组", ("英语教师",), 15),
                ("综合组", ("音乐教师", "美术教师", "体育教师", "科学教师", "信息技术教师", "道德与法治教师"), 20)),
    "secondary": (("语文组", ("语文教师",), 20), ("数学组", ("数学教师",), 20), ("英语组", ("英语教师",), 18),
                  ("理化生组", ("物理教师", "化学教师", "生物教师"), 18),
                  ("政史地组", ("道德与法治教师", "历史教师", "地理教师"), 14),
                  ("体艺组", ("体育教师", "音乐教师", "美术教师"), 10)),
    "vocational": (("公共基础部", ("语文教师", "数学教师", "英语教师", "体育教师"), 30),
                   ("机电专业部", ("机电专业教师", "数控实训指导教师"), 25),
                   ("信息技术专业部", ("计算机专业教师", "电子商务专业教师"), 25),
                   ("商贸专业部", ("会计专业教师", "市场营销专业教师"), 20)),
}
_MANAGERS = ("校长", "副校长", "教务主任", "德育主任", "总务主任")
_STAFF_POSTS = ("会计", "出纳", "教务员", "档案管理员", "校医", "图书管理员", "办公室文员", "信息技术管理员")
_LOGISTICS_POSTS = ("保安", "保洁员", "食堂厨师", "门卫", "水电维修工", "宿舍管理员")
_NOT_MALE_NAMES = frozenset({"红霞", "想"})
_REGIONS = ("320411", "320402", "320404", "320412", "320481", "320413", "321183", "320282", "321281")
_MOBILE_PREFIXES = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                    "153", "158", "159", "177", "180", "182", "187", "188", "189", "199")
# age range at AS_OF; in-service women retire at 55 and men at 60 in these records
_AGES = {"teacher": (23, 59), "temporary_teacher": (22, 30), "staff": (25, 57),
         "logistics": (30, 59), "retiree": (62, 82)}
_COMMITTEE = {
    "primary": ("chair", "vice_chair", "women", "funds_review", "organisation", "publicity", "culture_sports"),
    "secondary": ("chair", "vice_chair", "women", "funds_review", "organisation", "publicity", "welfare"),
    "vocational": ("chair", "women", "funds_review", "organisation", "culture_sports"),
}


class _Maker:
    """Draws people from one Faker and one Random so the whole district is repeatable."""

    def __init__(self, seed: int):
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.phones: set[str] = set()
        self.seq = 0

    def name(self, gender: str) -> str:
        while True:
            # Faker's zh_CN name_male() ignores gender; its given-name lists do not, but for a
            # few women's names filed under men
            given = self.fake.first_name_male() if gender == "male" else self.fake.first_name_female()
            name = self.fake.last_name() + given
            if given not in _NOT_MALE_NAMES and name not in self.names:
                self.names.add(name)
                return name

    def phone(self) -> str:
        while True:
            phone = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def birth_date(self, category: str, gender: str) -> date:
        low, high = _AGES[category]
        if gender == "female" and category != "retiree":
            high = min(high, 54)
        age = self.rng.randint(low, high)
        return date(AS_OF.year - age - 1, 9, 2) + timedelta(days=self.rng.randrange(365))

    def hire_date(self, category: str, birth: date) -> date:
        if category == "temporary_teacher":
            year = self.rng.randint(max(2022, birth.year + 22), AS_OF.year)
            return date(year, 9, 1)
        year = min(birth.year + self.rng.randint(21, 26), AS_OF.year)
        if category in ("teacher", "retiree"):
            return date(year, 8, 20 + self.rng.randrange(12))  # teachers start with the school year
        return min(date(year, 3, 1) + timedelta(days=self.rng.randrange(300)), AS_OF)

    def member(self, category: str, gender: str) -> dict:
        birth = self.birth_date(category, gender)
        hire = self.hire_date(category, birth)
        join = hire + timedelta(days=self.rng.randint(0, 90))
        self.seq += 1
        return {
            "name": self.name(gender),
            "gender": gender,
            "birth_date": birth,
            "id_number": make_id_number(self.rng.choice(_REGIONS), birth, self.seq, gender),
            "phone": self.phone(),
            "category": category,
            "hire_date": hire,
            "position": None,
            "union_group": None,
            "join_date": hire if join > AS_OF else join,
            "status": "retired" if category == "retiree" else "active",
        }


def _women_share(spec: dict, category: str) -> float:
    return {"logistics": 0.4, "staff": 0.65}.get(category, spec["women"])


def _assign_posts(maker: _Maker, kind: str, members: list[dict]) -> None:
    rng = maker.rng
    groups = _TEACHING_GROUPS[kind]
    weights = [size for _, _, size in groups]
    managers = list(_MANAGERS)
    for member in members:
        category = member["category"]
        if category == "retiree":
            member["union_group"], member["position"] = RETIREE_GROUP, "退休教师"
        elif category == "staff":
            member["union_group"], member["position"] = SUPPORT_GROUP, rng.choice(_STAFF_POSTS)
        elif category == "logistics":
            member["union_group"], member["position"] = SUPPORT_GROUP, rng.choice(_LOGISTICS_POSTS)
        else:
            group, subjects, _ = rng.choices(groups, weights)[0]
            member["union_group"], member["position"] = group, rng.choice(subjects)
            if category == "teacher" and managers and member["birth_date"].year < AS_OF.year - 38:
                member["position"] = managers.pop(0)
            elif category == "teacher" and rng.random() < 0.3:
                member["position"] = "班主任"


def _groups(maker: _Maker, kind: str, members: list[dict]) -> list[dict]:
    names = [name for name, _, _ in _TEACHING_GROUPS[kind]] + [SUPPORT_GROUP, RETIREE_GROUP]
    groups = []
    for name in names:
        candidates = [i for i, m in enumerate(members)
                      if m["union_group"] == name and m["status"] in ("active", "retired")]
        if candidates:
            groups.append({"name": name, "leader_index": maker.rng.choice(candidates)})
    return groups


def _committee(maker: _Maker, kind: str, members: list[dict]) -> list[dict]:
    rng = maker.rng
    in_service = [i for i, m in enumerate(members) if counts_as_in_service(m["status"], m["category"])]
    seats, taken = [], set()
    for portfolio in _COMMITTEE[kind]:
        pool = [i for i in in_service if i not in taken]
        if portfolio == "chair":
            pool = [i for i in pool if members[i]["category"] == "teacher"
                    and members[i]["birth_date"].year <= AS_OF.year - 40] or pool
        elif portfolio == "women":
            pool = [i for i in pool if members[i]["gender"] == "female"]
        elif portfolio == "funds_review":
            pool = [i for i in pool if members[i]["position"] in ("会计", "出纳")] or pool
        elif portfolio == "culture_sports":
            pool = [i for i in pool if members[i]["position"] in ("体育教师", "音乐教师")] or pool
        choice = rng.choice(pool)
        taken.add(choice)
        seats.append({"portfolio": portfolio, "member_index": choice})
    return seats


def _school_members(maker: _Maker, spec: dict) -> list[dict]:
    categories = [c for c, count in spec["mix"].items() for _ in range(count)]
    maker.rng.shuffle(categories)
    members = []
    for category in categories:
        gender = "female" if maker.rng.random() < _women_share(spec, category) else "male"
        members.append(maker.member(category, gender))
    temporary = [m for m in members if m["category"] == "temporary_teacher"]
    for member in sorted(temporary, key=lambda m: m["hire_date"], reverse=True)[:spec["applicants"]]:
        member["status"], member["join_date"] = "applicant", None  # newly hired, application pending
    _assign_posts(maker, spec["kind"], members)
    return members


def demo_district(seed: int = 20261122) -> dict:
    """Three school unions with members, union groups (工会小组) and committees (工会委员会).

    ``staff_headcount`` (eligible in-service staff) is the in-service members plus pending
    applicants plus a few who have not joined: 新桥初级中学 is at the 100% 入会率 target, the
    others just under it.
    """
    maker = _Maker(seed)
    district = {"schools": [], "groups": {}, "committee": {}, "members": {}}
    for spec in _SCHOOLS:
        members = _school_members(maker, spec)
        in_service = sum(counts_as_in_service(m["status"], m["category"]) for m in members)
        district["schools"].append({
            "code": spec["code"], "name": spec["name"], "kind": spec["kind"], "area": spec["area"],
            "staff_headcount": in_service + spec["applicants"] + spec["not_joined"],
        })
        district["members"][spec["code"]] = members
        district["groups"][spec["code"]] = _groups(maker, spec["kind"], members)
        district["committee"][spec["code"]] = _committee(maker, spec["kind"], members)
    return district
