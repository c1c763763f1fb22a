import factory
from django.contrib.auth.models import Group

from accounts.models import Department, User
from accounts.roles import Role


class DepartmentFactory(factory.django.DjangoModelFactory):
    """Pass parent=<Department> for a child; without it a root is created."""

    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"dept-{n}")
    kind = Department.Kind.TEAM

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):  # noqa: ANN001, ANN206
        if parent is None:
            return Department.objects.add_root(kwargs)
        return Department.objects.add_child(parent, kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted.value))
            if extracted == Role.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])
