from django.urls import path

from partnerwise.assessments import partner_views, views

P = "w/<slug:slug>/partnerships/<int:pk>/"

urlpatterns = [
    path(P + "assess/<int:org_id>/", views.assess, name="assess"),
    path(P + "profile/<int:org_id>/", views.profile, name="profile"),
    path(
        P + "assessments/<int:assessment_id>/edit/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(P + "invitations/", partner_views.invitations, name="rating_invitations"),
    path(
        P + "invitations/resend/", partner_views.invitation_resend, name="rating_invitation_resend"
    ),
    path(P + "invitations/new/", partner_views.invitation_new, name="rating_invitation_new"),
    path(
        P + "invitations/<int:invitation_id>/cancel/",
        partner_views.invitation_cancel,
        name="rating_invitation_cancel",
    ),
    path("rate/<str:token>/", partner_views.rate, name="rate"),
]
