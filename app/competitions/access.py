"""Who may act on a competition: the loaders and object checks both faces (web, API) call.

`manages(comp, user)`: admins, and organizers of the competition's host organization.
`supervises(comp, user)`: the supervisors assigned to the competition (admins too).
"""
from __future__ import annotations


def manages(comp, user) -> bool:
    return comp is not None and comp.can_manage(user)


def supervises(comp, user) -> bool:
    """Supervisor of this competition. (Being replaced by per-competition assignments.)"""
    if comp is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_role("supervisor", "admin")
