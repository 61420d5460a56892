from django.urls import include, path, register_converter

from partnerwise.hosting.converters import IdConverter

# Registered before the apps' URL modules are read: they use <id:...> for database ids.
register_converter(IdConverter, "id")

from partnerwise.api.root import api  # noqa: E402

urlpatterns = [
    path("api/", api.urls),
    path("", include("partnerwise.api.urls")),
    path("", include("partnerwise.web.urls")),
    path("", include("partnerwise.workspaces.urls")),
    path("", include("partnerwise.organisations.urls")),
    path("", include("partnerwise.partnerships.urls")),
    path("", include("partnerwise.assessments.urls")),
    path("", include("partnerwise.appraisals.urls")),
]
