import os

from django.core.wsgi import get_wsgi_application

from partnerwise.hosting.startup import refuse_unless_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerwise.settings")
# However the server was started, production refuses to serve pages it would answer with 500.
refuse_unless_ready()
application = get_wsgi_application()
