"""The REST API root: every domain's router, one error format."""

import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from qihub import __version__
from qihub.core.api_errors import declare_errors
from qihub.core.error_pages import (
    busy_response,
    is_database_locked,
    out_of_range_response,
    too_big_response,
)
from qihub.core.errors import ApplicationError

logger = logging.getLogger("qihub.api")


class QihubAPI(NinjaAPI):
    """The API whose schema declares every operation's error answers."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        return declare_errors(schema)


api = QihubAPI(
    title="qihub API",
    version=__version__,
    description=(
        "Standards catalogue, lifecycle, machine-readable requirements, "
        "self-declarations and metrology. Reads are public; writes need a "
        "bearer token (`Authorization: Bearer <token>`, from your account page)."
    ),
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def _application_error(request, exc: ApplicationError):
    body = {"detail": str(exc.message)}
    if exc.details:
        body["errors"] = exc.details
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return api.create_response(
        request, {"detail": "Invalid input.", "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    response = api.create_response(
        request,
        {"detail": "Authentication required: send a valid bearer token."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="qihub"'
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "Not found."}, status=404
    )


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "Not found."}, status=404
    )


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request, exc):
    return api.create_response(
        request, {"detail": str(exc) or "You may not do this."}, status=403
    )


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return too_big_response(request)


@api.exception_handler(OverflowError)
def _out_of_range(request, exc):
    return out_of_range_response(request)


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Any other error: logged with its traceback, answered as JSON (never
    a debug page). SQLite busy beyond its timeout: 503 with Retry-After."""
    if is_database_locked(exc):
        logger.warning(
            "database busy on %s %s: answered 503", request.method, request.path
        )
        return busy_response(request)
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request, {"detail": "Server error; it has been logged."}, status=500
    )


def _add_routers() -> None:
    from qihub.alerts.api import router as alerts_router
    from qihub.catalog.api import router as catalog_router
    from qihub.conformity.api import router as conformity_router
    from qihub.declarations.api import router as declarations_router
    from qihub.international.api import router as international_router
    from qihub.lifecycle.api import router as lifecycle_router
    from qihub.metrology.api import router as metrology_router
    from qihub.organisations.api import networks_router, organisations_router
    from qihub.pool.api import router as pool_router
    from qihub.programmes.api import indicators_router
    from qihub.programmes.api import router as programmes_router
    from qihub.requirements.api import router as requirements_router
    from qihub.sharing.api import router as sharing_router
    from qihub.vocab.api import router as vocab_router

    api.add_router("/vocab/", vocab_router, tags=["vocabularies"])
    api.add_router("/catalog/", catalog_router, tags=["catalogue"])
    api.add_router("/requirements/", requirements_router, tags=["requirements"])
    api.add_router("/lifecycle/", lifecycle_router, tags=["lifecycle"])
    api.add_router("/declarations/", declarations_router, tags=["declarations"])
    api.add_router("/metrology/", metrology_router, tags=["metrology"])
    api.add_router("/international/", international_router, tags=["international"])
    api.add_router("/organisations/", organisations_router, tags=["organisations"])
    api.add_router("/networks/", networks_router, tags=["organisations"])
    api.add_router("/programmes/", programmes_router, tags=["programmes"])
    api.add_router("/indicators/", indicators_router, tags=["programmes"])
    api.add_router("/alerts/", alerts_router, tags=["alerts"])
    api.add_router("/conformity/", conformity_router, tags=["conformity"])
    api.add_router("/network/", sharing_router, tags=["sharing"])
    api.add_router("/pool/", pool_router, tags=["pool"])


_add_routers()
