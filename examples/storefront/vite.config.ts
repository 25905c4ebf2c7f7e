import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run storefront`: the storefront on http://127.0.0.1:5173 against the gateway that
 * `npm start` runs. The dev server proxies /graphql (HTTP and the graphql-ws upgrade) to
 * GATEWAY_URL, so the browser talks to one origin and needs no CORS.
 */
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // Bundled before the first page load, so a first visit is never reloaded halfway.
  optimizeDeps: {
    include: [
      'react',
      'react-dom/client',
      'react/jsx-dev-runtime',
      '@apollo/client',
      '@apollo/client/react',
      '@apollo/client/link/persisted-queries',
      '@apollo/client/link/subscriptions',
      '@apollo/client/utilities',
      'graphql',
      'graphql-ws',
    ],
  },
  server: {
    host: '127.0.0.1',
    port: Number(process.env.STOREFRONT_PORT ?? 5173),
    strictPort: process.env.STOREFRONT_PORT !== '0',
    proxy: { '/graphql': { target: gateway, ws: true } },
  },
  preview: {
    host: '127.0.0.1',
    proxy: { '/graphql': { target: gateway, ws: true } },
  },
});
