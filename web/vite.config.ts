import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Rust server embeds web/dist and serves index.html for every unknown non-/api path, so
// assets must resolve from the site root ("/assets/..."), whatever the depth of the route.
const backend = process.env.ANJIAN_BACKEND ?? 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      // '/api/' with the slash: the UI's own /api-docs route must not be proxied
      '/api/': { target: backend },
      '/healthz': { target: backend },
      '/metrics': { target: backend },
    },
  },
  preview: {
    proxy: {
      '/api/': { target: backend },
      '/healthz': { target: backend },
      '/metrics': { target: backend },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The API reference chunk (swagger-ui) is large by nature; it is only loaded on its route.
    chunkSizeWarningLimit: 2500,
  },
})
