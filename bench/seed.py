"""Seed a benchmark district through the gateway, fast.

50 schools (POST /api/v1/district/schools), one school admin each (POST /api/v1/district/accounts,
then log in), and 400 members per school imported as one XLSX roster per school
(POST /api/v1/schools/{school}/members/import, Chinese headers 姓名 性别 出生日期 身份证号 手机号码
人员类别 工会小组 入会日期; ID numbers from ``make_id_number``, unique across the district).
Returns, per school, the admin token, the member ids (from the member list pages) and the union
group ids.

    python -m bench.seed                         # own stack, 50 x 400, JSON to bench/results/
    python -m bench.seed --schools 5 --per-school 100
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import openpyxl
import requests

from services.membership.domain.idcard import make_id_number

SEED_REGION = "320411"     # 常州市新北区: the seeded district
IMPORT_REGION = "320412"   # the import bench's school
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("姓名", "性别", "出生日期", "身份证号", "手机号码", "人员类别", "工会小组", "入会日期")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红建文辉力宇晨浩俊凯婷雪琳欣怡子涵梓轩雨佳思嘉晓海燕鹏飞斌宁波鑫悦瑶"
GROUPS = ("语文组", "数学组", "英语组", "理科组", "综合组", "体艺组", "后勤组")
CATEGORIES = (("教师", 80), ("职员", 8), ("后勤人员", 7), ("临时代课教师", 5))
POSITIONS = ("语文教师", "数学教师", "英语教师", "班主任", "教研组长", "年级组长", "会计", "校医", "保安", "体育教师")
MOBILE = ("130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180",
          "182", "187", "188", "189", "199")
SPREAD_DAYS = 10950  # births spread over 30 years from FIRST_BIRTH


class IdFactory:
    """Distinct valid ID numbers (身份证号) for one region code: the i-th number has birth date
    ``first + i % 10950 days`` and sequence/gender from ``i // 10950`` (0..999), so numbers never
    repeat within a region (10.9 million of them) and births spread over 30 years."""

    def __init__(self, region: str, first: date = date(1967, 1, 1), start: int = 0):
        self.region, self.first, self.i = region, first, start

    def next(self) -> tuple[str, date, str]:
        i = self.i
        self.i += 1
        k, day = divmod(i, SPREAD_DAYS)
        if k >= 1000:
            raise RuntimeError(f"region {self.region} exhausted")
        seq, male = divmod(k, 2)
        gender = "male" if male else "female"
        birth = self.first + timedelta(days=day)
        return make_id_number(self.region, birth, seq, gender), birth, gender


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE) + f"{rng.randrange(10 ** 8):08d}"


def roster_rows(n: int, ids: IdFactory, rng: random.Random) -> list[tuple]:
    cats = [c for c, w in CATEGORIES for _ in range(w)]
    today = date.today()
    rows = []
    for _ in range(n):
        idn, birth, gender = ids.next()
        joined = min(today, birth + timedelta(days=365 * 22 + rng.randrange(365 * 8)))
        rows.append((person_name(rng), "男" if gender == "male" else "女", birth, idn, mobile(rng), rng.choice(cats),
                     rng.choice(GROUPS), joined))
    return rows


def roster_xlsx(rows: list[tuple], title: str | None = None) -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("会员名册")
    if title:
        ws.append([title])
    ws.append(list(HEADERS))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _check(r: requests.Response, what: str) -> dict:
    if r.status_code >= 300:
        raise RuntimeError(f"{what}: HTTP {r.status_code} {r.text[:500]}")
    return r.json() if r.content else {}


def _send(s: requests.Session, method: str, url: str, what: str, *, retries: int = 3, **kw) -> requests.Response:
    """One request, retried (bounded) when the connection drops or the gateway answers 502-504."""
    kw.setdefault("timeout", 120)
    for attempt in range(retries + 1):
        try:
            r = s.request(method, url, **kw)
        except requests.ConnectionError:
            if attempt == retries:
                raise
            time.sleep(1 + attempt)
            continue
        if r.status_code in (502, 503, 504) and attempt < retries:
            time.sleep(1 + attempt)
            continue
        return r
    raise AssertionError("unreachable")


def _school_listed(s: requests.Session, base: str, admin: dict, code: str) -> bool:
    for page in range(1, 21):  # bounded
        body = _check(_send(s, "GET", f"{base}/api/v1/district/schools", "list schools", headers=admin,
                            params={"page": page, "page_size": 500}), "list schools")
        if any(item["code"] == code for item in body["items"]):
            return True
        if len(body["items"]) < 500:
            return False
    return False


def create_school(s: requests.Session, base: str, admin: dict, payload: dict) -> int:
    """Register a school; returns 1 when the gateway said 500 but the school exists (see README)."""
    r = _send(s, "POST", f"{base}/api/v1/district/schools", "create school", headers=admin, json=payload)
    if r.status_code == 409:  # a retried POST whose first attempt got through
        return 0
    if r.status_code == 500 and _school_listed(s, base, admin, payload["code"]):
        # registered, but the gateway's write-through to its schools read model failed (seen:
        # UniqueViolation pk_known_schools racing the school_registered consumer)
        return 1
    _check(r, f"create school {payload['code']}")
    return 0


def _list_ids(s: requests.Session, base: str, auth: dict, code: str) -> tuple[list[int], int]:
    ids, total = [], 0
    for page in range(1, 1001):  # bounded: 500 a page
        body = _check(_send(s, "GET", f"{base}/api/v1/schools/{code}/members", f"list {code}", headers=auth,
                            params={"page": page, "page_size": 500}), f"list {code}")
        ids.extend(m["id"] for m in body["items"])
        total = body["total"]
        if len(body["items"]) < 500 or len(ids) >= total:
            break
    return ids, total


def import_roster(s: requests.Session, base: str, auth: dict, code: str, content: bytes, expected: int,
                  wait_s: float = 300.0) -> dict:
    """POST the roster; if the gateway gives up first (503 rpc_timeout) the import goes on in
    membership, so wait (bounded) for the members to show up, and only then re-POST (imports
    skip rows already imported, so a second POST is harmless)."""
    url = f"{base}/api/v1/schools/{code}/members/import"
    deadline = time.monotonic() + wait_s
    outcome = {"timeouts": 0}
    while time.monotonic() < deadline:
        try:
            r = s.post(url, headers={**auth, "Content-Type": XLSX}, data=content, timeout=wait_s)
        except requests.ConnectionError:
            r = None
        if r is not None and r.status_code == 200:
            report = r.json()
            if report["imported"] + report["skipped"] == expected:
                return {**outcome, **report}
            raise RuntimeError(f"import {code}: {report['imported']} imported + {report['skipped']} skipped != "
                               f"{expected} (errors: {report.get('errors', [])[:3]})")
        if r is not None and r.status_code not in (502, 503, 504):
            _check(r, f"import {code}")
        outcome["timeouts"] += 1
        while time.monotonic() < deadline:  # the first POST may still be running: wait for it
            time.sleep(2)
            if _list_ids(s, base, auth, code)[1] >= expected:
                return {**outcome, "imported": expected, "skipped": 0, "confirmed_by_list": True}
            if outcome["timeouts"] < 2 and time.monotonic() > deadline - wait_s / 2:
                break  # nothing came of it: post again, once
    raise RuntimeError(f"import {code}: not complete within {wait_s}s")


def school_code(i: int) -> str:
    return f"BENCH-{i:03d}"


def _seed_school(base: str, admin_token: str, i: int, per_school: int, rows: list[tuple]) -> dict:
    code = school_code(i)
    s = requests.Session()
    admin = {"Authorization": f"Bearer {admin_token}"}
    t = {}
    t0 = time.perf_counter()
    t["create_school_500"] = create_school(s, base, admin, {
        "code": code, "name": f"新北区第{i}实验学校", "kind": "primary", "area": "新桥镇", "staff_headcount": per_school + 10})
    t["school_s"] = time.perf_counter() - t0
    username, password = f"chair_{code.lower()}", f"pw-{code}-benchmark"
    t0 = time.perf_counter()
    r = _send(s, "POST", f"{base}/api/v1/district/accounts", "create account", headers=admin,
              json={"username": username, "password": password, "role": "school_admin", "school": code,
                    "display_name": f"{code} 工会主席"})
    if r.status_code != 409:  # 409: a retried POST whose first attempt got through
        _check(r, f"create account {username}")
    token = _check(_send(s, "POST", f"{base}/api/v1/auth/token", "login",
                         json={"username": username, "password": password}), f"login {username}")["access_token"]
    t["account_s"] = time.perf_counter() - t0
    auth = {"Authorization": f"Bearer {token}"}
    content = roster_xlsx(rows)
    t0 = time.perf_counter()
    report = import_roster(s, base, auth, code, content, per_school)
    t["import_s"] = time.perf_counter() - t0
    t["import_timeouts"] = report["timeouts"]
    t0 = time.perf_counter()
    ids, total = _list_ids(s, base, auth, code)
    while len(ids) < per_school and time.perf_counter() - t0 < 120:  # bounded: the list may lag the import
        time.sleep(1)
        ids, total = _list_ids(s, base, auth, code)
    t["list_wait_s"] = time.perf_counter() - t0
    if len(ids) < per_school:
        raise RuntimeError(f"list {code}: {len(ids)} of {per_school} members after 120 s")
    groups = [g["id"] for g in _check(_send(s, "GET", f"{base}/api/v1/schools/{code}/groups", "groups", headers=auth),
                                      f"groups {code}")["items"]]
    s.close()
    return {"code": code, "token": token, "username": username, "member_ids": ids, "group_ids": groups, "timing": t}


def seed(base_url: str, admin_token: str, *, schools: int = 50, per_school: int = 400, concurrency: int = 2,
         rng_seed: int = 20261122, db_prefix: str | None = None) -> dict:
    """Seed ``schools`` x ``per_school`` members; returns {"schools": [...], "stats": {...}}."""
    rng = random.Random(rng_seed)
    ids = IdFactory(SEED_REGION)
    t0 = time.perf_counter()
    rosters = [roster_rows(per_school, ids, rng) for _ in range(schools)]
    build_s = time.perf_counter() - t0
    from bench.common import PgConnections
    pg = PgConnections(db_prefix).start() if db_prefix else None
    t0 = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            results = list(pool.map(lambda i: _seed_school(base_url, admin_token, i + 1, per_school, rosters[i]),
                                    range(schools)))
    finally:
        pg_stats = pg.stop() if pg else None
        if pg_stats:
            print(f"[seed] postgres connections: {pg_stats}", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0
    members = sum(len(r["member_ids"]) for r in results)
    imports = sorted(r["timing"]["import_s"] for r in results)
    stats = {"schools": schools, "per_school": per_school, "members": members, "concurrency": concurrency,
             "generate_rows_s": round(build_s, 2), "wall_s": round(wall, 2),
             "members_per_s": round(members / wall, 1) if wall else None,
             "import_s_median": round(imports[len(imports) // 2], 3), "import_s_max": round(imports[-1], 3),
             "account_s_median": round(sorted(r["timing"]["account_s"] for r in results)[schools // 2], 3),
             "create_school_http_500_but_created": sum(r["timing"]["create_school_500"] for r in results),
             "import_rpc_timeouts": sum(r["timing"]["import_timeouts"] for r in results),
             "list_wait_s_max": round(max(r["timing"]["list_wait_s"] for r in results), 2),
             "pg_connections": pg_stats}
    print(f"[seed] {schools} schools, {members} members in {wall:.1f}s "
          f"(import median {stats['import_s_median']}s)", file=sys.stderr, flush=True)
    return {"schools": results, "stats": stats}


def main(argv=None) -> int:
    from bench.common import machine, timestamp, write_result
    from bench.stack import Stack, exit_on_sigterm
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--schools", type=int, default=50)
    p.add_argument("--per-school", type=int, default=400)
    p.add_argument("--concurrency", type=int, default=2)
    args = p.parse_args(argv)
    exit_on_sigterm()
    with Stack() as stack:
        out = seed(stack.gateway_url, stack.admin_token(), schools=args.schools, per_school=args.per_school,
                   concurrency=args.concurrency, db_prefix=stack.db_prefix)
    path = write_result("seed", {"bench": "seed", "at": timestamp(), "machine": machine(), **out["stats"]})
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
