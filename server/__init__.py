"""The host side: dev server pieces, never sent to the browser.

static     the app shell, the app package (zipped on request) and the pinned Pyodide runtime
web        middleware shared by every route: security headers, request ids, a redacting access log
standin    an embedded stand-in PlaceOS: the auth service (OAuth 2 via oauthlib) and the REST API
proxy      instead of the stand-in, forward /api, /auth and /login to a real PlaceOS
"""
