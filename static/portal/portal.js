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

    // Pause / play for the splash slides (WCAG 2.2.2: moving content can be paused).
    document.querySelectorAll("[data-sb-carousel-toggle]").forEach(function (button) {
      var target = document.querySelector(button.getAttribute("data-sb-carousel-toggle"));
      if (!target || !window.bootstrap) { return; }
      var carousel = window.bootstrap.Carousel.getOrCreateInstance(target);
      var playing = true;
      button.addEventListener("click", function () {
        playing = !playing;
        if (playing) { carousel.cycle(); } else { carousel.pause(); }
        button.textContent = button.getAttribute(playing ? "data-label-pause" : "data-label-play");
      });
    });
  });
})();
