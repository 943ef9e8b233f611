/**
 * The web console's build: console/ → dist/console, served by the server at /console (see
 * src/server/console-assets.ts). Every file but index.html gets a content hash in its name, so the
 * server can let browsers cache them for good.
 */
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // the icon too is a file of its own (the CSP allows no inline data for it to hide in)
    assetsInlineLimit: 0,
    // every browser that runs the console knows modulepreload; the polyfill would be dead weight
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // the build's own timing notes would read as warnings on a busy two-core machine
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
})
