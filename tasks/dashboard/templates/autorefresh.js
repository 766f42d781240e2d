/* Auto-refresh of the dashboard's list pages, which an operator can switch off (remembered in localStorage).
   The page reloads every N seconds while the switch is on, unless the operator is in the middle of something:
   a field has focus, a form field was changed or a row selected, a dialog or confirmation is open, or the tab is
   hidden. No library, no network but the reload itself. */
(function () {
  "use strict";
  var KEY = "allocations.dashboard.autoRefresh";
  var SECONDS_KEY = "allocations.dashboard.autoRefreshSeconds";
  var box = document.currentScript && document.currentScript.previousElementSibling;
  var toggle = document.getElementById("auto-refresh");
  var state = document.getElementById("auto-refresh-state");
  if (!box || !toggle) return;
  var seconds = parseInt(window.localStorage.getItem(SECONDS_KEY) || box.getAttribute("data-seconds") || "15", 10);
  if (!(seconds >= 2)) seconds = 15;
  document.getElementById("auto-refresh-seconds").textContent = String(seconds);
  toggle.checked = window.localStorage.getItem(KEY) !== "off";

  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        if (field.options[i].selected !== field.options[i].defaultSelected) return true;
      }
      return false;
    }
    return field.type !== "hidden" && field.value !== field.defaultValue;
  }

  function busy() {
    if (document.hidden) return "tab hidden";
    if (document.querySelector("dialog[open], .modal.show, .confirmation")) return "confirmation open";
    var active = document.activeElement;
    if (active && active !== toggle && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return "editing";
    var fields = document.querySelectorAll("form input, form select, form textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] !== toggle && changed(fields[i])) return "form in use";
    }
    return "";
  }

  var left = seconds;
  function tick() {
    if (!toggle.checked) {
      state.textContent = "(off)";
      return;
    }
    var why = busy();
    if (why) {
      left = seconds;
      state.textContent = "(paused: " + why + ")";
      return;
    }
    left -= 1;
    state.textContent = "(in " + left + " s)";
    if (left <= 0) window.location.reload();
  }

  toggle.addEventListener("change", function () {
    window.localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    left = seconds;
    tick();
  });
  tick();
  window.setInterval(tick, 1000);
})();
