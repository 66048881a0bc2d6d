import { defineConfig } from 'vite';

// The dashboard: built into dist/web, which the service serves at `/`.
export default defineConfig({
  root: 'web',
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 400 },
});
