from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("", views.TimelineView.as_view(), name="timeline"),
    path("events/<uuid:uuid>/", views.EventDetailView.as_view(), name="detail"),
    path("places/<uuid:uuid>/", views.PlaceDetailView.as_view(), name="place"),
    path("map/", views.MapView.as_view(), name="map"),
    path("export/events.csv", views.ExportCSVView.as_view(), name="export_csv"),
    path("export/events.geojson", views.ExportGeoJSONView.as_view(), name="export_geojson"),
]
