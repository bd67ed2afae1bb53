"""The REST API under /api/v1/ (URL namespace "api"): every resource of every app.

``base`` holds what every resource shares (authentication, permissions, paging, throttling,
filter backends, ETags, validated and audited writes); ``actors``, ``events`` and ``sources``
hold each app's serializers and viewsets; ``urls`` puts them on one router.
"""
