from django.urls import include, path

from partnerwise.web.api import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("partnerwise.api.urls")),
    path("", include("partnerwise.web.urls")),
    path("", include("partnerwise.workspaces.urls")),
    path("", include("partnerwise.partnerships.urls")),
    path("", include("partnerwise.assessments.urls")),
    path("", include("partnerwise.appraisals.urls")),
    path("", include("partnerwise.exports.urls")),
    path("", include("partnerwise.opendata.urls")),
]
