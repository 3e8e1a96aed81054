/*
 * Stripe's card fields (docs/billing.md, "Stripe"): the card number is typed into Stripe.js's
 * Card Element and goes to Stripe, never to our views (PCI SAQ-A).
 *
 * A page puts in its payment form (portal/payments/_gateway_fields.html):
 *   <div data-stripe-gateway data-stripe-js=… data-publishable-key=pk_… data-setup-secret=…
 *        data-token-input="payment_token"> … <div data-stripe-card></div> … </div>
 * This script loads Stripe.js from data-stripe-js, mounts the Card Element, and on submit
 * confirms the page's SetupIntent with it (Stripe.js runs 3-D Secure there when the card's
 * bank asks for it). Only the resulting PaymentMethod id goes into the hidden token input,
 * and then our form is submitted. No inline script or style (strict CSP).
 *
 * When the card's bank asks to authenticate the payment itself (3-D Secure), our server
 * answers with a page holding <div data-stripe-next-action data-client-secret=pi_…_secret_…>
 * inside a form that repeats what the family sent (portal/payments/bank_check.html). This
 * script then lets Stripe.js run the bank's check (handleNextAction; localstripe's stand-in
 * has only confirmCardPayment, which does the same for an intent awaiting its action) and
 * submits that form again, whatever the answer: our server asks Stripe how the payment
 * stands and records that, once.
 */
(function () {
  "use strict";

  var loading = null;

  function loadStripe(url) {
    if (window.Stripe) return Promise.resolve(window.Stripe);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = function () { window.Stripe ? resolve(window.Stripe) : reject(); };
      script.onerror = reject;
      document.head.append(script);
    });
    return loading;
  }

  function hidden(form, name) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.append(input);
    }
    return input;
  }

  function mount(container) {
    var form = container.closest("form");
    if (!form || container.dataset.mounted) return;
    container.dataset.mounted = "1";
    var error = container.querySelector("[data-stripe-error]");
    var tokenName = container.dataset.tokenInput || "payment_token";
    var state = { stripe: null, card: null, busy: false };
    function say(message) { error.textContent = message || ""; }

    if (!container.dataset.setupSecret) {
      say(container.dataset.unavailable);
    }
    loadStripe(container.dataset.stripeJs).then(function (Stripe) {
      state.stripe = Stripe(container.dataset.publishableKey);
      state.card = state.stripe.elements().create("card", {});
      state.card.mount(container.querySelector("[data-stripe-card]"));
    }).catch(function () { say(container.dataset.unavailable); });

    form.addEventListener("submit", function (event) {
      if (container.hidden || container.closest("[hidden]")) return; // another method chosen
      if (hidden(form, tokenName).value) return; // Stripe already answered: let it go
      event.preventDefault();
      if (state.busy) return;
      if (!state.stripe || !state.card || !container.dataset.setupSecret) {
        say(container.dataset.unavailable);
        return;
      }
      state.busy = true;
      say("");
      state.stripe.confirmCardSetup(container.dataset.setupSecret, {
        payment_method: { card: state.card },
      }).then(function (result) {
        state.busy = false;
        if (result.error || !result.setupIntent) {
          say((result.error && result.error.message) || container.dataset.incomplete);
          return;
        }
        var method = result.setupIntent.payment_method;
        hidden(form, tokenName).value = typeof method === "string" ? method : method.id;
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }).catch(function () {
        state.busy = false;
        say(container.dataset.unavailable);
      });
    });
  }

  function authenticate(container) {
    var form = container.closest("form");
    if (!form || container.dataset.mounted) return;
    container.dataset.mounted = "1";
    var error = container.querySelector("[data-stripe-error]");
    var secret = container.dataset.clientSecret;
    function send() { form.requestSubmit ? form.requestSubmit() : form.submit(); }
    loadStripe(container.dataset.stripeJs).then(function (Stripe) {
      var stripe = Stripe(container.dataset.publishableKey);
      var action = stripe.handleNextAction
        ? stripe.handleNextAction({ clientSecret: secret })
        : stripe.confirmCardPayment(secret);
      return action.then(send, send);
    }).catch(function () { error.textContent = container.dataset.unavailable || ""; });
  }

  function mountAll(root) {
    (root || document).querySelectorAll("[data-stripe-gateway]").forEach(mount);
    (root || document).querySelectorAll("[data-stripe-next-action]").forEach(authenticate);
  }

  document.addEventListener("DOMContentLoaded", function () { mountAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { mountAll(event.target); });
})();
