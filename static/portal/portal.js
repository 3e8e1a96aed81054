/* Springboard portal behaviour. No inline handlers anywhere: the CSP forbids them. */
(function () {
  "use strict";

  function onReady(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  onReady(function () {
    // Welcome Information: the server marks the modal when this visit has not seen it yet.
    var welcome = document.querySelector("[data-sb-show-on-load]");
    if (welcome && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(welcome).show();
    }

    // The splash slides (WCAG 2.2.2 and 2.3.3): they move on by themselves unless the family
    // asked for less motion, and Pause stops them for good. portal.js starts the cycling itself
    // (no data-bs-ride), so Bootstrap's own controls never restart slides a family paused.
    var lessMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("[data-sb-autoplay]").forEach(function (target) {
      if (!window.bootstrap) { return; }
      var carousel = window.bootstrap.Carousel.getOrCreateInstance(target);
      var playing = !lessMotion;
      var button = document.querySelector('[data-sb-carousel-toggle="#' + target.id + '"]');
      function show() {
        if (playing) { carousel.cycle(); } else { carousel.pause(); }
        if (button) {
          button.textContent = button.getAttribute(playing ? "data-label-pause" : "data-label-play");
        }
      }
      if (button) {
        button.addEventListener("click", function () { playing = !playing; show(); });
      }
      show();
    });
  });
})();
