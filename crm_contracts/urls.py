from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views
from contracts import buying_role_urls
from contracts import urls as contracts_urls
from core.api import SchemaPermission, api_docs_view
from crm_contracts import views

api_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("relationships.api.urls")),
    path("", include("contracts.api.urls")),
    path("", include("finance.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("integrations.api.urls")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[SchemaPermission]), name="schema"),
    # The split view serves its start-up script as a file, so the strict CSP holds.
    path(
        "docs/",
        api_docs_view(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[SchemaPermission])
        ),
        name="docs",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("customers/", include("relationships.urls")),
    # One namespace for contracts' pages, some of which (buying roles) sit under /customers/.
    path(
        "",
        include(
            (
                [
                    path("deals/", include(contracts_urls.urlpatterns)),
                    path("customers/", include(buying_role_urls.urlpatterns)),
                ],
                contracts_urls.app_name,
            )
        ),
    ),
    path("sign/", include("contracts.signing.urls")),
    path("finance/", include("finance.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/", include((api_patterns, "api"))),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# Under /api/ these answer JSON in the API's error shape; elsewhere Django's pages.
handler400 = "crm_contracts.views.bad_request"
handler403 = "crm_contracts.views.permission_denied"
handler404 = "crm_contracts.views.page_not_found"
handler500 = "crm_contracts.views.server_error"
