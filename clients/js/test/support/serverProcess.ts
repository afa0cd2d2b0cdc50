import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");

/**
 * The built Hubs.Server: `HUBS_SERVER_DLL` when set, else `Hubs.Server/bin/<HUBS_CONFIGURATION>/net10.0`,
 * else the newer of the Release and Debug builds.
 */
export function serverDll(): string {
  if (process.env.HUBS_SERVER_DLL) {
    return process.env.HUBS_SERVER_DLL;
  }
  const build = (configuration: string) => join(repositoryRoot, "Hubs.Server", "bin", configuration, "net10.0", "Hubs.Server.dll");
  const candidates = process.env.HUBS_CONFIGURATION ? [build(process.env.HUBS_CONFIGURATION)] : [build("Release"), build("Debug")];
  const built = candidates.filter((path) => existsSync(path)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (built.length === 0) {
    throw new Error(`Hubs.Server is not built (looked for ${candidates.join(", ")}); run \`dotnet build Hubs.Server\` first.`);
  }
  return built[0]!;
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A real Hubs.Server process on Kestrel at 127.0.0.1 (Development environment, so the dev token signer is on).
 * Settings become environment variables (`Rooms:HistoryLength` → `Rooms__HistoryLength`). Stopped by PID.
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private output = "";

  private constructor(readonly port: number, private readonly settings: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the server printed, for failure messages. */
  get log(): string {
    return this.output;
  }

  static async start(settings: Record<string, string> = {}): Promise<ServerProcess> {
    const server = new ServerProcess(await freePort(), settings);
    await server.start();
    return server;
  }

  /** Starts (again, after `stop()`) on the same port and waits until `/health/live` answers. */
  async start(): Promise<void> {
    if (this.child) {
      throw new Error("The server is already running.");
    }
    const dll = serverDll();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: "Development",
      DOTNET_NOLOGO: "1",
      Logging__LogLevel__Default: "Warning",
    };
    for (const [key, value] of Object.entries(this.settings)) {
      env[key.replaceAll(":", "__")] = value;
    }
    const child = spawn("dotnet", [dll, "--urls", this.url], { cwd: dirname(dll), env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    await this.waitUntilLive(child);
  }

  /**
   * Stop (SIGTERM to our own PID), waiting for the exit; SIGKILL when it is not gone within 5 s (a safety net: a
   * graceful stop takes well under a second, see README). Resolves with how the process ended (`signal` is "SIGKILL"
   * when the net was needed); either way the clients see the server go away, which is what most tests are about.
   */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child) {
      return { code: null, signal: null };
    }
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) {
      return { code: child.exitCode, signal: child.signalCode };
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
      child.once("exit", (code, signal) => resolveExit({ code, signal })),
    );
    process.kill(child.pid!, "SIGTERM");
    const killTimer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 5_000);
    const ended = await exited;
    clearTimeout(killTimer);
    return ended;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async waitUntilLive(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        this.child = null;
        throw new Error(`Hubs.Server exited with ${child.exitCode}:\n${this.output}`);
      }
      try {
        const response = await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    await this.stop();
    throw new Error(`Hubs.Server did not answer on ${this.url} within 60 s:\n${this.output}`);
  }
}
