"""The REST API root: every domain's router, one error format."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from qihub import __version__
from qihub.core.errors import ApplicationError

api = NinjaAPI(
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
    return api.create_response(
        request,
        {"detail": "Authentication required: send a valid bearer token."},
        status=401,
    )


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


def _add_routers() -> None:
    from qihub.catalog.api import router as catalog_router
    from qihub.conformity.api import router as conformity_router
    from qihub.declarations.api import router as declarations_router
    from qihub.lifecycle.api import router as lifecycle_router
    from qihub.metrology.api import router as metrology_router
    from qihub.organisations.api import networks_router, organisations_router
    from qihub.requirements.api import router as requirements_router
    from qihub.vocab.api import router as vocab_router

    api.add_router("/vocab/", vocab_router, tags=["vocabularies"])
    api.add_router("/catalog/", catalog_router, tags=["catalogue"])
    api.add_router("/requirements/", requirements_router, tags=["requirements"])
    api.add_router("/lifecycle/", lifecycle_router, tags=["lifecycle"])
    api.add_router("/declarations/", declarations_router, tags=["declarations"])
    api.add_router("/metrology/", metrology_router, tags=["metrology"])
    api.add_router("/organisations/", organisations_router, tags=["organisations"])
    api.add_router("/networks/", networks_router, tags=["organisations"])
    api.add_router("/conformity/", conformity_router, tags=["conformity"])


_add_routers()
