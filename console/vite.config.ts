/**
 * The console's build (Vite) and component tests (Vitest, jsdom). `npm run console:build` writes `console/dist`,
 * which the service serves at `/` (service/console.ts); `npm run console:dev` serves it with hot reload and sends
 * the API's paths to a running service (TRADELINE_API, default http://127.0.0.1:8787).
 */
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const api = process.env.TRADELINE_API ?? "http://127.0.0.1:8787";

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The chart library is its own chunk, loaded by the views that draw one.
    chunkSizeWarningLimit: 1500,
  },
  server: { proxy: { "/v1": api, "/openapi.json": api } },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.tsx", "src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
    css: false,
    // A guard against a hang on a loaded machine, not a verdict on speed.
    testTimeout: 60_000,
  },
});
