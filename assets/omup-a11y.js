/* Accessibility repairs of third-party components, applied as they render (axe-core checks every page):
 *
 * - Dash 4's dcc.Dropdown puts its keyboard entry point, an <input> that takes Tab focus, under aria-hidden:
 *   a screen reader then lands on nothing. It is the control: it keeps its focus and gets the dropdown's
 *   accessible name (its <label>) instead of being hidden.
 * - dbc.Tabs (2.0) renders every tab with id "…-tab-null" and aria-controls "…-tabpane-null", which point
 *   nowhere: each tab gets the id and the panel its own pane names. */
(function () {
  function labelOf(button) {
    if (!button) { return ""; }
    if (button.id) {
      var label = document.querySelector('label[for="' + button.id + '"]');
      if (label) { return label.textContent.trim(); }
    }
    return button.getAttribute("aria-label") || button.textContent.trim();
  }

  function fixDropdowns(root) {
    root.querySelectorAll("input.dash-dropdown-focus-target[aria-hidden]").forEach(function (input) {
      var button = input.parentElement && input.parentElement.querySelector("button.dash-dropdown");
      input.removeAttribute("aria-hidden");
      var name = labelOf(button);
      if (name) { input.setAttribute("aria-label", name); }
      input.setAttribute("aria-haspopup", "listbox");
    });
  }

  function fixTabs(root) {
    root.querySelectorAll(".nav-tabs, [role=tablist]").forEach(function (list) {
      var content = list.nextElementSibling;
      if (!content) { return; }
      var tabs = list.querySelectorAll("[role=tab]");
      var panes = content.querySelectorAll(":scope > [role=tabpanel]");
      tabs.forEach(function (tab, i) {
        var pane = panes[i];
        if (!pane || !/-null$/.test(tab.getAttribute("aria-controls") || "")) { return; }
        var id = pane.getAttribute("aria-labelledby");
        if (id) { tab.id = id; }
        tab.setAttribute("aria-controls", pane.id);
      });
    });
  }

  function fix() { fixDropdowns(document); fixTabs(document); }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(); });
  }).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", fix);
})();
