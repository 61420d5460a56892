from django.urls import path

from partnerwise.web import (
    linking,
    organisation_records,
    organisations,
    partnerships,
    removing,
    starting,
    views,
    workspace_settings,
)

ORGS = "w/<slug:slug>/organisations/"

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", starting.workspace_new, name="workspace_new"),
    path("w/<slug:slug>/", views.workspace_home, name="workspace_home"),
    path("w/<slug:slug>/network/", views.who_works_with_whom, name="network"),
    path(
        "w/<slug:slug>/settings/",
        workspace_settings.workspace_settings,
        name="workspace_settings",
    ),
    path(
        "w/<slug:slug>/settings/typology/",
        workspace_settings.workspace_typology,
        name="workspace_typology",
    ),
    path(ORGS, organisations.organisation_list, name="organisation_list"),
    path(ORGS + "new/", organisations.organisation_new, name="organisation_new"),
    path(ORGS + "<id:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path(ORGS + "<id:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path(ORGS + "<id:pk>/link/", linking.organisation_link, name="organisation_link"),
    path(
        "w/<slug:slug>/delete/<slug:kind>/<id:pk>/",
        removing.remove,
        name="record_remove",
    ),
    path(
        ORGS + "<id:pk>/grants/",
        organisation_records.organisation_grants,
        name="organisation_grants",
    ),
    path(
        ORGS + "<id:pk>/contracts/",
        organisation_records.organisation_contracts,
        name="organisation_contracts",
    ),
    path(
        "w/<slug:slug>/partnerships/<id:pk>/",
        partnerships.partnership_detail,
        name="partnership_detail",
    ),
]
