from django.urls import path

from partnerwise.opendata import views

urlpatterns = [
    path("site/matches/", views.match_list, name="opendata_matches"),
    path("site/matches/<id:pk>/", views.match_decide, name="opendata_match_decide"),
]
