// Build plotly-omup.min.js: `npm ci && node build.js` in this folder (Node 22, see README.md here).
// The esbuild settings are plotly.js's own (node_modules/plotly.js/esbuild-config.js), minus the GL plugins.
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const version = require('plotly.js/package.json').version;

esbuild.build({
    entryPoints: ['./entry.js'],
    outfile: 'plotly-omup.min.js',
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    sourcemap: false,
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016',
    legalComments: 'eof',
    banner: { js: `/* plotly.js v${version} (MIT), partial bundle for OMUP: scatter, bar, box, choroplethmap */` },
    logLevel: 'info',
}).catch(() => process.exit(1));
