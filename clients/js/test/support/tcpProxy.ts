import { createServer, connect, type Server, type Socket } from "node:net";
import { freePort } from "./serverProcess.js";

/**
 * A loopback TCP proxy in front of the server, so a test can break the network on purpose: hold back what
 * the server sends (an ack "in flight"), cut every connection, and refuse new ones until told otherwise.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private holdingDownstream = false;

  private constructor(private readonly server: Server, readonly port: number, private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const port = await freePort();
    const server = createServer();
    const proxy = new TcpProxy(server, port, targetPort);
    server.on("connection", (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return proxy;
  }

  /** New connections are closed at once (the server looks down) until `accept(true)`. */
  refuse(refusing = true): void {
    this.refusing = refusing;
  }

  /** Drops everything the server sends from now on, so answers never reach the client. */
  holdServerToClient(hold = true): void {
    this.holdingDownstream = hold;
  }

  /** Breaks every open connection, as a network failure would. */
  cutAll(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(this.targetPort, "127.0.0.1");
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (!this.holdingDownstream) {
        client.write(chunk);
      }
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("close", closeBoth);
    upstream.on("close", closeBoth);
    client.on("error", closeBoth);
    upstream.on("error", closeBoth);
  }
}
