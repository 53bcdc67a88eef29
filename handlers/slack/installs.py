"""Bolt's OAuth flow, with our pages, and the events that end an install.

An install records the workspace (and who installed it) through bot/workspaces; `app_uninstalled`
and `tokens_revoked` delete the workspace's tokens from the installation store at once, before
the event is even acknowledged, and mark the workspace uninstalled: its data stays for the
retention period (WORKSPACE_RETENTION_DAYS), then a job purges it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.core.config import Settings
from bot.core.i18n import N_, reading
from bot.core.i18n import browser_language as read_browser
from bot.core.ids import Event
from bot.core.secret_box import SecretBox
from bot.services import Services
from bot.workspaces.scope import NoWorkspace, serving, workspace_key
from bot.workspaces.service import Install
from handlers.outbound.installations import KeyedStateStore, SealedInstallationStore
from handlers.outbound.workspace_tokens import InstalledTokens
from handlers.web.pages import install_templates
from handlers.web.pages.responses import SECURITY_HEADERS

logger = logging.getLogger("security_bot.installs")
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
NOT_INSTALLED = N_(
    "Account Security is not installed in this workspace any more. "
    "An admin can install it again from its Add to Slack page."
)
TOKEN_REFRESH_MINUTES = 120  # Bolt's default: a rotating token (12 h) is refreshed this early


@dataclass(frozen=True)
class OAuthParts:
    """What an app in OAuth mode is built with (wiring.create_app)."""

    flow: InstallFlow
    authorize: InstallationStoreAuthorize
    store: SealedInstallationStore


def oauth_parts(
    settings: Settings, services: Services, client: WebClient, scopes: Sequence[str]
) -> OAuthParts:
    """Bolt's flow and authorize on our stores. The authorize reads the workspace's bot only
    (one statement a request: the bot has no user tokens) and caches auth.test's answer per
    token, so only a workspace's first request (or first after a rotation) costs a round trip;
    a token within `TOKEN_REFRESH_MINUTES` of its expiry is refreshed first."""
    assert settings.slack_client_id and settings.slack_client_secret and settings.slack_state_secret
    engine = services.database.engine
    box = SecretBox(settings.security_bot_keys)
    store = SealedInstallationStore(settings.slack_client_id, engine, box)
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(scopes),
        user_scopes=[],
        redirect_uri=f"{settings.public_base_url}{REDIRECT_PATH}",
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=callbacks(services),
        authorization_url=authorization_url(settings.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=TOKEN_REFRESH_MINUTES,
        state_store=KeyedStateStore(engine, settings.slack_state_secret),
        logger=logger,
    )
    authorize = InstallationStoreAuthorize(
        logger=logger,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=TOKEN_REFRESH_MINUTES,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    return OAuthParts(InstallFlow(client=client, logger=logger, settings=oauth), authorize, store)


def installed_tokens(settings: Settings, services: Services, client: WebClient) -> InstalledTokens:
    """Each workspace's bot token for what the bot sends on its own (handlers/outbound), from the
    same store, refreshed as early as the authorize refreshes it."""
    assert settings.slack_client_id and settings.slack_client_secret
    store = SealedInstallationStore(
        settings.slack_client_id, services.database.engine, SecretBox(settings.security_bot_keys)
    )
    rotator = TokenRotator(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        client=client,
    )
    return InstalledTokens(store, services, rotator, TOKEN_REFRESH_MINUTES)


def authorization_url(slack_api_url: str) -> str:
    """Slack's authorize page beside its Web API (the stand-in serves both too)."""
    return slack_api_url.removesuffix("/").removesuffix("/api") + "/oauth/v2/authorize"


def _html(status: int, html: str, set_cookie: str | None = None) -> BoltResponse:
    headers: dict[str, str | Sequence[str]] = {"Content-Type": "text/html; charset=utf-8"}
    headers.update(dict(SECURITY_HEADERS))
    # Slack's page is reached by a link, not a form: the CSP allows no form target beyond ours.
    if set_cookie is not None:
        headers["Set-Cookie"] = [set_cookie]
    return BoltResponse(status=status, body=html, headers=headers)


