"""Does PlaceOS know this app? Asked before anyone is sent to PlaceOS, where a wrong client_id or redirect URI ends on
an error page a person could not leave. First the authorize endpoint, without the session cookie: a server that
looks at the request before it asks for a sign-in answers a bad one with its error page. PlaceOS's Doorkeeper asks
for the sign-in first (its login redirect says nothing of the client), so then its introspection endpoint (RFC 7662)
is asked about a token that does not exist, as this client: Doorkeeper authenticates the asking client first, and
answers `{"active": false}` where it knows the client_id (a public app needs no secret) and 401 `invalid_client`
where it does not. Never a token, and nothing a browser's console shows as failed for a known app: the probes'
state and token are ones no sign-in made. The sign-in screen asks in the background (app.shell.registration), the
auth doctor in its report (app.doctor.checks)."""

from __future__ import annotations

import json

from app.core.config import ClientConfig, derive_client_id
from app.core.ports import HttpRequest, HttpResponse, Transport
from app.core.urls import urlencode

PROBE_STATE = "auth-doctor-check"  # a state no sign-in ever made: whatever comes back is never accepted
PROBE_TOKEN = "auth-doctor-check-no-such-token"  # a token no sign-in made: never active
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


def client_probe(config: ClientConfig) -> HttpRequest:
    """Introspection of a token no sign-in made, asked as this app's client_id."""
    form = {"token": PROBE_TOKEN, "client_id": config.client_id}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    return HttpRequest("POST", config.introspect_url, headers, urlencode(form), credentials="omit")


def client_verdict(response: HttpResponse) -> str:
    """What the introspection endpoint's answer says of the client: Doorkeeper's."""
    try:
        answer = json.loads(response.body[:10_000]) if response.body.lstrip().startswith("{") else {}
    except (ValueError, RecursionError):
        answer = {}
    error = answer.get("error") if isinstance(answer, dict) else None
    if error == "invalid_client" or response.status == 401 and error is None:
        return UNKNOWN_CLIENT
    if response.status == 200 and isinstance(answer, dict) and answer.get("active") is False:
        return ACCEPTED  # the client is known; the token (made up) is not
    return UNANSWERED  # another server, or another refusal: nothing is known of the client


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
    found = verdict(response)
    if found != ACCEPTED:
        return found, response.status
    # A redirect (the login page's, most likely) tells nothing of the client: introspection does.
    try:
        answer = await transport.send(client_probe(config))
    except OSError:
        return ACCEPTED, response.status  # no answer this page may read: as far as is known, accepted
    return (UNKNOWN_CLIENT, answer.status) if client_verdict(answer) == UNKNOWN_CLIENT else (ACCEPTED, response.status)


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
    "PROBE_TOKEN",
    "PROBE_STATE",
    "REFUSED",
    "UNANSWERED",
    "UNKNOWN_CLIENT",
    "ask",
    "client_probe",
    "client_verdict",
    "in_words",
    "probe",
    "verdict",
]
