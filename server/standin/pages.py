"""The stand-in's server-rendered pages: login, consent and OAuth error. No script; every value escaped."""

from __future__ import annotations

from html import escape
from pathlib import Path

# Served by the auth service itself (see auth.login_css): a proxy that forwards only /auth, /api and /login to
# PlaceOS must still bring the login page its stylesheet.
LOGIN_CSS_PATH = "/auth/assets/login.css"
LOGIN_CSS_FILE = Path(__file__).resolve().parents[2] / "static" / "app.css"


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="same-origin">
  <title>{escape(title)} · PlaceOS</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{LOGIN_CSS_PATH}">
</head>
<body>
<main class="card login">
  <div class="brand"><span class="brand-mark" aria-hidden="true"></span>PlaceOS</div>
  {body}
</main>
</body>
</html>
"""


def _hidden(fields: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())


def login_page(
    *,
    continue_to: str,
    csrf_token: str,
    email: str = "",
    error: str = "",
    can_cancel: bool = False,
    demo_hint: str = "",
) -> str:
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    hint = f'<p class="muted">{escape(demo_hint)}</p>' if demo_hint else ""
    cancel = '<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>' if can_cancel else ""
    return _page(
        "Sign in",
        f"""
  <h1>Sign in</h1>
  {notice}
  <form method="post" action="/auth/signin">
    {_hidden({"continue": continue_to, "csrf_token": csrf_token})}
    <label>Email <input type="email" name="email" autocomplete="username" required autofocus
      value="{escape(email)}"></label>
    <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
    <button type="submit" name="action" value="signin" class="primary">Sign in</button>
    {cancel}
  </form>
  {hint}""",
    )


def consent_page(*, app_name: str, scopes: list[str], fields: dict[str, str], csrf_token: str, user_email: str) -> str:
    items = "".join(f"<li>{escape(scope)}</li>" for scope in scopes)
    return _page(
        "Authorize",
        f"""
  <h1>Allow {escape(app_name)}?</h1>
  <p>Signed in as {escape(user_email)}. {escape(app_name)} asks for:</p>
  <ul>{items}</ul>
  <form method="post" action="/auth/oauth/authorize">
    {_hidden({**fields, "csrf_token": csrf_token})}
    <button type="submit" name="decision" value="approve" class="primary">Allow</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </form>""",
    )


def error_page(title: str, description: str) -> str:
    return _page(
        title,
        f"""
  <h1 class="error-title">{escape(title)}</h1>
  <p>{escape(description)}</p>
  <p class="muted">The application that sent you here is misconfigured, or the link is damaged. You were not
  sent back to it, so nothing was shared with it.</p>""",
    )


def logout_page(continue_to: str, csrf_token: str) -> str:
    """Shown when another site links to /auth/logout: signing out takes the person's own click."""
    return _page(
        "Sign out",
        f"""
  <h1>Sign out of PlaceOS?</h1>
  <p>You followed a link that signs you out of PlaceOS and every app that uses it.</p>
  <form method="post" action="/auth/logout">
    {_hidden({"continue": continue_to, "csrf_token": csrf_token})}
    <button type="submit" class="primary">Sign out</button>
  </form>
  <p><a href="{escape(continue_to)}">Stay signed in</a></p>""",
    )
