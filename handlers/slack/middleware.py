"""Global middleware, written as Bolt `Middleware` classes: a plain function middleware costs an
argument-injection pass on every request, and these run on every request."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.core.i18n import read_in, read_later
from bot.core.ids import ITEM_SEPARATOR, base_action
from bot.services import Services
from bot.workspaces.scope import serve, workspace_key


class _WithServices(Middleware):
    """A middleware that needs the services: built once, with them, by the composition root."""

    def __init__(self, services: Services) -> None:
        self._services = services


class ProvideServices(_WithServices):
    """Puts the services into the context, so listeners can ask for `services` by name, and
    serves the request's workspace: every row read or written below belongs to it (lazy
    listeners inherit it with the copied context). A request naming no workspace touches none.
    Bolt runs the listener after the middleware returned, so the workspace is set, not wrapped:
    the front door (or, in Socket Mode, the next request) replaces it."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context["services"] = self._services
        context = req.context
        if context.team_id or context.enterprise_id:
            enterprise_install = bool(context.is_enterprise_install)
            serve(workspace_key(context.team_id, context.enterprise_id, enterprise_install))
        else:
            serve(None)
        user = context.user_id
        languages = self._services.languages
        if user and (context.team_id or context.enterprise_id):
            read_later(lambda: languages.of(user))  # the actor reads the answer
        else:
            read_in(None)
        return next()


class SkipRetriedDeliveries(_WithServices):
    """A retried delivery (X-Slack-Retry-Num) of an event already handled is acknowledged only."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self._services.deliveries.first_time(event_id):
            return BoltResponse(status=200, body="")
        return next()


class RouteItemActions(Middleware):
    """A button repeated per item carries `<action>:<item>` (a message may not repeat an
    action_id); match it to the action's one listener. The item itself travels in the value."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        for action in req.body.get("actions") or []:
            action_id = action.get("action_id")
            if isinstance(action_id, str) and ITEM_SEPARATOR in action_id:
                base = base_action(action_id)
                if base is not None:
                    action["action_id"] = base.value
        return next()
