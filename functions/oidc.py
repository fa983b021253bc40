"""Sign in with an OpenID Connect provider (any, by issuer URL; discovery
through its ``/.well-known/openid-configuration``), with Authlib as the
relying party: authorization code with PKCE (S256), state and nonce.

Every step lives in the database (``SignInTicket``), never in a process's
memory, so the callback may land on another API instance or Lambda than the
start: ``state`` names a ticket holding the PKCE verifier, the nonce and
the guest to upgrade, spent by the callback whatever happens next. The
callback ends by sending the browser back to the client with a one-time
code in the URL fragment (never a token); the client trades it for the
app's own access and refresh tokens, as a password sign-in gives them.

An account is named by the provider's (issuer, subject) pair
(``OidcLink``). A guest who signs in keeps everything: with no account yet
the guest's row becomes the account; with one, the guest's data moves to
it (``privacy.merge_guest``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated

from authlib.integrations.base_client import BaseApp, OAuthError
from authlib.integrations.base_client.async_app import AsyncOAuth2Mixin
from authlib.integrations.base_client.async_openid import AsyncOpenIDMixin
from authlib.integrations.httpx_client import AsyncOAuth2Client
from httpx import HTTPError
from joserfc.errors import JoseError
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.response import Redirect
from msgspec import Meta, Struct

from functions.auth import guest_of, open_session
from functions.context import Services
from functions.models import SessionOut
from functions.privacy import merge_guest
from functions.problems import ApiError
from functions.security import new_id
from functions.tables import OidcLink, SignInTicket, User
from functions.users import checked_name, friendly_name, load_user
from virtubar.settings import Settings

STATE_TTL = timedelta(minutes=10)  # the player's time at the provider
CODE_TTL = timedelta(seconds=60)  # from the callback to the client's exchange
_Param = Annotated[str | None, QueryParameter(max_length=2048)]
_State = Annotated[str | None, QueryParameter(name="state", max_length=200)]  # "state" is Litestar's own name


class OidcConfigOut(Struct, kw_only=True, omit_defaults=True):
    enabled: bool
    name: str | None = None


class OidcStartOut(Struct, kw_only=True):
    authorizationUrl: str


class OidcCodeIn(Struct, kw_only=True, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=1, max_length=100)]


class _Provider(AsyncOAuth2Mixin, AsyncOpenIDMixin, BaseApp):
    """Authlib's relying party, without a web framework's session: the
    state is ours to keep (``SignInTicket``)."""

    client_cls = AsyncOAuth2Client


@cache
def _provider(issuer: str, client_id: str, secret: str) -> _Provider:
    return _Provider(
        None,
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256", "timeout": 10},
    )


def _configured(settings: Settings) -> tuple[str, _Provider]:
    issuer = settings.oidc_issuer.rstrip("/")
    if not (issuer and settings.oidc_client_id):
        raise ApiError(404, "Sign-in with an OpenID Connect provider is not configured on this server.")
    return issuer, _provider(issuer, settings.oidc_client_id, settings.oidc_client_secret)


def redirect_uri(settings: Settings) -> str:
    return settings.api_url.rstrip("/") + "/auth/oidc/callback"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def link_id(issuer: str, subject: str) -> str:
    return _digest(f"{issuer}\n{subject}")


async def _spend(ticket_id: str, kind: str) -> dict | None:
    """The ticket, deleted as it is read: a second use finds nothing."""
    rows = await SignInTicket.delete().where(
        (SignInTicket.id == ticket_id) & (SignInTicket.kind == kind)
    ).returning(*SignInTicket.all_columns())
    if not rows or rows[0]["expires_at"] <= datetime.now(UTC):
        return None
    return rows[0]


async def _provider_identity(services: Services, ticket: dict, code: str) -> dict:
    """The verified id_token's claims: the code traded with the PKCE
    verifier, the token's signature (the provider's JWKS), issuer,
    audience, expiry and nonce checked by Authlib."""
    issuer, provider = _configured(services.settings)
    try:
        token = await provider.fetch_access_token(
            redirect_uri(services.settings), code=code, code_verifier=ticket["verifier"]
        )
    except OAuthError as e:
        raise ApiError(400, f"The provider did not accept the sign-in ({e.error}); start again.") from e
    except HTTPError as e:
        raise ApiError(502, "The provider could not be reached; try again shortly.") from e
    if "id_token" not in token:
        raise ApiError(400, "The provider sent no id token; is the openid scope allowed for this client?")
    try:
        claims = await provider.parse_id_token(
            token, nonce=ticket["nonce"], claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": services.settings.oidc_client_id},
            })
    except JoseError as e:
        raise ApiError(400, f"The provider's id token is not valid ({e.error}: {e.description}); start again.") from e
    return dict(claims)


def _name_from(claims: dict) -> str:
    for candidate in (claims.get("name"), claims.get("preferred_username")):
        if isinstance(candidate, str):
            try:
                return checked_name(candidate[:40])
            except ApiError:
                continue
    return friendly_name()


async def account_for(services: Services, issuer: str, claims: dict, guest: str | None) -> str:
    """The user the provider's identity names: its linked account (the
    guest's data moved into it), else the guest made an account in place,
    else a new account."""
    key = link_id(issuer, claims["sub"])
    email = claims.get("email") if claims.get("email_verified") and isinstance(claims.get("email"), str) else None
    link = await OidcLink.select(OidcLink.user).where(OidcLink.id == key).first()
    if link is not None:
        if guest is not None and guest != link["user"]:
            await merge_guest(services, guest, link["user"])
        return link["user"]
    async with services.db.transaction():
        if guest is not None:
            await User.update({User.anonymous: False}).where(User.id == guest)
            user_id = guest
        else:
            user_id = new_id()
            await User.insert(User(id=user_id, display_name=_name_from(claims), anonymous=False))
        await OidcLink.insert(
            OidcLink(id=key, user=user_id, issuer=issuer, subject=claims["sub"], email=email and email[:254])
        )
    return user_id


class OidcController(Controller):
    path = "/auth/oidc"
    tags = ["auth"]

    @get("/", summary="Is sign-in with an OpenID Connect provider offered, and by which name")
    async def config(self, services: NamedDependency[Services]) -> OidcConfigOut:
        settings = services.settings
        if not (settings.oidc_issuer and settings.oidc_client_id):
            return OidcConfigOut(enabled=False)
        return OidcConfigOut(enabled=True, name=settings.oidc_name)

    @post("/start", status_code=200, summary="Begin a sign-in at the provider (a guest's Bearer token: keep its data)")
    async def start(self, request: Request, services: NamedDependency[Services]) -> OidcStartOut:
        _, provider = _configured(services.settings)
        guest = await guest_of(request, services)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        try:
            begun = await provider.create_authorization_url(redirect_uri(services.settings), state=state, nonce=nonce)
        except HTTPError as e:
            raise ApiError(502, "The provider could not be reached; try again shortly.") from e
        await SignInTicket.insert(
            SignInTicket(
                id=state, kind="state", nonce=nonce, verifier=begun["code_verifier"], user=guest,
                expires_at=datetime.now(UTC) + STATE_TTL,
            )
        )
        return OidcStartOut(authorizationUrl=begun["url"])

    @get("/callback", summary="Where the provider sends the player back (browser navigation)")
    async def callback(
        self, services: NamedDependency[Services], oauth_state: _State = None, code: _Param = None,
        error: _Param = None,
    ) -> Redirect:
        ticket = await _spend(oauth_state, "state") if oauth_state else None
        if ticket is None:
            raise ApiError(400, "This sign-in is unknown, already finished or expired (state); start again.")
        if error is not None or code is None:
            raise ApiError(400, f"The provider did not sign you in ({error or 'no code'}).")
        issuer, _ = _configured(services.settings)
        claims = await _provider_identity(services, ticket, code)
        user_id = await account_for(services, issuer, claims, ticket["user"])
        one_time = secrets.token_urlsafe(32)
        await SignInTicket.insert(
            SignInTicket(id=_digest(one_time), kind="code", user=user_id, expires_at=datetime.now(UTC) + CODE_TTL)
        )
        return Redirect(f"{services.settings.public_url.rstrip('/')}/#oidc-code={one_time}", status_code=303)

    @post("/session", status_code=200, summary="Trade the callback's one-time code for the app's tokens")
    async def session(self, services: NamedDependency[Services], data: JSONBody[OidcCodeIn]) -> SessionOut:
        ticket = await _spend(_digest(data.code), "code")
        if ticket is None or ticket["user"] is None:
            raise ApiError(401, "The sign-in code is not valid (used, expired or unknown); sign in again.")
        return await open_session(services, await load_user(ticket["user"]))
