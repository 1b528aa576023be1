from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "qihub.requirements"
    label = "requirements"
    verbose_name = _("Machine-readable standards")
