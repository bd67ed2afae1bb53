from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("", views.TimelineView.as_view(), name="timeline"),
    path("events/<uuid:uuid>/", views.EventDetailView.as_view(), name="detail"),
    path("places/<uuid:uuid>/", views.PlaceDetailView.as_view(), name="place"),
    path("map/", views.MapView.as_view(), name="map"),
]
