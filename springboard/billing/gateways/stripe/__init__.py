"""The Stripe adapter (docs/billing.md, "Stripe"): each organization connects its own Stripe
account; card numbers are typed into Stripe.js's fields and never reach Springboard."""
