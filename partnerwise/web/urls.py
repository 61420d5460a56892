from django.urls import path

from partnerwise.web import (
    organisation_records,
    organisations,
    partnerships,
    views,
    workspace_settings,
)

ORGS = "w/<slug:slug>/organisations/"

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.workspace_home, name="workspace_home"),
    path("w/<slug:slug>/network/", views.who_works_with_whom, name="network"),
    path(
        "w/<slug:slug>/settings/",
        workspace_settings.workspace_settings,
        name="workspace_settings",
    ),
    path(ORGS, organisations.organisation_list, name="organisation_list"),
    path(ORGS + "new/", organisations.organisation_new, name="organisation_new"),
    path(ORGS + "<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path(
        ORGS + "<int:pk>/grants/",
        organisation_records.organisation_grants,
        name="organisation_grants",
    ),
    path(
        ORGS + "<int:pk>/contracts/",
        organisation_records.organisation_contracts,
        name="organisation_contracts",
    ),
    path(
        "w/<slug:slug>/partnerships/<int:pk>/",
        partnerships.partnership_detail,
        name="partnership_detail",
    ),
]
