"""Site-wide pages that belong to no single app (search)."""

from django.urls import path

urlpatterns: list = []
