/* Ally: small enhancements only. Every page works without this file.
 * - Quick exit (link or Esc) replaces the history entry, so Back does not return to Ally.
 * - Shows a warning two minutes before the idle lock, with a button to stay unlocked.
 * - Shows the Print button on the plan page.
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
