from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Trigram similarity for misspelt names and accent-insensitive search."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations = [TrigramExtension(), UnaccentExtension()]
