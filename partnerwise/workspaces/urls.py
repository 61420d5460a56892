from django.contrib.auth import views as auth_views
from django.urls import path

from partnerwise.workspaces import account_views, reset, views

urlpatterns = [
    path("accounts/login/", views.login, name="login"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/signup/sent/", account_views.signup_sent, name="signup_sent"),
    path(
        "accounts/confirm/<uidb64>/<token>/",
        account_views.confirm_email,
        name="confirm_email",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/reset/",
        reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("w/<slug:slug>/members/", views.members, name="members"),
    path(
        "w/<slug:slug>/members/invitations/<id:invitation_id>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path(
        "w/<slug:slug>/members/invitations/<id:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "w/<slug:slug>/members/<id:membership_id>/",
        views.member_role,
        name="member_role",
    ),
    path("invite/<str:token>/", views.invitation, name="invitation"),
]
