"""The sandbox processor's own storage. Like a real processor's vault it maps a token to what
may be shown — but unlike one it never stores the number at all, only the outcome the test
number stands for, so no table anywhere holds a card or account number."""

from django.db import models


class SandboxToken(models.Model):
    merchant = models.CharField(max_length=50)  # the organization's account name
    token = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10)  # card / echeck
    brand = models.CharField(max_length=40)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField(null=True)
    exp_year = models.PositiveSmallIntegerField(null=True)
    outcome = models.CharField(max_length=20)  # what charging it will do
    idempotency_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="sandbox_token_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.brand} ••••{self.last4}"


class SandboxCharge(models.Model):
    merchant = models.CharField(max_length=50)
    idempotency_key = models.CharField(max_length=120)
    reference = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=64)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "idempotency_key"], name="sandbox_charge_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.reference


class SandboxRefund(models.Model):
    merchant = models.CharField(max_length=50)
    idempotency_key = models.CharField(max_length=120)
    reference = models.CharField(max_length=64, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "idempotency_key"], name="sandbox_refund_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.reference
