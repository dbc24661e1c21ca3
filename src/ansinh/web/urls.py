from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ansinh.web import campaign_views, consult_views, field_views, registry_views, views

app_name = "web"
urlpatterns = [
    path("", views.quote_page, name="quote"),
    path("tu-van/", consult_views.consultation, name="consultation"),
    path("tu-van/ghi-nhan/", consult_views.record_lead, name="record_lead"),
    path("chien-dich/", campaign_views.campaign_list, name="campaigns"),
    path("chien-dich/<slug:slug>/", campaign_views.workspace, name="campaign"),
    path("chien-dich/<slug:slug>/ra-quan/", campaign_views.board, name="campaign_board"),
    path("chien-dich/<slug:slug>/ra-quan/so-lieu/", campaign_views.board_data, name="campaign_board_data"),
    path("chien-dich/<slug:slug>/ghi-buoi/", campaign_views.log_session, name="campaign_session"),
    path("chien-dich/<slug:slug>/thong-cao/", campaign_views.bulletin_page, name="campaign_bulletin"),
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
    path("nguoi/<int:person_id>/bhxh-tu-nguyen/", field_views.vsi_enroll, name="vsi_enroll"),
    path("ho/<int:household_id>/bhyt/", field_views.hi_enroll, name="hi_enroll"),
    path("thu-tien/<int:enrollment_id>/", field_views.pay, name="pay"),
    path("bien-lai/<int:receipt_id>/", field_views.receipt, name="receipt"),
    path("bien-lai/<int:receipt_id>/pdf/", field_views.receipt_pdf, name="receipt_pdf"),
    path("bien-lai/<int:receipt_id>/huy/", field_views.reverse, name="reverse"),
    path("viec-can-lam/", field_views.due, name="due"),
    path("thu-tien/", field_views.money_overview, name="money"),
    path("thu-tien/nop-tien/", field_views.remittance_new, name="remittance_new"),
    path("thu-tien/danh-sach/<int:collector_id>/<str:kind>/", field_views.list_export, name="list_export"),
]
