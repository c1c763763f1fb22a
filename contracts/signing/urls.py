"""The public signing links: no login, nothing but the one signer's document."""

from django.urls import path

from contracts.signing import views as esign_views

app_name = "signing"

urlpatterns = [
    path("<str:token>/", esign_views.sign_page, name="page"),
    path("<str:token>/document.pdf", esign_views.sign_document, name="document"),
    path("<str:token>/signed.pdf", esign_views.signed_document, name="signed_pdf"),
]
