from django.urls import path

from partnerwise.api import views

urlpatterns = [
    path("account/tokens/", views.tokens, name="api_tokens"),
    path("account/tokens/<id:pk>/revoke/", views.revoke, name="api_token_revoke"),
]
