from django.urls import include, path

urlpatterns = [
    path("", include("partnerwise.web.urls")),
]
