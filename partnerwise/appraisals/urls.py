from django.urls import path

from partnerwise.appraisals import (
    attention_views,
    playbook_views,
    principle_views,
    term_views,
    views,
)

app_name = "appraisals"

S = "w/<slug:slug>/settings/"
P = "w/<slug:slug>/partnerships/<id:pk>/"

urlpatterns = [
    path(S + "values/", principle_views.principles, name="principles"),
    path(S + "values/suggested/", principle_views.principles_adopt, name="principles_adopt"),
    path(S + "values/<id:pk>/", principle_views.principle_edit, name="principle_edit"),
    path(S + "values/<id:pk>/delete/", principle_views.principle_delete, name="principle_delete"),
    path(S + "attention/", attention_views.attention_settings, name="attention_settings"),
    path(
        "w/<slug:slug>/reminders/",
        attention_views.reminder_preferences,
        name="reminder_preferences",
    ),
    path(S + "playbook/", playbook_views.playbook, name="playbook"),
    path(S + "playbook/new/", playbook_views.playbook_new, name="playbook_new"),
    path(S + "playbook/<slug:key>/", playbook_views.playbook_entry, name="playbook_entry"),
    path(S + "playbook/<slug:key>/reset/", playbook_views.playbook_reset, name="playbook_reset"),
    path(P + "appraisal/", views.appraisal, name="appraisal"),
    path(P + "appraisal/decide/", views.decide, name="decide"),
    path(P + "board-paper/", views.board_paper, name="board_paper"),
    path(P + "board-summary.pdf", views.board_summary, name="board_summary"),
    path(P + "terms/<slug:key>/", term_views.term, name="term"),
]
