import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { httpCaller, isHttpFailure, labOrigin } from "./caller";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe("labOrigin", () => {
  it("uses LAB_ORIGIN when set, without trailing slashes", () => {
    expect(labOrigin({ LAB_ORIGIN: "http://lab.internal:8080", PORT: "4000" })).toBe("http://lab.internal:8080");
    expect(labOrigin({ LAB_ORIGIN: "http://lab.internal:8080///" })).toBe("http://lab.internal:8080");
    expect(labOrigin({ LAB_ORIGIN: "https://example.test/" })).toBe("https://example.test");
  });

  it("falls back to this server on loopback at $PORT", () => {
    expect(labOrigin({ PORT: "4321" })).toBe("http://127.0.0.1:4321");
    expect(labOrigin({ LAB_ORIGIN: "", PORT: "4321" })).toBe("http://127.0.0.1:4321");
  });

  it("defaults to port 3000", () => {
    expect(labOrigin({})).toBe("http://127.0.0.1:3000");
    expect(labOrigin({ PORT: "" })).toBe("http://127.0.0.1:3000");
  });

  it("reads process.env by default", () => {
    vi.stubEnv("LAB_ORIGIN", "http://from-env:1/");
    expect(labOrigin()).toBe("http://from-env:1");
    vi.stubEnv("LAB_ORIGIN", undefined);
    vi.stubEnv("PORT", "5555");
    expect(labOrigin()).toBe("http://127.0.0.1:5555");
  });
});

describe("isHttpFailure", () => {
  it("is true for 5xx only", () => {
    expect(isHttpFailure({ status: 500 })).toBe(true);
    expect(isHttpFailure({ status: 503 })).toBe(true);
    expect(isHttpFailure({ status: 599 })).toBe(true);
    expect(isHttpFailure({ status: 200 })).toBe(false);
    expect(isHttpFailure({ status: 404 })).toBe(false);
    expect(isHttpFailure({ status: 499 })).toBe(false);
  });

  it("is false for anything that is not an HTTP result", () => {
    expect(isHttpFailure(null)).toBe(false);
    expect(isHttpFailure(undefined)).toBe(false);
    expect(isHttpFailure(503)).toBe(false);
    expect(isHttpFailure("503")).toBe(false);
    expect(isHttpFailure({})).toBe(false);
    expect(isHttpFailure(new Error("500"))).toBe(false);
  });
});

/** A server of the test's own on loopback, answering as `handle` says; every request it received. */
async function mockServer(handle: (request: IncomingMessage, response: ServerResponse) => void) {
  const received: { method?: string; url?: string }[] = [];
  const server = createServer((request, response) => {
    received.push({ method: request.method, url: request.url });
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { origin: `http://127.0.0.1:${port}`, received };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("httpCaller", () => {
  it("POSTs to the mock route of the origin and reports the status", async () => {
    const { origin, received } = await mockServer((_request, response) => response.writeHead(503, { "content-type": "application/json" }).end("{}"));
    expect(await httpCaller(origin)("payments", new AbortController().signal)).toEqual({ status: 503 });
    expect(received).toEqual([{ method: "POST", url: "/api/mock/payments" }]);
  });

  it("keeps the path fixed whatever the name", async () => {
    const { origin, received } = await mockServer((_request, response) => response.end("{}"));
    await httpCaller(origin)("../../admin?x=1#y", new AbortController().signal);
    expect(received[0]!.url).toBe("/api/mock/..%2F..%2Fadmin%3Fx%3D1%23y");
  });

  it("reports a 4xx as a result, and does not follow a redirect", async () => {
    const { origin, received } = await mockServer((request, response) => {
      if (request.url === "/api/mock/moved") response.writeHead(307, { location: "/api/mock/elsewhere" }).end();
      else response.writeHead(404).end("nope");
    });
    expect(await httpCaller(origin)("payments", new AbortController().signal)).toEqual({ status: 404 });
    expect(await httpCaller(origin)("moved", new AbortController().signal)).toEqual({ status: 307 });
    expect(received.map(({ url }) => url)).toEqual(["/api/mock/payments", "/api/mock/moved"]);
  });

  it("marks a 2xx whose body is not JSON as malformed", async () => {
    const { origin } = await mockServer((_request, response) => response.end('{"ok":tr'));
    expect(await httpCaller(origin)("payments", new AbortController().signal)).toEqual({ status: 200, malformed: true });
  });

  it("reuses its connections", async () => {
    const sockets = new Set<unknown>();
    const { origin } = await mockServer((request, response) => {
      sockets.add(request.socket);
      response.end("{}");
    });
    const call = httpCaller(origin);
    for (let index = 0; index < 5; index++) await call("payments", new AbortController().signal);
    expect(sockets.size).toBe(1);
  });

  it("rejects when nothing listens", async () => {
    const { origin } = await mockServer(() => {});
    servers[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(httpCaller(origin)("payments", new AbortController().signal)).rejects.toThrow();
  });

  it("reads the body to its end and rejects when the connection drops mid-body", async () => {
    const { origin } = await mockServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      response.write('{"endpoint":"pay');
      setTimeout(() => response.socket?.destroy(), 5);
    });
    await expect(httpCaller(origin)("payments", new AbortController().signal)).rejects.toThrow();
  });

  it("stops at once when the signal aborts (a timeout of the breaker)", async () => {
    const { origin } = await mockServer(() => {});
    const controller = new AbortController();
    const call = httpCaller(origin)("payments", controller.signal);
    setTimeout(() => controller.abort(new Error("timed out")), 5);
    await expect(call).rejects.toThrow();
  });

  it("refuses an origin that is not http or https", () => {
    expect(() => httpCaller("ftp://example.test")).toThrow(/http or https/);
  });
});
