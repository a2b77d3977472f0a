import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisServer } from "./redis-server";

/** The first line Redis answers to PING, over a bare socket so that nothing retries for us. */
function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = "";
    const socket = connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      const end = reply.indexOf("\r\n");
      if (end === -1) return;
      socket.destroy();
      resolve(reply.slice(0, end));
    });
    socket.once("error", reject);
  });
}

function runningPid(server: RedisServer): number {
  const { pid } = server;
  if (pid === undefined) throw new Error("the server is not running");
  return pid;
}

// Without redis-server these fail with the line saying what to install, as the e2e tests do
// without a Chromium: CI installs it (.ci/run), so a skip would only hide a broken machine.
describe("RedisServer", () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await RedisServer.start();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("answers PING on a loopback port of its own", async () => {
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await ping(server.port)).toBe("+PONG");
  });

  it("restarts as a new process on the same port", async () => {
    const { port } = server;
    const before = runningPid(server);
    await server.restart();
    expect(server.port).toBe(port);
    expect(runningPid(server)).not.toBe(before);
    expect(await ping(port)).toBe("+PONG");
  });

  it("leaves no process once stopped, and stopping again is harmless", async () => {
    const pid = runningPid(server);
    await server.stop();
    await server.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(server.pid).toBeUndefined();
    await expect(ping(server.port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
