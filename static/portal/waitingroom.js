/* The waiting room (docs/booking.md, "Waiting room"): asks the cache-only status URL where
   this family stands, when its turn is due and at least every 15 seconds (spread and with
   jitter, so thousands of pages do not ask at the same instant), and writes the answer into
   the page's live region only when it changed, so a screen reader hears each change once. Admitted, switched off or a spent pass: the page
   reloads, and the server (not this script) issues the pass. The countdown itself is
   countdown.js's. No animation here; the pulse in waitingroom.css stops under
   prefers-reduced-motion. */
(function () {
  "use strict";

  var room = document.querySelector("[data-status-url]");
  if (!room) {
    return;
  }
  var statusUrl = room.getAttribute("data-status-url");
  var live = room.querySelector("[role=status]");
  var countdown = room.querySelector("[data-expires-at]");

  function delay(seconds) {
    return (seconds + Math.random() * 2) * 1000;
  }

  function untilOpening() {
    if (!countdown) {
      return 0;
    }
    var opens = Date.parse(countdown.getAttribute("data-expires-at"));
    var serverNow = Date.parse(countdown.getAttribute("data-server-now"));
    var left = (opens - serverNow) / 1000 - (Date.now() - loadedAt) / 1000;
    return Math.max(0, left);
  }

  var loadedAt = Date.now();

  // In line: ask again when this family's batch is let in (`wait`, the seconds until it:
  // exact, since the order is fixed once the lottery is drawn), at a random moment of the
  // batch's 10 seconds (SPREAD plus delay()'s 2; waitingroom/rules.py BATCH_SECONDS), so a
  // batch's families reach the server one by one, not all at once (docs/performance.md,
  // "The waiting page asks when the turn is due"); and at least every 15 seconds, to hear
  // of a switch-off or a changed pace (docs/booking.md, "Waiting room").
  var SPREAD = 8;

  // The pause until `moment` (seconds away): 15 seconds when it is further, else the moment
  // plus a random part of SPREAD.
  function spreadFrom(moment) {
    return moment > 15 ? 15 : Math.max(1, moment + Math.random() * SPREAD);
  }

  function untilTurn(wait) {
    return typeof wait === "number" ? spreadFrom(wait) : 5;
  }

  // Before the opening: every 15 seconds, or at a random moment of the opening's first 10
  // seconds if that is sooner (the first batch is let in at the opening: spread like any
  // batch, and the thousand pages that waited do not all ask in the same second).
  function untilOpened() {
    return spreadFrom(untilOpening());
  }

  function schedule(seconds) {
    window.setTimeout(ask, delay(seconds));
  }

  function ask() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 429) {
          schedule(parseInt(response.headers.get("Retry-After") || "10", 10));
          return null;
        }
        if (!response.ok) {
          schedule(15);
          return null;
        }
        return response.json();
      })
      .then(function (answer) {
        if (!answer) {
          return;
        }
        var state = answer.state;
        if (state === "admitted" || state === "off" || state === "spent") {
          window.location.reload();
          return;
        }
        if (answer.message && live.textContent.trim() !== answer.message) {
          live.textContent = answer.message;
        }
        if (state === "before") {
          schedule(untilOpened());
        } else {
          schedule(untilTurn(answer.wait));
        }
      })
      .catch(function () {
        schedule(15);
      });
  }

  schedule(room.getAttribute("data-state") === "before" ? untilOpened() : 5);
})();
