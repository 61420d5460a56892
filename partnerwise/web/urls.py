from django.urls import path

from partnerwise.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("w/<slug:slug>/", views.workspace_home, name="workspace_home"),
    path("w/<slug:slug>/network/", views.who_works_with_whom, name="network"),
]
