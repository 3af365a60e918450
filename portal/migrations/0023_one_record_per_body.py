"""One record per body: laboratories, centres, institutes and companies are organisations.

Seven bodies were also initiatives. The initiatives go; their addresses answer 301 with the
organisation's (portal.models.Redirect), and articles and milestones that named an initiative
name the organisation instead. On a new database there is nothing to delete yet: only the
redirects are written, and the fixtures no longer carry the initiatives.
"""

from django.db import migrations

# initiative slug -> organisation slug
MERGED = {
    "cair": "cair",
    "cpii": "cpii",
    "hkclr": "hkclr",
    "hkgai": "hkgai",
    "aidlab": "aidlab",
    "von-neumann-institute": "von-neumann-institute",
    "ai-rd-institute": "ai-rd-institute-company",
}
NOTE = "Merged: a body is an organisation, not also an initiative (one record per body)."


def merge(apps, schema_editor):
    Initiative = apps.get_model("portal", "Initiative")
    Organisation = apps.get_model("portal", "Organisation")
    Redirect = apps.get_model("portal", "Redirect")
    for initiative_slug, organisation_slug in MERGED.items():
        Redirect.objects.update_or_create(
            old_path=f"/initiatives/{initiative_slug}/",
            defaults={"new_path": f"/organisations/{organisation_slug}/", "note": NOTE},
        )
        initiative = Initiative.objects.filter(slug=initiative_slug).first()
        if initiative is None:
            continue
        organisation = Organisation.objects.filter(slug=organisation_slug).first()
        if organisation is not None:
            for article in initiative.articles.all():
                article.organisations.add(organisation)
            for milestone in initiative.milestones.all():
                milestone.organisations.add(organisation)
        initiative.delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0022_redirects")]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
