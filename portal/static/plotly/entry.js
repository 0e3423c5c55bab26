'use strict';
// The plotly.js traces OMUP draws, nothing else (tests/unit/test_plotly_bundle.py checks the list against
// the figure builders). Dash's default bundle carries all ~50 trace types: 1,085 KB brotli against ~680 KB.
var Plotly = require('plotly.js/lib/core'); // includes scatter
Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/box'),
    require('plotly.js/lib/choroplethmap'),
]);
module.exports = Plotly;
