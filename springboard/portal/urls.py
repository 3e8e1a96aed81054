from django.urls import path

from springboard.portal.views import (
    accounts,
    attendance,
    booking,
    calendar,
    cancellations,
    cart,
    checkout,
    drops,
    giftcards,
    home,
    language,
    live,
    my_account,
    parties,
    passwords,
    payments,
    policies,
    shop,
    transfers,
    waitingroom,
)

app_name = "portal"

# Every pattern sits under /<account>/ (config/urls.py); OrganizationMiddleware consumes it.
urlpatterns = [
    path("", home.splash, name="splash"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path("news/", home.news_list, name="news"),
    path("news/<int:news_id>/", home.news_detail, name="news_detail"),
    path("staff/", home.staff_page, name="staff_page"),
    path("location/", home.choose_location, name="choose_location"),
    path("language/", language.set_language, name="set_language"),
]

# BOOKING (issue 4): the catalogue families browse.
urlpatterns += [
    path("booking/", booking.booking, name="booking"),
    path("booking/classes/", booking.classes, name="classes"),
    path("booking/classes/<int:course_id>/", booking.course_detail, name="course_detail"),
    path("booking/find-the-right-class/", booking.find_right_class, name="find_right_class"),
    path("booking/events/", booking.events, name="events"),
    path("booking/events/<int:event_id>/", booking.event_detail, name="event_detail"),
    path("booking/parties/", parties.parties, name="parties"),
    path("booking/parties/<int:package_id>/", parties.party_package, name="party_package"),
]

# CART (issue 5): holds, the cart page, the waitlist.
urlpatterns += [
    path("cart/", cart.cart, name="cart"),
    path("cart/add/class/", cart.add_course, name="cart_add_course"),
    path("cart/add/event/", cart.add_event, name="cart_add_event"),
    path("cart/remove/", cart.remove, name="cart_remove"),
    path("cart/add/again/", cart.add_again, name="cart_add_again"),
    path("booking/parties/slots/<int:slot_id>/", cart.party_slot, name="party_slot"),
    path("waitlist/join/", cart.join_waitlist, name="waitlist_join"),
    path("waitlist/leave/", cart.leave_waitlist, name="waitlist_leave"),
    path("waitlist/offers/<str:token>/", cart.claim_offer, name="claim_offer"),
    path("waiting-room/", waitingroom.waiting_room, name="waiting_room"),
]

# Family accounts (issue 3).
urlpatterns += [
    path("login/", accounts.login_view, name="login"),
    path("logout/", accounts.logout_view, name="logout"),
    path("register/", accounts.register, name="register"),
    path("register/confirm/", accounts.confirm_email_view, name="confirm_email"),
    path("register/confirm/resend/", accounts.resend_code, name="resend_code"),
    path("register/student/", accounts.signup_student, name="signup_student"),
    path("create-family/", accounts.create_family_here_view, name="create_family_here"),
    path("switch/", accounts.switch_organizations, name="switch_organizations"),
    path("password/forgot/", passwords.forgot_password, name="forgot_password"),
    path("password/reset/", passwords.reset_password_view, name="reset_password"),
    path("policies/", policies.policies, name="policies"),
    path("policies/family/", policies.family_policies, name="family_policies"),
    path("policies/student/", policies.student_policies, name="student_policies"),
    path("policies/<int:policy_id>/", policies.policy_detail, name="policy_detail"),
    path("account/", my_account.account, name="account"),
    path("account/contact/", my_account.edit_contact, name="edit_contact"),
    path("account/email/", my_account.change_email, name="change_email"),
    path("account/email/confirm/", my_account.confirm_new_email, name="confirm_new_email"),
    path("account/password/", my_account.password_change, name="change_password"),
    path("account/students/add/", my_account.student_add, name="student_add"),
    path("account/students/<int:student_id>/", my_account.student_edit, name="student_edit"),
    path("account/guardians/add/", my_account.guardian_add, name="guardian_add"),
    path("account/guardians/<int:guardian_id>/", my_account.guardian_edit, name="guardian_edit"),
    path(
        "account/emergency-contacts/add/",
        my_account.emergency_contact_add,
        name="emergency_contact_add",
    ),
    path(
        "account/emergency-contacts/<int:contact_id>/",
        my_account.emergency_contact_edit,
        name="emergency_contact_edit",
    ),
    path("account/join/", my_account.join_family, name="join_family"),
    path("account/enrollments/<int:enrollment_id>/drop/", drops.drop, name="enrollment_drop"),
    path(
        "account/enrollments/<int:enrollment_id>/transfer/",
        transfers.choose,
        name="enrollment_transfer",
    ),
    path("account/transfers/<int:change_id>/", transfers.confirm, name="transfer_confirm"),
    path(
        "account/camps/<int:registration_id>/cancel/",
        cancellations.cancel_camp,
        name="camp_cancel",
    ),
    path(
        "account/parties/<int:booking_id>/cancel/", cancellations.cancel_party, name="party_cancel"
    ),
    # Absences and makeups (issue 14, item 4: docs/booking.md).
    path(
        "account/enrollments/<int:enrollment_id>/absences/",
        attendance.enrollment_absences,
        name="enrollment_absences",
    ),
    path("account/makeups/", attendance.makeups, name="makeups"),
    path("live/", live.live, name="live"),
]

# The private calendar feed (issue 16): fetched by calendar apps with the token alone.
urlpatterns += [
    path("calendar/<str:token>.ics", calendar.feed, name="calendar_feed"),
    path("account/calendar/", calendar.create, name="calendar_create"),
    path("account/calendar/reset/", calendar.reset, name="calendar_reset"),
]

# Checkout (issue 6).
urlpatterns += [
    path("cart/checkout/", checkout.checkout, name="checkout"),
    path("cart/checkout/start/", checkout.start, name="checkout_start"),
    path("cart/checkout/cancel/", checkout.cancel, name="checkout_cancel"),
    path("cart/checkout/promo-code/", checkout.promo_code, name="checkout_promo_code"),
    path("orders/<int:order_id>/", checkout.order_detail, name="order_detail"),
]

# eGift Cards (issue 12): buying (logged in or as a visitor), the balance, spending.
urlpatterns += [
    path("egift-cards/", giftcards.egift_cards, name="egift_cards"),
    path("egift-cards/balance/", giftcards.balance, name="gift_card_balance"),
    path("egift-cards/to-credit/", giftcards.move_to_credit, name="gift_card_to_credit"),
    path("cart/checkout/gift-card/", giftcards.checkout_apply, name="checkout_gift_card"),
    path(
        "cart/checkout/gift-card/remove/",
        giftcards.checkout_remove,
        name="checkout_gift_card_remove",
    ),
]

# The family's money (issue 7): payment methods, payments, credit, history, statements.
urlpatterns += [
    path("account/payment-methods/", payments.payment_methods_page, name="payment_methods"),
    path(
        "account/payment-methods/<int:method_id>/",
        payments.payment_method,
        name="payment_method",
    ),
    path("account/payments/", payments.payments, name="payments"),
    path("account/payments/pay/", payments.pay, name="pay"),
    path("account/payments/apply-credit/", payments.apply_credit, name="apply_credit"),
    path("account/history/", payments.history_page, name="history"),
    path("account/statement/", payments.statement_page, name="statement"),
]

# PROSHOP (issue 12): the grid by category, a product, adding units to the cart.
urlpatterns += [
    path("proshop/", shop.proshop, name="proshop"),
    path("proshop/<int:product_id>/", shop.product_detail, name="product_detail"),
    path("cart/add/product/", shop.add_to_cart, name="cart_add_product"),
]
