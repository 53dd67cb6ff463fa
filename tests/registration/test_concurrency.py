"""Concurrent registrations never overfill an event nor enter one person twice."""
import threading

from sqlalchemy import func, select

from app.competitions.models import Event
from app.extensions import db
from app.registration.models import Registration, RegistrationMember
from tests.scenarios import person


def _race(api_as, user, path, bodies):
    apis = [api_as(user) for _ in bodies]
    barrier = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)

    def run(i):
        barrier.wait()
        statuses[i] = apis[i].post(path, json=bodies[i]).status_code
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_capacity_holds_under_concurrent_registrations(api_as, world):
    event = world["event"]  # 5 places
    statuses = _race(api_as, world["organizer"], f"/events/{event.id}/registrations",
                     [{"person": person(f"选手{chr(0x4e00 + i)}")} for i in range(12)])
    assert statuses.count(201) == 5, statuses
    assert set(statuses) <= {201, 409, 503} and 500 not in statuses
    db.session.expire_all()
    assert db.session.get(Event, event.id).entrant_count == 5
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 5


def test_same_person_twice_at_once_is_entered_once(api_as, world):
    p = person("旺堆")
    statuses = _race(api_as, world["organizer"], f"/events/{world['event'].id}/registrations",
                     [{"person": dict(p)} for _ in range(6)])
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409, 422, 503}
    db.session.expire_all()
    active = db.session.scalar(select(func.count()).select_from(RegistrationMember).where(RegistrationMember.is_active))
    assert active == 1 and db.session.get(Event, world["event"].id).entrant_count == 1
