/**
 * The web page's build (vite): a static site in web/dist — index.html, the page's script, the
 * Web Worker that runs the market (the project's own modules from ../src), the HiGHS .wasm and a
 * service worker that keeps every file for offline use. URLs are relative (`base: './'`), so the
 * folder works from any path of any static host or local server.
 *
 * Aliases, for the browser only (the Node package is unchanged):
 * - `node:path` → pathe: the core does path arithmetic — a sweep's scenario and a scenario's
 *   profiles are relative to their file — on the texts the page holds in memory under virtual
 *   paths (/scenarios/…). pathe is the same POSIX arithmetic without Node; re-implementing it
 *   in the core to avoid an alias would be silly. No other Node module reaches the worker.
 * - csv-stringify/sync and csv-parse/sync → the packages' own browser builds (the same code,
 *   with the Buffer they need bundled).
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const project = fileURLToPath(new URL('..', import.meta.url));

const alias = {
  'node:path': 'pathe',
  'csv-stringify/sync': 'csv-stringify/browser/esm/sync',
  'csv-parse/sync': 'csv-parse/browser/esm/sync',
};

/**
 * sw.js, emitted with the build: the list of the site's files (hashed names) and a version
 * derived from them, so that a new build replaces the old cache. In development there is none.
 */
function serviceWorker(): Plugin {
  return {
    name: 'p2pmarket-service-worker',
    apply: 'build',
    async generateBundle(_options, bundle) {
      const files = ['./', './index.html', ...Object.keys(bundle).filter((f) => f !== 'sw.js' && f !== 'index.html').map((f) => `./${f}`)].sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 12);
      const { readFile } = await import('node:fs/promises');
      const template = await readFile(new URL('./src/sw.js', import.meta.url), 'utf8');
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: template.replace('__VERSION__', version).replace('__FILES__', JSON.stringify(files)) });
    },
  };
}

export default defineConfig(({ command }) => ({
  root,
  // Whether the page has a service worker to register (the built site; the development server has none).
  define: { __SERVICE_WORKER__: JSON.stringify(command === 'build') },
  base: './',
  resolve: { alias },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The worker holds the core, zod and vega (about 1.4 MB; docs/web.md gives the sizes).
    chunkSizeWarningLimit: 2500,
    assetsInlineLimit: 0,
  },
  server: { fs: { allow: [project] } },
  plugins: [serviceWorker()],
}));
