from django.urls import path

from partnerwise.appraisals import views

app_name = "appraisals"

S = "w/<slug:slug>/settings/"
P = "w/<slug:slug>/partnerships/<id:pk>/"

urlpatterns = [
    path(S + "values/", views.principles, name="principles"),
    path(S + "values/suggested/", views.principles_adopt, name="principles_adopt"),
    path(S + "values/<id:pk>/", views.principle_edit, name="principle_edit"),
    path(S + "values/<id:pk>/delete/", views.principle_delete, name="principle_delete"),
    path(S + "playbook/", views.playbook, name="playbook"),
    path(S + "playbook/new/", views.playbook_new, name="playbook_new"),
    path(S + "playbook/<slug:key>/", views.playbook_entry, name="playbook_entry"),
    path(S + "playbook/<slug:key>/reset/", views.playbook_reset, name="playbook_reset"),
    path(P + "appraisal/", views.appraisal, name="appraisal"),
    path(P + "appraisal/decide/", views.decide, name="decide"),
    path(P + "board-paper/", views.board_paper, name="board_paper"),
]
