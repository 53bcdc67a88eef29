"""The account manager's desk: the business accounts a manager manages, riskiest first; a business
account's own page for its manager, its members and security admins; and who may open a case on
an account from there. Every refusal is audited. Reminders on demand: bot/desk/reminders.py.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.clock import Clock
from bot.core.collection import collector_paused
from bot.core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from bot.core.i18n import N_, _
from bot.desk.history import Entry, history
from bot.desk.posture import AccountPosture, postures
from storage import account_pages as store
from storage import desk as desk_store
from storage import members as member_store
from storage.account_pages import FoundAccount, Standing, account_target
from storage.database import Database

CHOICES_SHOWN = 10
WORDS_LIMIT = 200


class Role(StrEnum):
    """What the viewer is to a business account, the most that applies."""

    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"


@dataclass(frozen=True)
class AccountPage:
    posture: AccountPosture
    role: Role
    manager: str | None  # the account manager's Slack id
    history: tuple[Entry, ...]

    @property
    def may_remind(self) -> bool:
        """Reminders on demand are for the account's manager and security admins."""
        return self.role is not Role.MEMBER


@dataclass(frozen=True)
class Choices:
    """Several accounts answer to the words (or none does, and these hold them): the person
    chooses one by its platform id."""

    words: str
    accounts: tuple[FoundAccount, ...]
    same_name: bool  # several are called exactly that; else they are suggestions


class Desk:
    def __init__(self, database: Database, clock: Clock, admins: AbstractSet[str]) -> None:
        self._database = database
        self._clock = clock
        self._admins = admins

    def accounts(self, manager: str) -> tuple[AccountPosture, ...]:
        """The accounts `manager` manages, riskiest first (none: not an account manager). Two
        statements, whatever the number of accounts."""
        with collector_paused():  # tens of thousands of short-lived rows (bot/core/collection.py)
            rows = desk_store.managed_by(self._database.reads, manager)
            return tuple(postures(rows, self._clock.now())) if rows.accounts else ()

    def page(self, viewer: str, words: str) -> AccountPage | Choices:
        """`/security account <account id or name>`, for the account's manager, its members and
        security admins; anyone else is refused (audited)."""
        words = " ".join(words.replace("`", "").split())[:WORDS_LIMIT]
        if not words:
            raise InvalidInput(_(USAGE))
        now = self._clock.now()
        refusal: DomainError
        chosen: tuple[int, Role, str | None, tuple[Entry, ...]] | None = None
        with self._database.sessions.begin() as session:
            named = store.accounts_named(session, words, CHOICES_SHOWN + 1)
            found = named or store.accounts_containing(session, words, CHOICES_SHOWN + 1)
            seen = self._standings(session, viewer, found)
            roles = [(a, _role(viewer, seen, self._admins, a)) for a in found]
            visible = [(account, role) for account, role in roles if role is not None]
            if len(visible) == 1 and (named or len(found) == 1):
                (account, role), target = visible[0], account_target(visible[0][0].account_id)
                audit.Trail(session, now, viewer, target).record("desk.account.viewed", role=role)
                entries = history(session, account.account_id)
                manager = seen[account.account_id].manager_slack_id
                chosen = (account.account_id, role, manager, entries)
            elif visible:
                shown = tuple(account for account, _role_ in visible[:CHOICES_SHOWN])
                return Choices(words, shown, same_name=bool(named))
            elif named:
                target = account_target(named[0].account_id)
                trail = audit.Trail(session, now, viewer, target)
                trail.record("desk.account.refused", words=words, reason="not_allowed")
                refusal = NotAllowed(_(REFUSED))
            else:
                refusal = NotFound(_(UNKNOWN))
        if chosen is None:
            raise refusal
        return self._page(*chosen)  # read once the view is audited and its transaction over

    def _page(
        self, account_id: int, role: Role, manager: str | None, entries: tuple[Entry, ...]
    ) -> AccountPage:
        rows = desk_store.of_account(self._database.reads, account_id)
        found = postures(rows, self._clock.now())
        if not found:
            raise NotFound(_("That business account is no longer in the directory."))
        return AccountPage(found[0], role, manager, entries)

    def opening(self, actor: str, account_id: int) -> tuple[int, str]:
        """Before the case form opens from the desk or an account's page: the account's manager,
        its members and security admins may open (or join) its case; anyone else is refused,
        audited. The form's submission is checked again (bot/cases/service.py)."""
        now = self._clock.now()
        with self._database.sessions.begin() as session:
            account = member_store.business_account(session, account_id)
            if account is None:
                raise NotFound(_("That business account is no longer in the directory."))
            found = FoundAccount(account.id, account.platform_account_id, account.name, "")
            seen = self._standings(session, actor, [found])
            if _role(actor, seen, self._admins, found) is not None:
                return account.id, account.name
            trail = audit.Trail(session, now, actor, account_target(account_id))
            trail.record("desk.case.refused", reason="not_allowed")
        raise NotAllowed(_(CASE_REFUSED))

    @staticmethod
    def _standings(
        session: Session, viewer: str, found: list[FoundAccount] | tuple[FoundAccount, ...]
    ) -> dict[int, Standing]:
        if not found:
            return {}
        return store.standings(session, viewer, [account.account_id for account in found])


def _role(
    viewer: str, seen: dict[int, Standing], admins: AbstractSet[str], account: FoundAccount
) -> Role | None:
    standing = seen.get(account.account_id)
    if standing is not None and standing.manager_slack_id == viewer:
        return Role.MANAGER
    if viewer in admins:
        return Role.ADMIN
    if standing is not None and standing.member:
        return Role.MEMBER
    return None


USAGE = N_(
    "Say which business account: `/security account <account id or name>`, like "
    "`/security account 7012345` or `/security account Acme Shoes Ads`."
)
UNKNOWN = N_(
    "I don't know a business account with that id or name. Check the platform's account id "
    "(`/security account 7012345`) or the name as the account directory has it."
)
REFUSED = N_(
    "Sorry, you can't see that business account: only its account manager, the people who work "
    "on it and security admins can. If you think you should, ask a security admin."
)
CASE_REFUSED = N_(
    "Sorry, you can't open a case for that business account from here: only its account "
    "manager, the people who work on it and security admins can."
)
