"""Does PlaceOS know this app? Asked of the authorize endpoint before anyone is sent there: with no session cookie,
PlaceOS answers a known client_id and redirect URI with its login redirect, and anything else with its error page,
a page a person sent there could not leave. Never a token: the probe's state is one no sign-in made. The sign-in
screen asks in the background (app.shell.registration), the auth doctor in its report (app.doctor.checks)."""

from __future__ import annotations

from app.core.config import ClientConfig, derive_client_id
from app.core.ports import HttpRequest, HttpResponse, Transport
from app.core.urls import urlencode

PROBE_STATE = "auth-doctor-check"  # a state no sign-in ever made: whatever comes back is never accepted
# The code flow's probe carries a challenge as a sign-in's would (PKCE is required); its verifier exists nowhere.
PROBE_CHALLENGE = "auth-doctor-check-no-verifier-exists-for-this-challenge"
ACCEPTED, UNKNOWN_CLIENT, BAD_REDIRECT, NO_IMPLICIT, REFUSED, UNANSWERED = (
    "accepted",
    "unknown client",
    "bad redirect",
    "no implicit",
    "refused",
    "unanswered",  # no answer this page may read (PlaceOS elsewhere, without CORS there): nothing is known
)


def probe(config: ClientConfig) -> HttpRequest:
    query = {
        "response_type": "token" if config.flow == "implicit" else "code",
        "client_id": config.client_id,
        "redirect_uri": config.redirect_uri,
        "scope": config.scope,
        "state": PROBE_STATE,
    }
    if config.flow == "code":
        query |= {"code_challenge": PROBE_CHALLENGE, "code_challenge_method": "S256"}
    return HttpRequest("GET", f"{config.authorize_url}?{urlencode(query)}", credentials="omit", follow=False)


def verdict(response: HttpResponse) -> str:
    """What PlaceOS's answer to the probe says (its status, and its error page's words: Doorkeeper's)."""
    body = response.body[:100_000].lower()
    if response.status == 0 or 300 <= response.status < 400:
        return ACCEPTED  # the login redirect (an opaque one, in a browser)
    if response.status == 401 or "unknown application" in body or "invalid_client" in body:
        return UNKNOWN_CLIENT
    if "redirect" in body:
        return BAD_REDIRECT
    if "unsupported_response_type" in body or "not offered" in body:
        return NO_IMPLICIT
    return REFUSED


async def ask(config: ClientConfig, transport: Transport) -> tuple[str, int]:
    """The verdict and PlaceOS's status (0: no answer, or a redirect)."""
    try:
        response = await transport.send(probe(config))
    except OSError:
        return UNANSWERED, 0
    return verdict(response), response.status


def in_words(found: str, config: ClientConfig, status: int = 0) -> tuple[str, str]:
    """The problem a verdict names, and what fixes it, for a person; ("", "") when there is none."""
    if found == UNKNOWN_CLIENT:
        return (
            f"PlaceOS does not know this app (client_id {config.client_id})",
            f"Register the app in PlaceOS Backoffice with the redirect URI {config.redirect_uri}: PlaceOS then gives "
            f"it the client_id {derive_client_id(config.redirect_uri)}. If Backoffice shows another client_id, the "
            "redirect URI differs from the one registered.",
        )
    if found == BAD_REDIRECT:
        return (
            f"PlaceOS refuses this app's redirect URI {config.redirect_uri}",
            "Add this exact redirect URI (scheme, host, port, path and trailing slash) to the app in Backoffice, or "
            "set --redirect-uri to the one registered.",
        )
    if found == NO_IMPLICIT:
        return "PlaceOS does not offer the implicit flow", "Use the authorization code flow: --flow code."
    if found == REFUSED:
        return f"PlaceOS refused this app's sign-in request (HTTP {status})", "Ask your PlaceOS administrator."
    return "", ""


__all__ = [
    "ACCEPTED",
    "BAD_REDIRECT",
    "NO_IMPLICIT",
    "PROBE_STATE",
    "REFUSED",
    "UNANSWERED",
    "UNKNOWN_CLIENT",
    "ask",
    "in_words",
    "probe",
    "verdict",
]
