"""Authentication for the API: bearer tokens, or the browser session."""

from ninja.security import HttpBearer, django_auth

from qihub.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


#: Writes accept a bearer token or a logged-in session (with CSRF).
write_auth = [TokenAuth(), django_auth]
