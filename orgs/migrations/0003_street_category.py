"""街道: the category of a 街道党工委, which seed 002's funding rules name
(街道党建工作经费不低于8万元). Categories are a table the county extends."""

from django.db import migrations


def seed(apps, schema_editor):
    Category = apps.get_model("orgs", "Category")
    last = Category.objects.order_by("-ordering").values_list("ordering", flat=True).first() or 0
    Category.objects.get_or_create(code="street", defaults={"name": "街道", "ordering": last + 1})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_seed_categories")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
