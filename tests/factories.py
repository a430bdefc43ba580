"""factory_boy factories. Organizations go through the tree's own services so paths stay right."""

import importlib

import factory
from django.contrib.auth import get_user_model

from orgs.models import Assignment, Category, Level, Organization
from orgs.tree_bulk import bulk_add

SEEDED_CATEGORIES = {
    **dict(importlib.import_module("orgs.migrations.0002_seed_categories").CATEGORIES),
    "street": "街道",
}


def category(code="village"):
    """The seeded category; re-seeded after a transactional test flushed the table."""
    return Category.objects.get_or_create(code=code, defaults={"name": SEEDED_CATEGORIES[code]})[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    """`OrganizationFactory(parent=some_org)` adds a child; without parent, a root."""

    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试党支部{n}")
    level = Level.BRANCH
    category = factory.LazyFunction(category)
    secretary_name = "张三"
    secretary_phone = "13800000000"
    member_count = 12

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        org = model_class(**kwargs)
        if parent is None:
            return model_class.objects.add_root(instance=org)
        parent.refresh_from_db()
        return model_class.objects.add_child(parent, instance=org)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "viewer"


def add_many_branches(parent, count, *, prefix="B", category_code="village"):
    """`count` branches under `parent` in a few queries (for query-count tests at size)."""
    cat = category(category_code)
    items = [
        (
            Organization(
                code=f"{prefix}{i:05d}",
                name=f"{parent.name}第{i}党支部",
                level=Level.BRANCH,
                category=cat,
                member_count=10 + i % 30,
                secretary_name="李四",
            ),
            parent,
        )
        for i in range(count)
    ]
    created = bulk_add(items)
    parent.refresh_from_db()
    return created
