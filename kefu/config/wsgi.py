import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.config.settings")
application = get_wsgi_application()

from kefu.config.warmup import warm_up  # noqa: E402

warm_up()
