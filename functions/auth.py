"""Sign-in: anonymous in one click, or email/username and password; short
access tokens and rotating refresh tokens."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from functions.context import Services
from functions.db import is_unique_violation
from functions.models import AnonymousIn, LoginIn, RefreshIn, RegisterIn, SessionOut, UserOut
from functions.privacy import merge_guest
from functions.problems import ApiError, FieldError
from functions.security import (
    bearer,
    check_password,
    hash_password,
    issue_refresh,
    new_id,
    revoke_family_of,
    rotate_refresh,
)
from functions.tables import Credential, User
from functions.users import checked_name, friendly_name, load_user, user_out
from virtubar.tokens import Claims, TokenError


async def open_session(
    services: Services, user: dict, family: str | None = None, refresh: str | None = None
) -> SessionOut:
    access = services.tokens.issue(
        "api", user["id"], role=user["role"], name=user["display_name"], anon=user["anonymous"]
    )
    return SessionOut(
        accessToken=access,
        refreshToken=refresh or await issue_refresh(user["id"], family),
        expiresIn=services.tokens.ttl["api"],
        user=user_out(user),
    )


async def guest_of(request: Request, services: Services) -> str | None:
    """The anonymous player of the request's Bearer token, whose data a
    sign-in keeps; None without one (401 for a token that is not valid)."""
    token = bearer(request)
    if token is None:
        return None
    try:
        user_id = services.tokens.verify(token, "api").sub
    except TokenError as e:
        raise ApiError(401, e.message) from e
    row = await User.select(User.anonymous).where(User.id == user_id).first()
    return user_id if row is not None and row["anonymous"] else None


def _role_for(services: Services, email: str) -> str:
    return "admin" if email.lower() in services.settings.admin_emails else "player"


async def _taken(email: str, username: str, except_id: str | None = None) -> list[FieldError]:
    errors = []
    for column, value, name in ((User.email, email, "email"), (User.username, username, "username")):
        row = await User.select(User.id).where(column == value).first()
        if row is not None and row["id"] != except_id:
            errors.append(FieldError(field=name, message=f"this {name} is already registered"))
    return errors


async def _save_account(services: Services, data: RegisterIn, email: str, username: str, upgrading: str | None) -> str:
    """Create the account, or upgrade the anonymous one in place, in one
    transaction; return its id."""
    fields = {"email": email, "username": username, "anonymous": False, "role": _role_for(services, email)}
    name = checked_name(data.displayName) if data.displayName is not None else None
    hashed = hash_password(data.password)  # slow on purpose: not while holding the database (one connection on SQLite)
    async with services.db.transaction():
        if upgrading is not None:
            changes = {getattr(User, k): v for k, v in fields.items()}
            if name is not None:
                changes[User.display_name] = name
            await User.update(changes).where(User.id == upgrading)
            user_id = upgrading
        else:
            user_id = new_id()
            await User.insert(User(id=user_id, display_name=name or username, **fields))
        await Credential.insert(Credential(user=user_id, password_hash=hashed))
    return user_id


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/anonymous", status_code=HTTP_201_CREATED, summary="Play now, no account needed")
    async def anonymous(
        self, services: NamedDependency[Services], data: JSONBody[AnonymousIn | None] = None
    ) -> SessionOut:
        given = data.displayName if data else None
        name = checked_name(given) if given is not None else friendly_name()
        user = User(id=new_id(), display_name=name, anonymous=True)
        await User.insert(user)
        return await open_session(services, await load_user(user.id))

    @post(
        "/register",
        status_code=HTTP_201_CREATED,
        summary="Create an account, or upgrade the anonymous account of the Bearer token",
    )
    async def register(
        self, request: Request, services: NamedDependency[Services], data: JSONBody[RegisterIn]
    ) -> SessionOut:
        email, username = data.email.strip().lower(), data.username.strip().lower()
        upgrading: str | None = None
        if (token := bearer(request)) is not None:
            try:
                upgrading = services.tokens.verify(token, "api").sub
            except TokenError as e:
                raise ApiError(401, e.message) from e
            if not (await load_user(upgrading))["anonymous"]:
                raise ApiError(409, "This account is already registered.")
        if errors := await _taken(email, username, upgrading):
            raise ApiError(409, "The email or username is taken.", errors)
        try:
            user_id = await _save_account(services, data, email, username, upgrading)
        except Exception as e:
            if is_unique_violation(e):  # a concurrent registration won the name
                raise ApiError(409, "The email or username is taken.") from e
            raise
        return await open_session(services, await load_user(user_id))

    @post("/login", status_code=200, summary="Sign in with email or username and password "
          "(a guest's Bearer token: the guest's data moves into the account)")
    async def login(
        self, request: Request, services: NamedDependency[Services], data: JSONBody[LoginIn]
    ) -> SessionOut:
        login = data.login.strip().lower()
        column = User.email if "@" in login else User.username
        user = await User.select().where(column == login).first()
        cred = None
        if user is not None:
            cred = await Credential.select().where(Credential.user == user["id"]).first()
        if not check_password(cred["password_hash"] if cred else None, data.password) or user is None:
            raise ApiError(401, "Wrong email, username or password.")
        if (guest := await guest_of(request, services)) is not None and guest != user["id"]:
            await merge_guest(services, guest, user["id"])
        return await open_session(services, user)

    @post("/refresh", status_code=200, summary="Trade a refresh token for a new pair (rotation)")
    async def refresh(self, services: NamedDependency[Services], data: JSONBody[RefreshIn]) -> SessionOut:
        user_id, refresh = await rotate_refresh(data.refreshToken)
        return await open_session(services, await load_user(user_id), refresh=refresh)

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="End this sign-in (revokes its refresh tokens)")
    async def logout(self, data: JSONBody[RefreshIn]) -> None:
        await revoke_family_of(data.refreshToken)

    @get("/me", summary="Who am I")
    async def me(self, caller: NamedDependency[Claims]) -> UserOut:
        return user_out(await load_user(caller.sub))
