from django.urls import include, path

urlpatterns = [
    path("", include("partnerwise.web.urls")),
    path("", include("partnerwise.workspaces.urls")),
    path("", include("partnerwise.organisations.urls")),
    path("", include("partnerwise.partnerships.urls")),
    path("", include("partnerwise.assessments.urls")),
]