class InstallFlow(OAuthFlow):
    """Bolt's flow, showing our Add to Slack page (same headers as the one-time pages)."""

    def handle_installation(self, request: BoltRequest) -> BoltResponse:
        state = self.issue_new_state(request)
        url = self.build_authorize_url(state, request)
        cookie = self.settings.state_utils.build_set_cookie_for_new_state(state)
        with reading(browser_language(request)):
            return _html(200, install_templates.add_to_slack(url), cookie)


def browser_language(request: BoltRequest) -> str:
    """The install pages' reader is known only by their browser: its first preferred language."""
    found = request.headers.get("accept-language") or [""]
    return read_browser(found[0])


def callbacks(services: Services) -> CallbackOptions:
    def success(args: SuccessArgs) -> BoltResponse:
        found = args.installation
        install = Install(
            team_id=found.team_id,
            enterprise_id=found.enterprise_id,
            enterprise_install=bool(found.is_enterprise_install),
            name=found.team_name or found.enterprise_name or found.team_id or "your workspace",
            installer_user_id=found.user_id,
        )
        workspace = services.workspaces.installed(install)
        if install.installer_user_id:  # the installer is the new workspace's first admin
            with serving(workspace.workspace_id):
                services.workspace_settings.installed(install.installer_user_id)
        logger.info("installed in workspace %s", workspace.workspace_id)
        with reading(browser_language(args.request)):
            return _html(200, install_templates.installed(workspace.name))

    def failure(args: FailureArgs) -> BoltResponse:
        logger.info("an install did not finish: %s", args.reason)
        status = 200 if args.reason == "access_denied" else args.suggested_status_code
        with reading(browser_language(args.request)):
            return _html(status, install_templates.not_installed(args.reason, INSTALL_PATH))

    return CallbackOptions(success=success, failure=failure)


def _workspace_of(body: dict[str, Any]) -> str | None:
    authorizations = body.get("authorizations") or [{}]
    enterprise = body.get("enterprise_id") or authorizations[0].get("enterprise_id")
    organisation_wide = bool(
        body.get("is_enterprise_install") or authorizations[0].get("is_enterprise_install")
    )
    try:
        return workspace_key(body.get("team_id"), enterprise, organisation_wide)
    except NoWorkspace:
        return None


def register(app: App, store: InstallationStore | None) -> None:
    """The two events that end an install: tokens deleted first, then the workspace marked.

    Bolt's own `tokens_revoked` listener deletes only the bots table, and its authorize reads the
    installations table first, which keeps a copy of the bot token: a revoked bot token deletes
    both here, so no later request is authorised with it."""

    def app_uninstalled(ack: Any, body: dict[str, Any], context: Any, services: Services) -> None:
        if store is not None:  # with SLACK_BOT_TOKEN there is no token of ours to delete
            store.delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        ack()
        _mark_uninstalled(body, services, "app_uninstalled")

    def tokens_revoked(
        ack: Any, body: dict[str, Any], event: dict[str, Any], context: Any, services: Services
    ) -> None:
        tokens = event.get("tokens") or {}
        if store is not None:  # with SLACK_BOT_TOKEN there is no token of ours to delete
            _delete_revoked(store, tokens, context.enterprise_id, context.team_id)
        ack()
        if tokens.get("bot"):
            _mark_uninstalled(body, services, "tokens_revoked")

    app.event(Event.APP_UNINSTALLED)(app_uninstalled)
    app.event(Event.TOKENS_REVOKED)(tokens_revoked)


def _delete_revoked(
    store: InstallationStore, tokens: dict[str, Any], enterprise: str | None, team: str | None
) -> None:
    if tokens.get("bot"):
        store.delete_all(enterprise_id=enterprise, team_id=team)
    for user_id in tokens.get("oauth") or []:
        store.delete_installation(enterprise_id=enterprise, team_id=team, user_id=user_id)


def _mark_uninstalled(body: dict[str, Any], services: Services, reason: str) -> None:
    workspace = _workspace_of(body)
    if workspace is None:
        logger.warning("%s without a team or enterprise: no workspace to mark", reason)
        return
    services.workspaces.uninstalled(workspace, reason=reason)
