from django.urls import path

from partnerwise.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
