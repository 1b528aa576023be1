from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "qihub.pool"
    label = "pool"
    verbose_name = _("Expert pool and held standard texts")
