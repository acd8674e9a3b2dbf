import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served by the core (meridian serve, or the Electron main process) from
// dist/renderer, on the same origin as the API, so no CORS and a strict CSP.
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // `npx vite` for UI work against a running `meridian serve --port 4780`.
    proxy: {
      '/api': { target: 'http://127.0.0.1:4780', ws: true },
      '/metrics': 'http://127.0.0.1:4780',
    },
  },
});
