/* Ally: small enhancements only. Every page works without this file.
 * - Quick exit (the button, or Esc) hides the page at once and replaces the history entry, so
 *   Back does not return to it. Esc while typing in a box needs a second press, so one press
 *   by mistake does not throw away what was written; a half-written incident is sent to the
 *   journal as an encrypted draft before leaving (and every 15 seconds while it changes).
 * - A page restored from the back-forward cache is fetched again, so the server decides.
 * - Shows a warning two minutes before the idle lock, with a button to stay unlocked.
 * - Shows the Print button on the plan page; opens a folded plan step when a link leads to it
 *   and every step before printing.
 * - Shows how far an import is while its form is sent (the page itself waits for the result).
 * - Fills in the browser's time zone where a hosted page asks for it, and shows times the
 *   server could only write in UTC in the browser's zone.
 */
(function () {
  "use strict";

  var exitLink = document.getElementById("quick-exit");
  var escNote = document.getElementById("esc-again");
  var draftForm = document.querySelector("form[data-draft]");
  var leaving = false;
  var lastEscape = 0;
  var DOUBLE_PRESS_MS = 1000;
  var NOT_TYPING = ["button", "submit", "reset", "checkbox", "radio", "file", "image", "hidden", "range", "color"];

  function typingIn(element) {
    if (!element) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    return tag === "INPUT" && NOT_TYPING.indexOf((element.type || "text").toLowerCase()) === -1;
  }

  function draftBody(form) {
    var body = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.type === "file" || field.type === "submit") {
        return;
      }
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) {
        return;
      }
      body.append(field.name, field.value);
    });
    return body;
  }

  function saveDraft(keepalive) {
    draftForm.setAttribute("data-dirty", "no");
    return window.fetch(draftForm.getAttribute("data-draft"), {
      method: "POST",
      body: draftBody(draftForm),
      credentials: "same-origin",
      cache: "no-store",
      keepalive: keepalive
    });
  }

  function leave() {
    if (leaving) {
      return;
    }
    leaving = true;
    document.body.hidden = true;
    document.title = "";
    var target = exitLink.href;
    function go() {
      window.location.replace(target);
    }
    if (draftForm && draftForm.getAttribute("data-dirty") === "yes" && window.fetch) {
      // The page is already hidden; wait at most a second for the draft to be stored.
      var timer = window.setTimeout(go, 1000);
      saveDraft(true).then(
        function () {
          window.clearTimeout(timer);
          go();
        },
        function () {
          window.clearTimeout(timer);
          go();
        }
      );
      return;
    }
    go();
  }

  exitLink.addEventListener("click", function (event) {
    event.preventDefault();
    leave();
  });
  document.addEventListener("keydown", function (event) {
    if ((event.key !== "Escape" && event.key !== "Esc") || event.isComposing) {
      return;
    }
    var now = Date.now();
    if (!typingIn(document.activeElement) || now - lastEscape < DOUBLE_PRESS_MS) {
      leave();
      return;
    }
    lastEscape = now;
    escNote.textContent = escNote.getAttribute("data-text");
    window.setTimeout(function () {
      escNote.textContent = "";
    }, 2500);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.body.hidden = true;
      window.location.reload();
    }
  });

  // Files over the limit are refused here, before anything is sent, so what was typed stays.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-max-bytes]"), function (form) {
    form.addEventListener("submit", function (event) {
      var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
      var total = 0;
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          total += file.size;
        });
      });
      var message = form.querySelector("[data-too-large]");
      if (limit > 0 && total > limit) {
        event.preventDefault();
        message.hidden = false;
        message.scrollIntoView();
      } else if (message) {
        message.hidden = true;
      }
    });
  });

  if (draftForm && window.fetch) {
    draftForm.addEventListener("input", function () {
      draftForm.setAttribute("data-dirty", "yes");
    });
    draftForm.addEventListener("change", function () {
      draftForm.setAttribute("data-dirty", "yes");
    });
    draftForm.addEventListener("submit", function (event) {
      if (event.defaultPrevented) {
        return; // not sent (files too large): keep saving the draft
      }
      draftForm.removeAttribute("data-draft");
      draftForm = null;
    });
    window.setInterval(function () {
      if (draftForm && draftForm.getAttribute("data-dirty") === "yes") {
        saveDraft(false).catch(function () {});
      }
    }, 15000);
  }

  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (element) {
    element.hidden = false;
  });

  // Plan steps fold their details: a link to a step (from "Start here" or the deadlines)
  // opens it, and printing shows every step whole (and the answers and sources).
  function openLinkedStep() {
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    var more = target && target.classList.contains("step") ? target.querySelector("details.step-more") : null;
    if (more) {
      more.open = true;
    }
  }
  openLinkedStep();
  window.addEventListener("hashchange", openLinkedStep);
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.step-more, details.plan-more"), function (more) {
      more.open = true;
    });
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

/* The time-zone field on a hosted server: filled in with the browser's own zone (read here,
 * never sent anywhere else), since the server's clock is not where the person lives. Without
 * this script the field stays empty and the page asks. */
(function () {
  "use strict";
  var field = document.querySelector("input[data-zone-from-browser]");
  if (!field || field.value) {
    return;
  }
  try {
    field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (ignored) {
    field.value = "";
  }
})();

/* Times the server could only write in UTC (it knows no zone for this viewer: their journal
 * is locked, or they have none) are rewritten in the browser's own zone, as every report
 * writes times: "2026-08-03 21:52 (UTC-07:00)". The zone is read here and never sent.
 * Without this script they stay in UTC, and the page says so. */
(function () {
  "use strict";
  var times = document.querySelectorAll("time[data-local]");
  if (!times.length) {
    return;
  }
  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }
  function local(moment) {
    var offset = -moment.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var size = Math.abs(offset);
    return moment.getFullYear() + "-" + two(moment.getMonth() + 1) + "-" + two(moment.getDate()) +
      " " + two(moment.getHours()) + ":" + two(moment.getMinutes()) +
      " (UTC" + sign + two(Math.floor(size / 60)) + ":" + two(size % 60) + ")";
  }
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (ignored) {
    zone = "";
  }
  if (!zone) {
    return; // the page keeps UTC and says so
  }
  for (var i = 0; i < times.length; i += 1) {
    var moment = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(moment.getTime())) {
      times[i].textContent = local(moment);
    }
  }
  var notes = document.querySelectorAll("[data-zone-note]");
  for (var j = 0; j < notes.length; j += 1) {
    var browser = notes[j].parentNode.querySelector("[data-zone-browser]");
    var name = browser && browser.querySelector("[data-zone-name]");
    if (browser && name) {
      name.textContent = zone;
      notes[j].hidden = true;
      browser.hidden = false;
    }
  }
})();
