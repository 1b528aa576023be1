from qihub.core.roles import Role, has_role


def roles(request):
    user = getattr(request, "user", None)
    return {
        "is_institute_staff": has_role(user, Role.STAFF),
        "is_reviewer": has_role(user, Role.REVIEWER),
        "is_enterprise_user": has_role(user, Role.ENTERPRISE),
    }
