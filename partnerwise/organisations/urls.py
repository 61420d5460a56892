from django.urls import path

from partnerwise.organisations import views

ORGS = "w/<slug:slug>/organisations/"

urlpatterns = [
    path(ORGS, views.organisation_list, name="organisation_list"),
    path(ORGS + "new/", views.organisation_new, name="organisation_new"),
    path(ORGS + "<id:pk>/", views.organisation_detail, name="organisation_detail"),
]
