/* Ally: small enhancements only. Every page works without this file.
 * - Quick exit (link or Esc) replaces the history entry, so Back does not return to Ally.
 * - Shows a warning two minutes before the idle lock, with a button to stay unlocked.
 * - Shows the Print button on the plan page.
 * - Shows how far an import is while its form is sent (the page itself waits for the result).
 */
(function () {
  "use strict";

  var exitLink = document.getElementById("quick-exit");

  function leave() {
    document.body.hidden = true;
    window.location.replace(exitLink.href);
  }

  exitLink.addEventListener("click", function (event) {
    event.preventDefault();
    leave();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      leave();
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (element) {
    element.hidden = false;
  });

  var printButton = document.getElementById("print-plan");
  if (printButton) {
    printButton.addEventListener("click", function () {
      window.print();
    });
  }

  var importForm = document.getElementById("import-form");
  var importBox = document.getElementById("import-progress");
  if (importForm && importBox && window.fetch) {
    importForm.addEventListener("submit", function () {
      var status = document.getElementById("import-status");
      var count = document.getElementById("import-count");
      var bar = document.getElementById("import-bar");
      var shown = "";
      importBox.hidden = false;
      function show(state) {
        var percent = 0;
        if (state.phase === "receiving" && state.expected > 0) {
          percent = (100 * state.received) / state.expected;
        } else if (state.phase === "importing" && state.total > 0) {
          percent = (100 * state.done) / state.total;
          count.textContent = importBox
            .getAttribute("data-count")
            .replace("{done}", String(state.done))
            .replace("{total}", String(state.total));
        }
        if (state.phase === "checking") {
          bar.removeAttribute("value");
        } else {
          bar.value = Math.min(100, percent);
        }
        var text = importBox.getAttribute("data-" + state.phase);
        if (text && state.phase !== shown) {
          status.textContent = text; // a live region: announced once per phase, not every second
          shown = state.phase;
        }
      }
      window.setInterval(function () {
        window
          .fetch("/evidence/import/progress", { credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            return response.ok ? response.json() : null;
          })
          .then(function (state) {
            if (state) {
              show(state);
            }
          })
          .catch(function () {});
      }, 1000);
    });
  }

  var lockSeconds = parseInt(document.body.getAttribute("data-lock-seconds"), 10);
  var warning = document.getElementById("lock-warning");
  var stay = document.getElementById("stay-unlocked");
  if (!(lockSeconds > 0) || !warning || !stay || window.location.pathname === "/locked") {
    return;
  }
  var warnTimer = null;
  var lockTimer = null;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(lockTimer);
    warnTimer = window.setTimeout(function () {
      warning.hidden = false;
      stay.focus();
    }, Math.max(lockSeconds - 120, 0) * 1000);
    lockTimer = window.setTimeout(function () {
      window.location.replace("/locked");
    }, (lockSeconds + 2) * 1000);
  }

  stay.addEventListener("click", function () {
    window.fetch("/still-here", { credentials: "same-origin", cache: "no-store" }).then(function () {
      warning.hidden = true;
      schedule();
    });
  });
  schedule();
})();
