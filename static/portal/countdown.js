/* Live countdowns: every element with data-expires-at (an ISO timestamp) shows m:ss left,
   then its data-expired-label. The server decides what is held; this only shows the time.
   data-server-now (the server's clock when the page was made) corrects a phone whose own
   clock is wrong: the time left is counted from the server's clock, not the phone's. */
(function () {
  "use strict";

  var loadedAt = Date.now();

  function skew(element) {
    var serverNow = Date.parse(element.getAttribute("data-server-now") || "");
    return isNaN(serverNow) ? 0 : serverNow - loadedAt;
  }

  function pad(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-expires-at]").forEach(function (element) {
      var expires = Date.parse(element.getAttribute("data-expires-at"));
      var left = Math.floor((expires - (now + skew(element))) / 1000);
      if (left <= 0) {
        element.textContent = element.getAttribute("data-expired-label") || "0:00";
        element.setAttribute("data-expired", "true");
        return;
      }
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      element.textContent = (hours ? hours + ":" + pad(minutes) : minutes) + ":" + pad(seconds);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
