from django.urls import path

from partnerwise.exports import views

urlpatterns = [
    path("w/<slug:slug>/exports/", views.export_list, name="exports"),
    path("w/<slug:slug>/exports/<slug:table>.<slug:fmt>", views.export_file, name="export_file"),
]
