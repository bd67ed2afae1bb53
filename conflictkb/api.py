"""The REST API: one router under /api/v1/ (app_name "api")."""

from rest_framework.routers import DefaultRouter

app_name = "api"
router = DefaultRouter()
urlpatterns = router.urls
