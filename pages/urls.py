"""Site-wide pages that compose several apps: search, and an actor's page (its events and
the claims it made or is named in)."""

from django.urls import path

from pages import actors, views

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
]

# Under /actors/, in the URL namespace "actors".
actor_urlpatterns = [
    path("<uuid:uuid>/", actors.ActorDetailView.as_view(), name="detail"),
]
