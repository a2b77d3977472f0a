import type { NextConfig } from "next";

// Headers every response carries; the page's Content-Security-Policy (with its nonce) is set in
// proxy.ts, and API responses get a strict one here because they are never meant to render.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // lib/breaker is also a package whose exports point into its dist/: the app runs the source.
  turbopack: { resolveAlias: { "@/lib/breaker": "./lib/breaker/index.ts" } },
  reactStrictMode: true,
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }],
      },
      {
        source: "/_next/:path*",
        headers: [{ key: "Content-Security-Policy", value: "frame-ancestors 'none'" }],
      },
    ];
  },
};

export default nextConfig;
