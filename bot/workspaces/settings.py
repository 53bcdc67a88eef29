"""Each workspace's own settings, read where they are used: security admins, where cases go and
who works them, and the reminder knobs, for the workspace being served (storage/scope.py).

Services are built once per process, so they are handed live views instead of values: `Admins`
is a set whose members are the served workspace's admins at the moment it is asked, and
`routing` and `policy` are callables the case desk and the nudges ask at use. The row is read
at most once per `ttl` per workspace and process (the status path stays at one statement), and a
change made in this process is seen at once; other processes see it within `ttl`.

With no row, and with no workspace served (start-up, the scheduler's set-up), the environment's
values are in force: single-workspace mode works as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from datetime import timedelta
from typing import Any

from bot.cases.records import Routing
from bot.cases.severity import Severity, Target
from bot.cases.targets import duration_text
from bot.core import audit
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.errors import NotAllowed, StepUpNeeded
from bot.core.i18n import N_, _
from bot.nudges.settings import NudgePolicy
from bot.workspaces.scope import EVERY_WORKSPACE, current_workspace, workspace_id
from bot.workspaces.settings_model import (
    USER_ID,
    Chosen,
    Proposal,
    WorkspaceSettings,
    changes,
    checked,
    defaults_of,
    in_force,
)
from storage import workspace_settings as store
from storage.database import Database

TTL_SECONDS = 30.0
TARGET = "workspace.settings"
NOT_AN_ADMIN = N_("Only this workspace's security admins can see and change its settings.")
STEP_UP_FOR_ADMINS = N_(
    "Changing the security admins needs a fresh code from your authenticator app first."
)
# Whose values are never written into audit details in full (none today: none is a secret).
SECRET_SETTINGS: frozenset[str] = frozenset()


class SettingsBook:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        fresh: Callable[[str], bool],
        *,
        ttl: float = TTL_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._clock = clock
        self._base = settings.nudge_policy
        self._fresh = fresh  # whether a member stepped up recently (authenticator service)
        self._ttl = ttl
        self._timer = timer
        self.defaults = defaults_of(settings)
        self._default = in_force(Chosen(), self.defaults, self._base)
        self._cache: dict[str, tuple[float, WorkspaceSettings]] = {}
        self._lock = threading.Lock()
        self.admins = Admins(self)

    # -- reading, at use -------------------------------------------------------------------

    def current(self, *, strict: bool = False) -> WorkspaceSettings:
        """The served workspace's settings in force. With none served, the defaults (what the
        process is set up with: the scheduler's intervals, Slack's pace), unless `strict`: who
        may do what is never decided without a workspace (NoWorkspace)."""
        workspace = current_workspace()
        if workspace is None or workspace == EVERY_WORKSPACE:
            if strict:
                workspace_id()  # raises NoWorkspace
            return self._default
        now = self._timer()
        with self._lock:
            cached = self._cache.get(workspace)
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        with self._database.sessions() as session:
            found = _read(session, self.defaults, self._base)
        found = found or self._default
        with self._lock:
            self._cache[workspace] = (now, found)
        return found

    def routing(self) -> Routing:
        return self.current().routing

    def policy(self) -> NudgePolicy:
        return self.current().policy

    def targets(self) -> dict[Severity, Target]:
        """The cases' targets per severity of the served workspace (the defaults without one)."""
        return self.current().targets

    def forget(self) -> None:
        """Drop the served workspace's cached settings (after a change in this process)."""
        with self._lock:
            self._cache.pop(current_workspace() or "", None)

    # -- the settings modal ----------------------------------------------------------------

    def for_admin(self, viewer: str) -> WorkspaceSettings:
        """The settings, for a security admin only; anyone else is refused (audited)."""
        self._check_admin(viewer, attempted="view")
        return self.current()

    def validate(self, proposal: Proposal) -> None:
        """Raise SettingsInvalid naming every bad value of `proposal` (before any step-up)."""
        checked(proposal, self.defaults)

    def would_change_admins(self, proposal: Proposal) -> bool:
        return frozenset(proposal.security_admins) != self.current().admins

    def change(self, actor: str, proposal: Proposal) -> list[str]:
        """Save an admin's proposal; the names of the settings it changed (maybe none).

        Changing who the admins are needs a fresh step-up. Every change is audited with the old
        and new value of each setting; a refusal is audited too."""
        self._check_admin(actor, attempted="change")
        chosen = checked(proposal, self.defaults)
        changed: list[str] = []
        with self._database.sessions.begin() as session:
            stored = store.find(session, lock=True)
            before = Chosen.from_stored(stored.values) if stored else Chosen()
            old = in_force(before, self.defaults, self._base)
            new = in_force(chosen, self.defaults, self._base)
            stale = old.admins != new.admins and not self._fresh(actor)
            if stale:
                _refused(session, self._clock, actor, "change", "step-up needed")
            else:
                changed = changes(before, chosen)
            if changed:
                now = self._clock.now()
                store.save(session, chosen.stored(), at=now, by=actor)
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="workspace.settings.changed",
                    target=TARGET,
                    fields=changed,
                    **_old_and_new(changed, old, new),
                )
        if stale:
            raise StepUpNeeded(_(STEP_UP_FOR_ADMINS))
        self.forget()
        return changed

    def installed(self, installer: str) -> bool:
        """The installer of the served workspace becomes its first security admin, when it has no
        settings yet (a reinstall changes nothing); whether they did."""
        if not USER_ID.match(installer):
            raise ValueError("the installer is not a Slack user id")
        workspace_id()  # raises NoWorkspace: an install names its workspace
        with self._database.sessions.begin() as session:
            if store.find(session, lock=True) is not None:
                return False
            now = self._clock.now()
            store.save(session, {"security_admins": [installer]}, at=now, by=installer)
            audit.record(
                session,
                at=now,
                actor=installer,
                action="workspace.settings.first_admin",
                target=TARGET,
                admin=installer,
            )
        self.forget()
        return True

    def _check_admin(self, actor: str, *, attempted: str) -> None:
        if actor in self.current(strict=True).admins:
            return
        with self._database.sessions.begin() as session:
            _refused(session, self._clock, actor, attempted, "not a security admin")
        raise NotAllowed(_(NOT_AN_ADMIN))


