from django.urls import path

from partnerwise.assessments import views

P = "w/<slug:slug>/partnerships/<id:pk>/"

urlpatterns = [
    path(P + "assess/<id:org_id>/", views.assess, name="assess"),
    path(P + "profile/<id:org_id>/", views.profile, name="profile"),
    path(
        P + "assessments/<id:assessment_id>/edit/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(P + "invitations/new/", views.invitation_new, name="rating_invitation_new"),
    path(
        P + "invitations/<id:invitation_id>/cancel/",
        views.invitation_cancel,
        name="rating_invitation_cancel",
    ),
    path("rate/<str:token>/", views.rate, name="rate"),
]
