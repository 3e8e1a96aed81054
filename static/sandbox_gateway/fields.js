/*
 * The sandbox gateway's card and bank fields (stands in for a processor's hosted fields).
 *
 * A page puts an empty element in its payment form:
 *   <div data-sandbox-gateway data-endpoint="/sandbox/gateway/tokens" data-merchant="acme"
 *        data-kind="card" data-token-input="payment_token"></div>
 * and loads this script. The script builds the inputs itself; they have no `name`, so the
 * browser never submits them to our views. On submit it posts the numbers to the gateway's
 * endpoint, writes only the returned token (and brand / last four for display) into the
 * form's hidden inputs, and then submits the form. No inline script or style (strict CSP).
 */
(function () {
  "use strict";

  var FIELDS = {
    card: [
      { key: "number", label: "Card number", autocomplete: "cc-number", inputmode: "numeric" },
      { key: "exp_month", label: "Expiry month (MM)", autocomplete: "cc-exp-month", inputmode: "numeric" },
      { key: "exp_year", label: "Expiry year (YY)", autocomplete: "cc-exp-year", inputmode: "numeric" },
      { key: "cvc", label: "Security code", autocomplete: "cc-csc", inputmode: "numeric" },
    ],
    echeck: [
      { key: "routing_number", label: "Routing number", autocomplete: "off", inputmode: "numeric" },
      { key: "account_number", label: "Account number", autocomplete: "off", inputmode: "numeric" },
    ],
  };

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function build(container) {
    var kind = container.dataset.kind === "echeck" ? "echeck" : "card";
    var inputs = {};
    var errors = {};
    var prefix = "sgw-" + randomKey().slice(0, 8) + "-";
    FIELDS[kind].forEach(function (spec) {
      var wrapper = document.createElement("div");
      wrapper.className = "mb-3";
      var label = document.createElement("label");
      label.className = "form-label";
      label.htmlFor = prefix + spec.key;
      // A page may pass its own words (data-label-number="…"), e.g. in the visitor's language.
      label.textContent = container.getAttribute("data-label-" + spec.key) || spec.label;
      var input = document.createElement("input");
      input.className = "form-control";
      input.id = prefix + spec.key;
      input.type = "text";
      input.autocomplete = spec.autocomplete;
      input.inputMode = spec.inputmode;
      input.setAttribute("aria-describedby", prefix + spec.key + "-error");
      // Deliberately no input.name: these values are never part of our form.
      var error = document.createElement("div");
      error.className = "invalid-feedback";
      error.id = prefix + spec.key + "-error";
      wrapper.append(label, input, error);
      container.append(wrapper);
      inputs[spec.key] = input;
      errors[spec.key] = error;
    });
    var general = document.createElement("div");
    general.className = "text-danger small";
    general.setAttribute("role", "alert");
    container.append(general);
    return { kind: kind, inputs: inputs, errors: errors, general: general, key: randomKey() };
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

  function showErrors(state, found) {
    Object.keys(state.inputs).forEach(function (key) {
      var message = found[key] || (key.indexOf("exp_") === 0 && found.expiry) || "";
      state.inputs[key].classList.toggle("is-invalid", Boolean(message));
      state.errors[key].textContent = message;
    });
    state.general.textContent = found.merchant || found.kind || found.general || "";
  }

  function mount(container) {
    var form = container.closest("form");
    if (!form || container.dataset.mounted) return;
    container.dataset.mounted = "1";
    var state = build(container);
    var tokenName = container.dataset.tokenInput || "payment_token";
    form.addEventListener("submit", function (event) {
      if (container.hidden || container.closest("[hidden]")) return; // another method chosen
      if (hidden(form, tokenName).value) return; // already tokenised: let it go
      event.preventDefault();
      var body = new URLSearchParams();
      body.set("merchant", container.dataset.merchant || "");
      body.set("kind", state.kind);
      body.set("idempotency_key", state.key);
      Object.keys(state.inputs).forEach(function (key) {
        body.set(key, state.inputs[key].value);
      });
      fetch(container.dataset.endpoint, { method: "POST", body: body, credentials: "omit" })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            showErrors(state, result.data.errors || {});
            return;
          }
          Object.keys(state.inputs).forEach(function (key) {
            state.inputs[key].value = "";
          });
          hidden(form, tokenName).value = result.data.token;
          hidden(form, tokenName + "_brand").value = result.data.brand;
          hidden(form, tokenName + "_last4").value = result.data.last4;
          form.requestSubmit ? form.requestSubmit() : form.submit();
        })
        .catch(function () {
          showErrors(state, {
            general: container.getAttribute("data-unavailable") ||
              "The payment service did not answer; try again.",
          });
        });
    });
  }

  function mountAll(root) {
    (root || document).querySelectorAll("[data-sandbox-gateway]").forEach(mount);
  }

  document.addEventListener("DOMContentLoaded", function () { mountAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { mountAll(event.target); });
})();
