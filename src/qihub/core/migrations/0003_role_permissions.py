"""Give the role groups the admin permissions the README promises.

Permissions are normally created after ``migrate`` by auth's post_migrate
handler, so they are created here first for the apps already migrated; apps
migrated later are granted by ``qihub.core.role_permissions.on_post_migrate``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    from qihub.core.role_permissions import grant_role_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    grant_role_permissions(apps=apps, using=schema_editor.connection.alias)


def revoke(apps, schema_editor):
    from qihub.core.role_permissions import ROLE_GRANTS

    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLE_GRANTS):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
