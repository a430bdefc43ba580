"""The organization categories named in the seeds (韶山 八大类 and the rest)."""

from django.db import migrations

CATEGORIES = [
    ("village", "村"),
    ("community", "社区"),
    ("government", "机关"),
    ("institution", "事业单位"),
    ("private_enterprise", "非公企业"),
    ("social_org", "社会组织"),
    ("soe", "国有企业"),
    ("health", "医卫"),
    ("school", "学校"),
    ("mobile", "流动党组织"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("orgs", "Category")
    for ordering, (code, name) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(code=code, defaults={"name": name, "ordering": ordering})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
