/* Fit maps of Poland to the screen before plotly draws them: the server builds one figure (zoom 5.1 suits a
   map about 620 px wide and 560 px high); on narrow screens the browser lowers the zoom and moves the colour
   bar under the map. Used as a clientside callback: figure store → dcc.Graph. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  omup: {
    fitMap: function (fig, graphId) {
      if (!fig || !fig.layout || !fig.layout.map) { return fig; }
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
