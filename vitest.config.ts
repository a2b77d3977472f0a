import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // lib/breaker has a package.json whose exports point into dist/: the lab and the tests always
    // run the source, so its entry is aliased before the catch-all.
    alias: [
      { find: /^@\/lib\/breaker$/, replacement: fileURLToPath(new URL("./lib/breaker/index.ts", import.meta.url)) },
      { find: "@", replacement: fileURLToPath(new URL("./", import.meta.url)) },
    ],
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "bench/**/*.test.ts", "scripts/**/*.test.ts"],
    environment: "node",
    coverage: {
      provider: "v8",
      include: ["lib/**/*.ts"],
      exclude: ["lib/**/*.test.ts", "lib/**/test-helpers.ts", "lib/**/fixtures/**", "lib/breaker/dist/**"],
    },
  },
});
