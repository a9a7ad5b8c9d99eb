"""PlaceOS access tokens: RS256 JWTs with PlaceOS's claims, signed with a key made on first start.

Verification follows rest-api's order: signature, expiry, logout (logged_out_at >= iat), then audience; we add a
revocation check, which real rest-api skips (RFC 7009 revocation does not stop it accepting a JWT).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .store import Store, User

ISSUER = "POS"


class TokenRejected(Exception):
    """The token is not good for the API; str() is the message PlaceOS puts in its 401 body."""


@dataclass(frozen=True)
class AccessClaims:
    jti: str
    sub: str
    aud: str
    iat: int
    exp: int
    scopes: tuple[str, ...]


def _new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class TokenIssuer:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock
        pem = store.setting("jwt_private_key", _new_private_key_pem)
        private = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError("the stored signing key is not an RSA key")
        self._private = private
        self._public = private.public_key()

    def issue(
        self, user: User, client_id: str, scopes: list[str], audience: str, ttl_s: int, family: str = ""
    ) -> tuple[str, int]:
        """A signed access token and its lifetime in seconds; recorded so that revocation can find it."""
        now = int(self._clock())
        jti = str(uuid.uuid4())
        flags = (1 if user.support else 0) | (2 if user.sys_admin else 0)
        claims = {
            "iss": ISSUER,
            "iat": now,
            "exp": now + ttl_s,
            "jti": jti,
            "aud": audience,
            "scope": scopes,
            "sub": user.id,
            "u": {"n": user.name, "e": user.email, "p": flags, "r": list(user.groups)},
        }
        token = jwt.encode(claims, self._private, algorithm="RS256")
        self._store.save_access_token(jti, user.id, client_id, scopes, now + ttl_s, family)
        return token, ttl_s

    def peek_jti(self, token: str) -> str | None:
        """The jti of a token we signed, expired or not (for revocation)."""
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_aud": False},
            )
        except jwt.InvalidTokenError:
            return None
        jti = claims.get("jti")
        return jti if isinstance(jti, str) else None

    def verify(self, token: str, audience: str) -> tuple[AccessClaims, User]:
        try:
            # Expiry is checked against our own clock below, not pyjwt's, so tests can move time.
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                issuer=ISSUER,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "require": ["exp", "iat", "jti", "sub", "aud"],
                },
            )
        except jwt.InvalidTokenError:
            raise TokenRejected("invalid token") from None
        if not _well_typed(claims):
            raise TokenRejected("invalid token")
        if claims["exp"] <= self._clock():
            raise TokenRejected("Signature is expired")
        user = self._store.user(claims["sub"])
        if user is None:
            raise TokenRejected("user not found")
        state = self._store.access_token_state(claims["jti"])
        if state == "logged out":
            raise TokenRejected("logged out")
        if state != "live":
            raise TokenRejected("token revoked")
        if claims["aud"] != audience:
            raise TokenRejected("authority domain does not match token's")
        scopes = claims.get("scope") or []
        return AccessClaims(
            claims["jti"], claims["sub"], claims["aud"], claims["iat"], claims["exp"], tuple(scopes)
        ), user


def _well_typed(claims: dict[str, Any]) -> bool:
    """Signed by us, yet every claim is still checked for its type: a key that leaked, or a token from a
    differently-configured build, must get a 401, never a 500."""
    scopes = claims.get("scope") or []
    return (
        all(_is_int(claims[name]) for name in ("exp", "iat"))
        and all(isinstance(claims[name], str) for name in ("jti", "sub", "aud"))
        and isinstance(scopes, list)
        and all(isinstance(scope, str) for scope in scopes)
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)
