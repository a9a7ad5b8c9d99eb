"""The auth core: OAuth2 responses and states, the session and its token, the flows, expiry, renewal and
sign-out. It knows no screen."""
