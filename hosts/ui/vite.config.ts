import tailwindcss from "@tailwindcss/vite"
import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

// `npx vite build` writes the SPA to dist/, which src/server.mjs serves next to the API proxy.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    port: 3001,
    proxy: Object.fromEntries(
      ["/api/", "/healthz", "/readyz"].map((p) => [p, process.env["HOSTING_API_URL"] ?? "http://127.0.0.1:8080"]),
    ),
  },
})
