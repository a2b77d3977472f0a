import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const nextBin = fileURLToPath(new URL("../node_modules/next/dist/bin/next", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A lab server of its own (`next start` on the existing production build) on a free loopback
 * port: for tests that stop and restart it or need another environment, and for the soak and
 * HTTP benchmarks. Its output is kept so that a run can look for errors in it.
 */
export class LabServer {
  private child: ChildProcess | undefined;
  /** Everything the server wrote to stdout and stderr. */
  output = "";

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  /** The process id, for reading its memory from outside. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  static async start(env: Record<string, string> = {}): Promise<LabServer> {
    const server = new LabServer(await freePort(), env);
    await server.run();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async run(): Promise<void> {
    this.child = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(this.port)], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...this.env, PORT: String(this.port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => (this.output += chunk.toString());
    this.child.stdout?.on("data", keep);
    this.child.stderr?.on("data", keep);
    await waitUntilServing(`${this.url}/api/state`, 30_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}
