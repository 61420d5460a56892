from django.urls import path

from partnerwise.organisations import views

O = "w/<slug:slug>/organisations/"

urlpatterns = [
    path(O, views.organisation_list, name="organisation_list"),
    path(O + "new/", views.organisation_new, name="organisation_new"),
    path(O + "<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
