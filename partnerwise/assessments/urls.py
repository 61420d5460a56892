from django.urls import path

from partnerwise.assessments import about_views, partner_views, views

P = "w/<slug:slug>/partnerships/<id:pk>/"

urlpatterns = [
    path("w/<slug:slug>/sorts-of-partner/", about_views.sorts_of_partner, name="sorts_of_partner"),
    path(P + "assess/<id:org_id>/", views.assess, name="assess"),
    path(P + "profile/<id:org_id>/", views.profile, name="profile"),
    path(
        P + "assessments/<id:assessment_id>/edit/",
        views.assessment_edit,
        name="assessment_edit",
    ),
    path(P + "invitations/", partner_views.invitations, name="rating_invitations"),
    path(
        P + "invitations/resend/", partner_views.invitation_resend, name="rating_invitation_resend"
    ),
    path(P + "invitations/new/", partner_views.invitation_new, name="rating_invitation_new"),
    path(
        P + "invitations/<id:invitation_id>/cancel/",
        partner_views.invitation_cancel,
        name="rating_invitation_cancel",
    ),
    path("rate/<str:token>/", partner_views.rate, name="rate"),
]
