"""The leases table: which process holds a named lease, and until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, or_, update
from sqlalchemy.orm import Session

from storage.database import upsert_into
from storage.models import Lease


def take(session: Session, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Renew our lease or take an expired one; True when `holder` holds it until `until`."""
    renewed = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(
            holder=holder,
            expires_at=until,
            acquired_at=case((Lease.holder == holder, Lease.acquired_at), else_=now),
        )
    )
    if getattr(renewed, "rowcount", 0):
        return True
    created = session.execute(
        upsert_into(session, Lease)
        .values(name=name, holder=holder, acquired_at=now, expires_at=until)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    ).first()
    return created is not None


def give_up(session: Session, name: str, holder: str) -> None:
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def holder_of(session: Session, name: str, now: datetime) -> str | None:
    lease = session.get(Lease, name)
    return None if lease is None or lease.expires_at < now else lease.holder
