from django.urls import path

from actors import views

app_name = "actors"
urlpatterns = [
    path("<uuid:uuid>/", views.ActorDetailView.as_view(), name="detail"),
]
