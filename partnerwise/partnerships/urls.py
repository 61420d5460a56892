from django.urls import path

from partnerwise.partnerships import import_views, views

P = "w/<slug:slug>/partnerships/"

urlpatterns = [
    path(P, views.partnership_list, name="partnership_list"),
    path(P + "new/", views.partnership_new, name="partnership_new"),
    path(P + "import/", import_views.import_upload, name="partnership_import"),
    path(P + "import/review/", import_views.import_review, name="partnership_import_review"),
    path(P + "<id:pk>/edit/", views.partnership_edit, name="partnership_edit"),
    path(P + "<id:pk>/participants/new/", views.participant_new, name="participant_new"),
    path(
        P + "<id:pk>/participants/<id:participation_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
]
