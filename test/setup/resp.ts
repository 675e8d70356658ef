/**
 * A tiny RESP2 client over one TCP connection, enough for the Upstash bridge
 * and the benchmark: commands are written in order and replies read in order
 * (Redis answers a connection's commands one after another).
 */
import { type Socket, connect } from "node:net";

export type Reply = string | number | null | Error | Reply[];

export class RedisError extends Error {}

export interface RespConnection {
  /** Sends one command; resolves with its reply (an error reply resolves as a RedisError). */
  send(args: readonly (string | number)[]): Promise<Reply>;
  /** Sends several commands in one write (nothing else can come between them). */
  sendAll(commands: readonly (readonly (string | number)[])[]): Promise<Reply[]>;
  close(): void;
}

function encode(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `pos`; null when the buffer does not hold all of it yet. */
function parse(buf: Buffer, pos: number): { value: Reply; next: number } | null {
  if (pos >= buf.length) return null;
  const lineEnd = buf.indexOf("\r\n", pos);
  if (lineEnd < 0) return null;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString("utf8", pos + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, next: after };
    case "-":
      return { value: new RedisError(line), next: after };
    case ":":
      return { value: Number(line), next: after };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return null;
      return { value: buf.toString("utf8", after, after + len), next: after + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: Reply[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, next);
        if (!item) return null;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

export function connectRedis(port: number, host = "127.0.0.1"): Promise<RespConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host });
    const waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
    let buffer = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.on("data", (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      let pos = 0;
      for (;;) {
        const reply = parse(buffer, pos);
        if (!reply) break;
        pos = reply.next;
        waiting.shift()?.resolve(reply.value);
      }
      buffer = buffer.subarray(pos);
    });
    const fail = (error: Error) => {
      for (const w of waiting.splice(0)) w.reject(error);
    };
    socket.on("error", (e) => {
      fail(e);
      reject(e);
    });
    socket.on("close", () => fail(new Error("redis connection closed")));
    socket.once("connect", () => {
      const send = (args: readonly (string | number)[]) =>
        new Promise<Reply>((res, rej) => {
          waiting.push({ resolve: res, reject: rej });
          socket.write(encode(args));
        });
      resolve({
        send,
        sendAll(commands) {
          const replies = commands.map(
            () => new Promise<Reply>((res, rej) => waiting.push({ resolve: res, reject: rej })),
          );
          socket.write(Buffer.concat(commands.map(encode)));
          return Promise.all(replies);
        },
        close: () => socket.end(),
      });
    });
  });
}