class Admins(AbstractSet[str]):
    """The served workspace's security admins, asked at use: `actor in admins` and
    `sorted(admins)` keep working where a frozenset was handed over once."""

    def __init__(self, book: SettingsBook) -> None:
        self._book = book

    def __contains__(self, user: object) -> bool:
        return user in self._book.current(strict=True).admins

    def __iter__(self) -> Iterator[str]:
        return iter(self._book.current(strict=True).admins)

    def __len__(self) -> int:
        return len(self._book.current(strict=True).admins)

    def __repr__(self) -> str:
        return f"Admins({sorted(self)!r})"


def _read(session: Any, defaults: Chosen, base: NudgePolicy) -> WorkspaceSettings | None:
    stored = store.find(session)
    if stored is None:
        return None
    chosen = Chosen.from_stored(stored.values)
    return in_force(
        chosen, defaults, base, changed_at=stored.changed_at, changed_by=stored.changed_by
    )


def _refused(session: Any, clock: Clock, actor: str, attempted: str, reason: str) -> None:
    audit.record(
        session,
        at=clock.now(),
        actor=actor,
        action="workspace.settings.refused",
        target=TARGET,
        attempted=attempted,
        reason=reason,
    )


def _old_and_new(
    changed: list[str], old: WorkspaceSettings, new: WorkspaceSettings
) -> dict[str, Any]:
    """{"old": {...}, "new": {...}} of the values in force, for the settings that changed."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in changed:
        if name in SECRET_SETTINGS:
            continue
        before[name] = _shown(old.value(name))
        after[name] = _shown(new.value(name))
    return {"old": before, "new": after}


def _shown(value: Any) -> Any:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, timedelta):
        return duration_text(value)
    if hasattr(value, "strftime"):
        return value.strftime("%H:%M")
    return value
