from rest_framework import serializers

from accounts.models import Department, User


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "kind"]


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    roles = serializers.SerializerMethodField()
    department = DepartmentSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "title", "department", "roles"]

    def get_roles(self, obj: User) -> list[str]:
        return sorted(r.value for r in obj.roles)
