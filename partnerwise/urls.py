from django.urls import include, path

from partnerwise.api.root import api

urlpatterns = [
    path("api/", api.urls),
    path("", include("partnerwise.web.urls")),
    path("", include("partnerwise.workspaces.urls")),
    path("", include("partnerwise.organisations.urls")),
    path("", include("partnerwise.partnerships.urls")),
    path("", include("partnerwise.assessments.urls")),
    path("", include("partnerwise.appraisals.urls")),
    path("", include("partnerwise.exports.urls")),
]
