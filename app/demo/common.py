"""What the demo's builders share: its data files, the scoring scheme of its events, a few lookups."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import select

from ..accounts.models import User
from ..competitions import operations as competitions
from ..extensions import db
from ..people.models import Person

WSI3 = ["未达到行业标准", "达到行业标准", "达到并在某些方面超过行业标准", "全面超过行业标准，表现卓越"]


def data(name: str) -> dict:
    """One of the demo's data files (app/demo/<name>.yaml)."""
    with open(Path(__file__).with_name(f"{name}.yaml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def utc(y, m, d, h=9) -> str:
    return datetime(y, m, d, h, tzinfo=timezone(timedelta(hours=8))).isoformat()


def scheme(practical_criteria: list[dict], theory_weight="0.30") -> dict:
    practical_weight = str(1 - Decimal(theory_weight))
    return {
        "aggregation": "mean", "min_judges": 3,
        "components": [
            {"key": "theory", "name": "理论知识", "weight": theory_weight, "entry": "import",
             "criteria": [{"key": "T1", "name": "理论考试", "max_score": "100", "kind": "measurement", "step": "0.5"}]},
            {"key": "practical", "name": "技能操作", "weight": practical_weight, "criteria": practical_criteria},
        ],
    }


def event_spec(event: dict) -> dict:
    """An event of the data files as create_event takes it: `practical` (and `theory_weight`) become
    its scheme, wsi3 criteria get the WSI descriptors, `day` (days from today) its hours."""
    event = dict(event)
    if "practical" in event:
        practical = [dict(c, descriptors=WSI3) if c.get("scale") == "wsi3" else c for c in event.pop("practical")]
        event["scheme"] = scheme(practical, **({"theory_weight": event.pop("theory_weight")}
                                               if "theory_weight" in event else {}))
    if "day" in event:
        day = (date.today() + timedelta(days=event.pop("day"))).timetuple()[:3]
        event["starts_at"], event["ends_at"] = utc(*day), utc(*day, 17)
    return event


def assign_supervisor(comp, organizer) -> None:
    """The Tibet HR department's supervisor oversees its competitions."""
    competitions.assign_supervisor(comp, user("supervisor"), organizer)


def entry(p: Person) -> dict:
    return {"name": p.name, "id_type": p.id_type, "id_number": p.id_number}
