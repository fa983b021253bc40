"""A small, real OpenID Connect provider for the tests, built on Authlib's
authorization server: the authorization-code grant with PKCE (S256 required)
and an RS256 ``id_token`` carrying the nonce; discovery and JWKS as a real
provider publishes them. Run as its own process:

    python -m tests.functions.oidc_provider PORT CLIENT_ID CLIENT_SECRET

It signs in whoever names themselves: the subject is the authorization
request's ``login_hint`` (the API tests send one and are signed in at once);
without one it shows a login page (a browser's sign-in, played by the
Chromium tests), whose form sends the request again with the name typed.
``POST /test/next`` with a JSON body ``{"aud": ..., "nonce": ...}`` makes the
next id_token lie about that claim (the attack tests)."""

from __future__ import annotations

import json
import secrets
import sys
import threading
import time
from collections import defaultdict
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey

KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
CODES: dict[str, dict] = {}
NEXT: dict[str, str] = {}  # claims the next id_token lies about
LOCK = threading.Lock()


class Client:
    def __init__(self, client_id: str, secret: str) -> None:
        self.client_id, self.secret = client_id, secret

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri.startswith("http://")

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code(dict):
    def get_redirect_uri(self):
        return self["redirect_uri"]

    def get_scope(self):
        return self["scope"]

    def get_nonce(self):
        return self.get("nonce")

    def get_auth_time(self):
        return self["auth_time"]

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    @property
    def code_challenge(self):
        return self.get("code_challenge")

    @property
    def code_challenge_method(self):
        return self.get("code_challenge_method")


class Payload(OAuth2Payload):
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    @property
    def data(self):
        return {k: v[0] for k, v in self._values.items()}

    @property
    def datalist(self):
        return defaultdict(list, self._values)


class Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict, values: dict[str, list[str]]) -> None:
        super().__init__(method, uri, headers=headers)
        self._values = values
        self.payload = Payload(values)

    @property
    def args(self):
        return {k: v[0] for k, v in parse_qs(urlparse(self.uri).query).items()}

    @property
    def form(self):
        return {k: v[0] for k, v in self._values.items()}


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        with LOCK:
            CODES[code] = Code(
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope,
                nonce=data.get("nonce"),
                auth_time=int(time.time()),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                user=request.user,
                client_id=request.client.get_client_id(),
            )

    def query_authorization_code(self, code, client):
        found = CODES.get(code)
        return found if found is not None and found["client_id"] == client.get_client_id() else None

    def delete_authorization_code(self, authorization_code):
        with LOCK:
            for key in [k for k, v in CODES.items() if v is authorization_code]:
                del CODES[key]

    def authenticate_user(self, authorization_code):
        return authorization_code["user"]


class IdToken(OpenIDCode):
    def __init__(self, issuer: str) -> None:
        super().__init__(require_nonce=True)
        self.issuer = issuer

    def exists_nonce(self, nonce, request):
        return False

    def resolve_client_private_key(self, client):
        return KEY

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": "test-key"}

    def get_client_claims(self, client):
        with LOCK:
            aud = NEXT.pop("aud", client.get_client_id())
        return {"iss": self.issuer, "aud": [aud], "exp": int(time.time()) + 300}

    def get_authorization_code_claims(self, authorization_code):
        claims = super().get_authorization_code_claims(authorization_code)
        with LOCK:
            if "nonce" in NEXT:
                claims["nonce"] = NEXT.pop("nonce")
        return claims

    def generate_user_info(self, user, scope):
        return UserInfo(sub=user, name=f"{user.title()} Example", email=f"{user}@provider.test", email_verified=True)


class Provider(AuthorizationServer):
    def __init__(self, issuer: str, client: Client) -> None:
        super().__init__(scopes_supported=["openid", "profile", "email"])
        self.client = client
        self.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: secrets.token_urlsafe(24)))
        self.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(issuer)])

    def query_client(self, client_id):
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token, request):
        return None

    def send_signal(self, name, *args, **kwargs):
        return None

    def handle_response(self, status, body, headers):
        return status, body, headers

    def create_oauth2_request(self, request):
        return request  # already one (``Request``)

    def create_json_request(self, request):
        return request


def login_page(values: dict[str, list[str]]) -> bytes:
    """The provider's own page: the authorization request's parameters kept
    in the form, the player's name added as ``login_hint``."""
    kept = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v[0])}">' for k, v in values.items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test ID: sign in</title></head>'
        '<body><main><h1>Test ID</h1><form method="get" action="/authorize">' + kept
        + '<label>Username <input name="login_hint" required></label>'
        '<button type="submit">Sign in to Test ID</button></form></main></body></html>'
    ).encode()


def serve(port: int, client_id: str, secret: str) -> None:
    issuer = f"http://localhost:{port}"
    provider = Provider(issuer, Client(client_id, secret))
    metadata = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email"],
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            return None

        def _answer(self, status: int, body, headers=()) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if not any(n.lower() == "content-type" for n, _ in headers):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _request(self, values: dict[str, list[str]]) -> Request:
            return Request(self.command, issuer + self.path, dict(self.headers.items()), values)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/.well-known/openid-configuration":
                self._answer(200, metadata)
            elif path == "/jwks":
                self._answer(200, {"keys": [KEY.as_dict(private=False)]})
            elif path == "/authorize":
                values = parse_qs(urlparse(self.path).query)
                if not values.get("login_hint"):
                    self._answer(200, login_page(values), [("Content-Type", "text/html; charset=utf-8")])
                    return
                request = self._request(values)
                user = request.args.get("login_hint")
                try:
                    grant = provider.get_consent_grant(request, end_user=user)
                except Exception as e:  # an invalid request: said, not redirected
                    self._answer(400, {"error": getattr(e, "error", "invalid_request"), "detail": str(e)})
                    return
                self._answer(*provider.create_authorization_response(request, grant_user=user, grant=grant))
            else:
                self._answer(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            path = urlparse(self.path).path
            if path == "/token":
                status, body, headers = provider.create_token_response(self._request(parse_qs(raw)))
                self._answer(status, body, headers)
            elif path == "/test/next":
                with LOCK:
                    NEXT.update(json.loads(raw or "{}"))
                self._answer(200, {"ok": True})
            else:
                self._answer(404, {"error": "not_found"})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"listening {issuer}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2], sys.argv[3])

