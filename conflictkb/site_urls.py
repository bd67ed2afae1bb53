"""Site-wide pages that belong to no single app (search)."""

from django.urls import path

from conflictkb import views

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
]
