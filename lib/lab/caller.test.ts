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

describe("httpCaller", () => {
  it("POSTs to the mock route of the origin, uncached, without following redirects, with the signal", async () => {
    const fetchSpy = vi.fn(async () => new Response("{}", { status: 503 }));
    vi.stubGlobal("fetch", fetchSpy);
    const signal = new AbortController().signal;
    expect(await httpCaller("http://127.0.0.1:3000")("payments", signal)).toEqual({ status: 503 });
    expect(fetchSpy).toHaveBeenCalledWith("http://127.0.0.1:3000/api/mock/payments", {
      method: "POST",
      signal,
      cache: "no-store",
      redirect: "manual",
    });
  });

  it("keeps the path fixed whatever the name", async () => {
    const urls: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      urls.push(url);
      return new Response(null, { status: 200 });
    });
    await httpCaller("http://o")("../../admin?x=1#y", new AbortController().signal);
    expect(urls[0]).toBe("http://o/api/mock/..%2F..%2Fadmin%3Fx%3D1%23y");
  });

  it("reports a 4xx as a result, not an error", async () => {
    vi.stubGlobal("fetch", async () => new Response("nope", { status: 404 }));
    expect(await httpCaller("http://o")("payments", new AbortController().signal)).toEqual({ status: 404 });
  });

  it("rejects when the connection fails", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("fetch failed");
    });
    await expect(httpCaller("http://o")("payments", new AbortController().signal)).rejects.toThrow("fetch failed");
  });

  it("reads the body to its end and rejects when the connection drops mid-body", async () => {
    const dropped = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(new TypeError("terminated"));
      },
    });
    vi.stubGlobal("fetch", async () => new Response(dropped, { status: 200 }));
    await expect(httpCaller("http://o")("payments", new AbortController().signal)).rejects.toThrow("terminated");
  });
});
