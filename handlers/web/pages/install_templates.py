"""The pages of the OAuth install: Add to Slack, installed, and not installed (with why)."""

from __future__ import annotations

from html import escape

from bot.core.i18n import N_, _
from handlers.web.pages.templates import page, prose

# Why Slack (or Bolt) ended an install without one, in words an installer can act on.
_REASONS = {
    "access_denied": N_("You cancelled the install in Slack, so nothing was installed."),
    "invalid_browser": N_("This install was started in another browser (or its cookie expired)."),
    "invalid_state": N_("This install link expired or was already used."),
    "missing_code": N_("Slack did not send back the install's code."),
    "invalid_code": N_("Slack did not accept the install's code; it may have been used already."),
    "storage_error": N_("The install could not be saved; nothing was installed."),
}


def add_to_slack(authorize_url: str) -> str:
    return page(
        _("Add Account Security to Slack"),
        prose(
            _(
                "Account Security keeps your team's business accounts safe: each member gets a "
                "checklist (`/security status`) and a reminder when something needs fixing."
            )
        )
        + prose(_("You will choose the workspace and review what the bot may do on Slack's page."))
        + f'<p><a href="{escape(authorize_url)}"><button type="button">'
        + escape(_("Add to Slack"))
        + "</button></a></p>",
    )


def installed(workspace_name: str) -> str:
    return page(
        _("Installed"),
        prose(_("Account Security is installed in {workspace}.").format(workspace=workspace_name))
        + prose(
            _(
                "Members can now type `/security status` in Slack, or open the bot's Home tab. "
                "You installed it, so you are its first security admin there."
            )
        ),
    )


def not_installed(reason: str, install_path: str) -> str:
    why = _(_REASONS[reason]) if reason in _REASONS else _("Slack did not complete the install.")
    again = escape(_("Start the install again"))
    return page(
        _("Not installed"),
        prose(why) + f'<p><a href="{escape(install_path)}">{again}</a></p>',
    )
