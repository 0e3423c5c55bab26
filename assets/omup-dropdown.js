/* Type-to-search in Dash 4 dropdowns.
 *
 * An opened dcc.Dropdown focuses its selected option, not its search box, so letters typed then go nowhere.
 * A printable key pressed on an option (or anywhere in the open list but the search box) moves focus to
 * the list's search box before the key is handled, so the letter lands there and the search starts. */
(function () {
  document.addEventListener("keydown", function (e) {
    if (e.key.length !== 1 || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var target = e.target;
    if (!(target instanceof Element)) { return; }
    var content = target.closest(".dash-dropdown-content");
    if (!content) { return; }
    var search = content.querySelector("input.dash-dropdown-search");
    if (search && target !== search) { search.focus(); }
  }, true);
})();
