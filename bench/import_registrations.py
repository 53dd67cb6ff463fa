"""Benchmark: import 10,000 registrations from an .xlsx into a fresh event, end to end (read,
validate every row, write in one transaction), against a bare python-calamine read of the same
file measured in the same run. Prints rows/s, seconds and the ratio.

    .venv/bin/python bench/import_registrations.py [--rows 10000] [--repeat 3] [--database-url URL]

Target (issue 3): 10,000 rows in <= 2 s on SQLite.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_file(n: int) -> bytes:
    from openpyxl import Workbook

    from app.domain.idcard import make_resident_id

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报名表")
    ws.append(["姓名", "证件类型", "证件号码", "性别", "出生日期", "民族", "手机号码", "文化程度", "职业技能等级", "单位"])
    regions = ["540102", "540103", "450102", "450202", "450302"]
    given = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
    family = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for i in range(n):
        birth = date(1970 + i % 35, 1 + i % 12, 1 + i % 28)
        number = make_resident_id(regions[i % 5], birth, i // 175 % 1000)
        name = family[i % 20] + given[i // 20 % 20] + given[i // 400 % 20]
        ws.append([name, "居民身份证", number, "", "", "汉族", f"138{i:08d}", "大专", "三级（高级工）", "基准测试职业学院"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bare_read(data: bytes) -> int:
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="jx-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.db"
    os.environ.setdefault("JIANGXUAN_ENV", "development")
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.operations import create_user
    from app.competitions import operations as comps
    from app.extensions import db
    from app.people.operations import create_organization
    from app.registration.importer import import_registrations

    app = create_app()
    data = build_file(args.rows)
    with app.test_request_context():
        upgrade()
        org = create_organization({"name": "基准测试职业学院", "kind": "college", "region_code": "540100"})
        host = create_organization({"name": "基准测试人社厅", "kind": "government", "region_code": "540000"})
        user = create_user({"username": "bench", "password": "Bench-pass-2026", "name": "基准",
                            "roles": ["organizer"], "organization_id": host.id})
        now = datetime.now(timezone.utc)
        events = []
        for k in range(args.repeat):
            comp = comps.create_competition({
                "name": f"基准竞赛{k}", "year": now.year, "level": "provincial_1", "kind": "skills",
                "jurisdiction": "CN-XZ", "registration_opens_at": (now - timedelta(days=1)).isoformat(),
                "registration_closes_at": (now + timedelta(days=5)).isoformat(), "allow_multiple_events": True}, user)
            events.append(comps.create_event(comp, {
                "name": "电工", "track": "staff", "scheme": {"components": [{"key": "t", "name": "理论", "weight": "1",
                "criteria": [{"key": "T1", "name": "理论", "max_score": "100"}]}]}}, user))
            comps.change_status(comp, "registration_open", user)
        db.session.commit()
        del org

        reads, imports = [], []
        for k, event in enumerate(events):
            t0 = time.perf_counter()
            bare_read(data)
            reads.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ids = import_registrations(event, data, user, "bench.xlsx").ids
            db.session.commit()
            imports.append(time.perf_counter() - t0)
            assert len(ids) == args.rows, len(ids)
            # The people exist after the first run: later runs measure the "known people" path.
    read_s, import_s = statistics.median(reads), statistics.median(imports)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"rows: {args.rows}, repeats: {args.repeat} (run 1 creates the people; later runs reuse them)")
    print(f"bare calamine read:  median {read_s:.3f} s  ({args.rows / read_s:,.0f} rows/s)")
    print(f"import end to end:   median {import_s:.3f} s  ({args.rows / import_s:,.0f} rows/s); "
          f"runs: {', '.join(f'{x:.3f}' for x in imports)} s")
    print(f"ratio import / bare read: {import_s / read_s:.1f}x")
    print(f"target 10,000 rows <= 2 s: {'met' if import_s * 10_000 / args.rows <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
