from django.urls import path

from sources import views

app_name = "sources"
urlpatterns = [
    path("outlets/<uuid:uuid>/", views.OutletDetailView.as_view(), name="outlet"),
    path("documents/<uuid:uuid>/", views.DocumentDetailView.as_view(), name="document"),
]
