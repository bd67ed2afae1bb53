import pytest

from sources.models import Claim

pytestmark = pytest.mark.django_db


def test_every_demo_claim_links_to_a_page_that_shows_its_quote(idlib, superuser, client):
    client.force_login(superuser)
    for claim in Claim.objects.select_related(
        "event", "actor", "location", "actor_relation__subject"
    ):
        url = claim.get_absolute_url()
        assert url.endswith(f"#claim-{claim.uuid}")
        page = client.get(url.split("#")[0])
        assert page.status_code == 200, url
        assert claim.quote[:60] in page.content.decode().replace("&#x27;", "'"), url
