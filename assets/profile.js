/* Unit profile: areas fold on phones by default; the open areas are kept in the URL (`otwarte=a,b`) so a
   shared link or the back button shows the same ones. Without `otwarte`, wide screens show every area. */
(function () {
  var PARAM = 'otwarte';
  var SELECTOR = 'details.profile-area[data-foldable]';

  function wanted() {
    var raw = new URLSearchParams(window.location.search).get(PARAM);
    return raw === null ? null : raw.split(',').filter(Boolean);
  }

  function narrow() {
    return window.matchMedia('(max-width: 767.98px)').matches;
  }

  function apply(nodes) {
    var open = wanted();
    if (open === null && !narrow()) { return; }
    var hash = decodeURIComponent(window.location.hash.slice(1));
    nodes.forEach(function (d) {
      var want = (open !== null && open.indexOf(d.id) >= 0) || d.id === hash;
      if (d.open !== want) { d.dataset.omupSync = '1'; d.open = want; }
    });
  }

  document.addEventListener('toggle', function (event) {
    var d = event.target;
    if (!d || !d.matches || !d.matches(SELECTOR)) { return; }
    if (d.dataset.omupSync) { delete d.dataset.omupSync; return; }  // our own change, not the reader's
    var open = Array.prototype.filter.call(document.querySelectorAll(SELECTOR), function (x) { return x.open; })
      .map(function (x) { return x.id; });
    var q = new URLSearchParams(window.location.search);
    q.set(PARAM, open.join(',') || '-');
    var url = window.location.pathname + '?' + q.toString().replace(/%2C/g, ',') + window.location.hash;
    window.history.replaceState(window.history.state, '', url);
    // Tell Dash's location components, so the next URL a callback writes keeps the open areas.
    window.dispatchEvent(new PopStateEvent('popstate', {state: window.history.state}));
  }, true);

  new MutationObserver(function (records) {
    var fresh = [];
    records.forEach(function (r) {
      r.addedNodes.forEach(function (n) {
        if (n.nodeType !== 1) { return; }
        if (n.matches(SELECTOR)) { fresh.push(n); }
        n.querySelectorAll && n.querySelectorAll(SELECTOR).forEach(function (x) { fresh.push(x); });
      });
    });
    if (fresh.length) { apply(fresh); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
