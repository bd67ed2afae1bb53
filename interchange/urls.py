from django.urls import path

from interchange import views

app_name = "exports"
urlpatterns = [
    path("events.csv", views.EventsCSVView.as_view(), name="events_csv"),
    path("events.geojson", views.EventsGeoJSONView.as_view(), name="events_geojson"),
    # The claims behind the timeline's filtered events.
    path("claims.<str:file_format>", views.ClaimsView.as_view(), name="claims"),
]
