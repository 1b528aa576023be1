"""Which Django admin permissions each platform role's group carries.

The README promises that institute staff run the catalogue, projects and
registries in the admin: they view, add and change the models of the domain
apps (never delete: published records are withdrawn or replaced, and the admin
classes keep their own stricter ``has_*_permission`` rules on top). Reviewers
read the catalogue and the standard-development records they vote and review
on. Administrators may also delete.

The grants are computed from the apps' models, not listed by hand, so an app
added later is covered: a data migration grants them once and a
``post_migrate`` handler grants them again after every ``migrate`` (missing
permissions are added, permissions given by hand are kept).
"""

from __future__ import annotations

DOMAIN_APPS = (
    "vocab",
    "organisations",
    "catalog",
    "requirements",
    "lifecycle",
    "declarations",
    "metrology",
    "international",
    "programmes",
    "alerts",
    "conformity",
)

ROLE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "staff": dict.fromkeys(DOMAIN_APPS, ("view", "add", "change")),
    "reviewer": dict.fromkeys(("catalog", "lifecycle", "vocab"), ("view",)),
    "administrator": dict.fromkeys(DOMAIN_APPS, ("view", "add", "change", "delete")),
}


def grant_role_permissions(*, apps=None, using: str = "default") -> int:
    """Add each role group's permissions; return how many grants were added.

    ``apps`` is the historical app registry in a migration, the live one else.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    added = 0
    for role, by_app in ROLE_GRANTS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        have = set(group.permissions.values_list("pk", flat=True))
        new = []
        for app_label, actions in by_app.items():
            perms = Permission.objects.using(using).filter(
                content_type__app_label=app_label
            )
            for perm in perms:
                action = perm.codename.split("_", 1)[0]
                if action in actions and perm.pk not in have:
                    new.append(perm)
        if new:
            group.permissions.add(*new)
            added += len(new)
    return added


def on_post_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """After ``migrate``: keep the role groups' grants right for every app."""
    # Runs once, after the last app (post_migrate fires once per app and the
    # permissions of every app exist only after auth's own handler ran for it).
    from django.apps import apps as live_apps

    configs = list(live_apps.get_app_configs())
    if app_config is None or app_config.label != configs[-1].label:
        return
    grant_role_permissions(using=using)
