"""Stand-in PlaceOS on the dev server's own origin: the auth service (auth.py, OAuth via oauthlib in oauth.py)
and the REST API (api.py), sharing one SQLite store, one signing key, and the failure switches (faults.py). The
parts are made in container.py and routed in wiring.py.
"""
