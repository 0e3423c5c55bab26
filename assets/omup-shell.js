/* The header's menu button on phones: opens and closes the navigation (one delegated listener, so pages that
   Dash re-renders keep working). Escape closes it and returns focus to the button. */
(function () {
  function nav() { return document.getElementById('main-nav'); }
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('.nav-toggle');
    if (!button) { return; }
    var menu = nav();
    if (!menu) { return; }
    var open = !menu.classList.contains('open');
    menu.classList.toggle('open', open);
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') { return; }
    var menu = nav();
    if (menu && menu.classList.contains('open')) {
      menu.classList.remove('open');
      var button = document.querySelector('.nav-toggle');
      if (button) { button.setAttribute('aria-expanded', 'false'); button.focus(); }
    }
  });
})();
