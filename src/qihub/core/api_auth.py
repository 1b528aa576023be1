"""Authentication for the API: bearer tokens, or the browser session."""

from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from qihub.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session, with the CSRF check.

    Ninja's session auth checks CSRF before it looks at the session, so a
    client with no session (or a bad bearer token) got "403 CSRF check Failed".
    Here the CSRF check applies only to a logged-in session; anyone else falls
    through to the 401 with ``WWW-Authenticate: Bearer``. A request that sends
    an ``Authorization`` header is an API client: its token decides alone.
    """

    def _get_key(self, request):
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        if key is None:
            return None
        return super().authenticate(request, key)


#: Writes accept a bearer token or a logged-in session (with CSRF).
write_auth = [TokenAuth(), BrowserSessionAuth()]
