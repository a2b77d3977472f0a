import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./lab-server";

const DEBIAN_BINARY = "/usr/bin/redis-server";
const START_TIMEOUT_MS = 10_000;
const POLL_MS = 50;
const PING_TIMEOUT_MS = 1_000;
const KILL_GRACE_MS = 2_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findRedisServer(): string | undefined {
  const onPath = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => join(dir, "redis-server"));
  return [DEBIAN_BINARY, ...onPath].find(isExecutable);
}

/** Whether a `redis-server` binary is installed (Debian's, or one on PATH). */
export function redisServerAvailable(): boolean {
  return findRedisServer() !== undefined;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Ends a child process: SIGTERM, then SIGKILL when it is still there after the grace period.
 * Resolves once it has exited, at once when it already had (so calling it twice is harmless).
 */
export function stopProcess(child: ChildProcess, graceMs = KILL_GRACE_MS): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const escalate = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(escalate);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** A raw PING rather than a client: a client's reconnect logic would wait instead of saying no. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
    const finish = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(PING_TIMEOUT_MS, () => finish(false));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
    socket.once("error", () => finish(false));
    socket.once("close", () => finish(false));
  });
}

/**
 * A Redis of its own for tests and tools: Debian's `redis-server` on a free loopback port, with
 * persistence off so that it writes nothing to disk and every start is empty. Its output is kept
 * for the error when it does not come up.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  /** What the server wrote to stdout and stderr since it was last started. */
  output = "";

  private constructor(
    readonly port: number,
    private readonly binary: string,
  ) {}

  static async start(): Promise<RedisServer> {
    const binary = findRedisServer();
    if (binary === undefined) {
      throw new Error(
        `No redis-server found (neither ${DEBIAN_BINARY} nor on PATH): install Debian's redis-server package (apt-get install redis-server).`,
      );
    }
    const server = new RedisServer(await freePort(), binary);
    await server.run();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.child && !hasExited(this.child) ? this.child.pid : undefined;
  }

  /** Stopped and started again on the same port, so that clients holding the URL find it again (empty). */
  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
  }

  private async run(): Promise<void> {
    const child = spawn(this.binary, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.output = "";
    const keep = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    // Kept for the whole life of the child: an 'error' without a listener would throw.
    let spawnError: Error | undefined;
    child.on("error", (error) => (spawnError = error));
    try {
      await this.waitUntilAnswering(child, () => spawnError);
    } catch (error) {
      await stopProcess(child);
      throw error;
    }
  }

  private async waitUntilAnswering(child: ChildProcess, spawnError: () => Error | undefined): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const error = spawnError();
      if (error) throw this.startFailure(`could not be started (${error.message})`);
      if (hasExited(child)) throw this.startFailure(`exited (${child.exitCode ?? child.signalCode}) before answering`);
      if (await answersPing(this.port)) return;
      if (Date.now() > deadline) throw this.startFailure(`did not answer PING within ${START_TIMEOUT_MS / 1_000} s`);
      await sleep(POLL_MS);
    }
  }

  private startFailure(what: string): Error {
    return new Error(`redis-server on port ${this.port} ${what}; its output:\n${this.output || "(none)"}`);
  }
}
