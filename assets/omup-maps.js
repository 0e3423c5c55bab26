/* Fit maps of Poland to the screen before plotly draws them: the server builds one figure (zoom 5.1 suits a
   map about 620 px wide and 560 px high); on narrow screens the browser lowers the zoom and moves the colour
   bar under the map. Used as a clientside callback: figure store → dcc.Graph.

   Speed (issue 15): on the area explorer plotly.js (~3 MB of script) is downloaded while the server renders the
   page (run later, by dcc.Graph, from the preload: running it this early held the page's first callback back),
   and the map's geometry is fetched as soon as its figure arrives, while plotly.js may still be starting. */
(function () {
  if (window.Plotly || window.location.pathname.indexOf('/obszar/') !== 0) { return; }
  var prefix = '/';
  try {
    var config = JSON.parse(document.getElementById('_dash-config').textContent);
    prefix = config.requests_pathname_prefix || '/';
  } catch (e) { /* the default prefix */ }
  // The URL dcc.Graph loads plotly.js from (dash-renderer's _dashPlotlyJSURL with serve_locally).
  var link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'script';
  link.href = prefix + '_dash-component-suites/plotly/package_data/plotly.min.js';
  document.head.appendChild(link);
})();

(function () {
  var fetched = {};  // geometry URLs already asked for

  // Fetch each geometry file of a figure once, now (a preload that plotly.js's own fetch of the same URL takes
  // over: the same mode and credentials); the hashed files are cached for a year.
  function preloadGeometry(fig) {
    (fig.data || []).forEach(function (t) {
      var href = t && t.geojson;
      if (typeof href !== 'string' || fetched[href]) { return; }
      fetched[href] = true;
      var link = document.createElement('link');
      link.rel = 'preload';
      link.as = 'fetch';
      link.crossOrigin = 'anonymous';
      link.href = href;
      document.head.appendChild(link);
    });
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    omup: {
      fitMap: function (fig, graphId) {
        if (!fig || !fig.layout || !fig.layout.map) { return fig; }
        preloadGeometry(fig);
        var el = document.getElementById(graphId);
        var w = (el && el.clientWidth) || window.innerWidth;
        if (w >= 620) { return fig; }
        var h = Math.round(Math.min(fig.layout.height || 560, w * 1.2 + 70));
        var out = Object.assign({}, fig);
        out.layout = Object.assign({}, fig.layout, {height: h});
        out.layout.map = Object.assign({}, fig.layout.map);
        out.layout.map.zoom = Math.max(3.4, Math.min(5.1, 5.1 + Math.log2(Math.min(w / 620, (h - 70) / 560))));
        out.layout.margin = Object.assign({}, fig.layout.margin, {b: 70});
        out.data = fig.data.map(function (t) {
          if (!t.colorbar) { return t; }
          var c = Object.assign({}, t.colorbar, {orientation: 'h', x: 0.5, xanchor: 'center', y: -0.02,
                                                 yanchor: 'top', len: 0.9, thickness: 10});
          return Object.assign({}, t, {colorbar: c});
        });
        return out;
      }
    }
  });
})();
