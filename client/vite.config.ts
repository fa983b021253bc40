import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Emits the service worker with the build's file list, so the shell and its
 * hashed assets are cached at install and the app opens offline. */
function serviceWorker(): Plugin {
  return {
    name: 'virtubar-sw',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((f) => !f.endsWith('.map')).map((f) => '/' + f);
      const shell = ['/', '/offline.html', '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
      const version = JSON.stringify(files.join('|').length.toString(36) + '-' + Date.now().toString(36));
      const source = readFileSync(fileURLToPath(new URL('./src/sw-template.js', import.meta.url)), 'utf8')
        .replace('__VERSION__', version)
        .replace('__PRECACHE__', JSON.stringify([...shell, ...files]));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

/** Copies the pinned Scalar API reference (the @scalar/api-reference npm
 * package's self-contained browser build) to dist/vendor/scalar/, where the API's docs page
 * (functions/apidocs.py) loads it: the page needs no other host. Not in the
 * service worker's precache: players never need it. */
function apiReference(): Plugin {
  let outDir = 'dist';
  return {
    name: 'virtubar-api-reference',
    apply: 'build',
    configResolved(config) { outDir = config.build.outDir; },
    closeBundle() {
      const target = new URL(`./${outDir}/vendor/scalar/`, import.meta.url);
      mkdirSync(target, { recursive: true });
      copyFileSync(new URL('./node_modules/@scalar/api-reference/dist/browser/standalone.js', import.meta.url),
        new URL('standalone.js', target));
    },
  };
}

export default defineConfig({
  plugins: [serviceWorker(), apiReference()],
  server: { fs: { allow: [repoRoot] } },
  build: { outDir: 'dist', target: 'es2022', chunkSizeWarningLimit: 800 },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
