"""The one-time pages as small pure functions returning HTML; every value is escaped here.

The only style sheet is the constant below, allowed by its hash in the Content-Security-Policy,
so the pages need no inline script, no external file, and no 'unsafe-inline'.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from html import escape

import segno

from bot.core.i18n import _, language, ngettext, number

STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f6f6f7;color:#1d1c1d}
main{max-width:34rem;margin:2rem auto;padding:1.5rem 2rem;background:#fff;border-radius:8px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 1rem}
code,#manual-key{font-family:ui-monospace,Menlo,Consolas,monospace}
#manual-key{display:block;font-size:1.15rem;letter-spacing:.05em;padding:.5rem .75rem;
background:#f2f2f4;border-radius:4px;word-break:break-all}
.qr{margin:1rem 0}
.qr svg{display:block}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{color:#616061}dd{margin:0}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[name=code]{font:inherit;font-size:1.3rem;letter-spacing:.2em;width:9rem;padding:.4rem .6rem;
margin-right:.5rem}
button{font:inherit;font-weight:600;margin-top:1rem;padding:.5rem 1.25rem;border:0;
border-radius:4px;background:#007a5a;color:#fff;cursor:pointer}
.error{padding:.6rem .8rem;border-radius:4px;background:#fdecec;color:#8a1c1c}
#recovery-codes{columns:2;font-size:1.1rem;padding-left:1.5rem}
.small{color:#616061;font-size:.9rem}
input[type=password]{font:inherit;width:100%;box-sizing:border-box;padding:.4rem .6rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.verdict{border-top:1px solid #e8e8e8;margin-top:1rem}
.ok{color:#007a5a;font-weight:600}.bad{color:#8a1c1c;font-weight:600}.unsure{color:#8a5a00;font-weight:600}
"""
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
_CODE_SPAN = re.compile(r"`([^`]+)`")


def page(title: str, body: str) -> str:
    """A whole document around `body`, which the caller has already built from escaped parts."""
    return (
        f'<!doctype html><html lang="{escape(language())}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def prose(text: str) -> str:
    """A paragraph of the bot's own plain text, where `like this` becomes code."""
    return "<p>" + _CODE_SPAN.sub(r"<code>\1</code>", escape(text)) + "</p>"


def problem(title: str, message: str) -> str:
    """A page that explains why nothing happened and what to do instead."""
    return page(title, prose(message))


def authenticator_landing(display_name: str | None, link_minutes: int, csrf: str) -> str:
    """What a link opens: an explanation and a Start button. No secret: scanners fetch links."""
    return page(
        _("Link an authenticator app"),
        _greeting(display_name)
        + prose(
            _(
                "Linking an authenticator app lets the security bot ask you for a code before "
                "sensitive actions, so a Slack session alone cannot act in your name."
            )
        )
        + prose(
            ngettext(
                "You need an authenticator app on your phone, such as Google Authenticator, "
                "Microsoft Authenticator or your password manager. This link works once, for "
                "{minutes} minute after it was sent.",
                "You need an authenticator app on your phone, such as Google Authenticator, "
                "Microsoft Authenticator or your password manager. This link works once, for "
                "{minutes} minutes after it was sent.",
                link_minutes,
            ).format(minutes=number(link_minutes))
        )
        + _form(csrf, {"step": "start"}, "", _("Start")),
    )


def authenticator_enrolment(
    *, uri: str, grouped_key: str, issuer: str, label: str, csrf: str, error: str | None = None
) -> str:
    """The QR code and the key, shown only after Start, and the field for the first code."""
    qr = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return page(
        _("Scan this code with your authenticator app"),
        _error(error)
        + prose(_("In your app, add an account and scan this QR code:"))
        + '<div class="qr" role="img" aria-label="'
        + escape(_("QR code for your authenticator app"))
        + f'">{qr}</div>'
        + prose(_("Can't scan it? Add the account by hand with this key (time-based):"))
        + f'<code id="manual-key">{escape(grouped_key)}</code>'
        + "<dl>"
        + _term(_("Issuer"))
        + f"<dd>{escape(issuer)}</dd>"
        + _term(_("Account"))
        + f'<dd id="account-label">{escape(label)}</dd>'
        + _term(_("Codes"))
        + "<dd>"
        + escape(_("6 digits, a new one every 30 seconds"))
        + "</dd></dl>"
        + _form(
            csrf,
            {"step": "confirm"},
            _code_field(_("Then enter the 6-digit code your app shows now")),
            _("Link authenticator"),
        ),
    )


def authenticator_linked(verified_on: str, codes: Sequence[str]) -> str:
    return page(
        _("Authenticator linked"),
        prose(
            _("Your authenticator app is linked to the security bot, verified {date}.").format(
                date=verified_on
            )
        )
        + _recovery_codes(codes),
    )


def recovery_codes_landing(display_name: str | None, csrf: str, error: str | None = None) -> str:
    return page(
        _("New recovery codes"),
        _error(error)
        + _greeting(display_name)
        + prose(
            _(
                "New recovery codes replace the ones you have: the old codes stop working as "
                "soon as the new ones are shown."
            )
        )
        + _form(
            csrf,
            {"step": "confirm"},
            _code_field(_("Enter the 6-digit code your authenticator app shows now")),
            _("Make new codes"),
        ),
    )


def recovery_codes_replaced(codes: Sequence[str]) -> str:
    return page(
        _("New recovery codes"),
        prose(_("Your old recovery codes no longer work.")) + _recovery_codes(codes),
    )


def _term(text: str) -> str:
    return f"<dt>{escape(text)}</dt>"


def _greeting(display_name: str | None) -> str:
    if display_name:
        return "<p>" + escape(_("Hello {name},").format(name=display_name)) + "</p>"
    return "<p>" + escape(_("Hello there,")) + "</p>"


def _error(error: str | None) -> str:
    return "" if error is None else f'<p class="error" role="alert">{escape(error)}</p>'


def _recovery_codes(codes: Sequence[str]) -> str:
    items = "".join(f"<li><code>{escape(code)}</code></li>" for code in codes)
    return (
        prose(
            _(
                "These are your recovery codes. Each one works once, in place of a code from "
                "your app, if you lose your phone. Store them somewhere safe now, such as your "
                "password manager: they will not be shown again."
            )
        )
        + f'<ol id="recovery-codes">{items}</ol>'
        + '<p class="small">'
        + escape(_("Once they are stored, you can close this page."))
        + "</p>"
    )


def _code_field(label: str) -> str:
    return (
        f'<label for="code">{escape(label)}</label>'
        '<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]*" '
        'maxlength="8" autocomplete="one-time-code" required autofocus>'
    )


def _form(csrf: str, hidden: dict[str, str], fields: str, button: str) -> str:
    """A form posting back to the page's own address, which is why it has no action."""
    inputs = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in {**hidden, "csrf": csrf}.items()
    )
    return f'<form method="post">{inputs}{fields}<button type="submit">{escape(button)}</button></form>'
