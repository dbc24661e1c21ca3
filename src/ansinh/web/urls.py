from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ansinh.web import registry_views, views

app_name = "web"
urlpatterns = [
    path("", views.quote_page, name="quote"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("web:password_change_done")),
         name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("tim-kiem/", registry_views.search, name="search"),
    path("ho/moi/", registry_views.household_new, name="household_new"),
    path("ho/<int:household_id>/", registry_views.household, name="household"),
    path("ho/<int:household_id>/sua/", registry_views.household_edit, name="household_edit"),
    path("ho/<int:household_id>/them-thanh-vien/", registry_views.member_add, name="member_add"),
    path("ho/<int:household_id>/thanh-vien/<int:membership_id>/roi-ho/", registry_views.member_end,
         name="member_end"),
    path("ho/<int:household_id>/tinh-trang-ngheo/", registry_views.poverty_set, name="poverty_set"),
    path("nguoi/<int:person_id>/", registry_views.person, name="person"),
    path("nguoi/<int:person_id>/sua/", registry_views.person_edit, name="person_edit"),
]
