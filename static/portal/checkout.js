/*
 * Checkout: show the gateway's card or bank fields only for the chosen way to pay (a hidden
 * panel's fields are skipped by the gateway script). No inline script (strict CSP).
 */
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector('input[name="method"]:checked');
    var value = chosen ? chosen.value : "";
    form.querySelectorAll("[data-method-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.methodPanel !== value;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-checkout-methods]").forEach(function (fieldset) {
      var form = fieldset.closest("form");
      sync(form);
      fieldset.addEventListener("change", function () { sync(form); });
    });
  });
})();
