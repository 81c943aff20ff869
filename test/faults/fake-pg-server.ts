/**
 * A tiny stand-in for a PostgreSQL server that only does authentication, so that a wrong password can
 * be tested even where the real server trusts 127.0.0.1 (any password accepted). It answers the
 * startup message with AuthenticationCleartextPassword, records the password the client sends (proof
 * that it was sent), and rejects it with SQLSTATE 28P01 — optionally echoing the password back in the
 * error text, the way a careless proxy might, to prove the product scrubs it from every message.
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A running fake server. */
export interface FakePgServer {
  readonly port: number;
  /** Passwords received, in order. */
  readonly passwords: string[];
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function errorResponse(code: string, text: string): Buffer {
  const field = (k: string, v: string) => Buffer.concat([Buffer.from(k, 'latin1'), Buffer.from(v, 'utf8'), Buffer.from([0])]);
  return message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]));
}

/**
 * Starts the server on 127.0.0.1 (random port). `echo`: put the received password into the error text.
 * `auth`: `cleartext` (default) asks for the password itself; `scram` asks for SCRAM-SHA-256, the
 * default of PostgreSQL ≥ 14 (the client's first SASL message is answered with a server-first
 * message; a client that has a password then sends a proof, which is rejected with 28P01).
 */
export async function startFakePgServer(opts: { echo?: boolean; auth?: 'cleartext' | 'scram' } = {}): Promise<FakePgServer> {
  const scram = opts.auth === 'scram';
  const passwords: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let started = false;
    let user = '';
    let sentServerFirst = false;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          const body = buf.subarray(8, len);
          buf = buf.subarray(len);
          if (code === 80877103) { socket.write('N'); continue; } // SSLRequest: no SSL here
          const parts = body.toString('utf8').split('\0');
          for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === 'user') user = parts[i + 1] ?? '';
          started = true;
          if (scram) {
            const auth = Buffer.alloc(4);
            auth.writeInt32BE(10, 0); // AuthenticationSASL, then the mechanism list
            socket.write(message('R', Buffer.concat([auth, Buffer.from('SCRAM-SHA-256\0\0', 'latin1')])));
          } else {
            const auth = Buffer.alloc(4);
            auth.writeInt32BE(3, 0); // AuthenticationCleartextPassword
            socket.write(message('R', auth));
          }
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) return;
        const type = String.fromCharCode(buf[0] ?? 0);
        const body = buf.subarray(5, len + 1);
        buf = buf.subarray(len + 1);
        if (type === 'p' && scram && !sentServerFirst) {
          // SASLInitialResponse: mechanism\0, int32 length, client-first-message "n,,n=*,r=<nonce>"
          const nonce = /r=([^,]*)/.exec(body.toString('latin1'))?.[1] ?? '';
          const cont = Buffer.alloc(4);
          cont.writeInt32BE(11, 0); // AuthenticationSASLContinue
          socket.write(message('R', Buffer.concat([cont, Buffer.from(`r=${nonce}fake,s=${Buffer.from('salt').toString('base64')},i=4096`, 'latin1')])));
          sentServerFirst = true;
          continue;
        }
        if (type === 'p') {
          const pw = body.toString('utf8').replace(/\0$/, '');
          passwords.push(pw);
          const text = `password authentication failed for user "${user}"${opts.echo ? ` (received password "${pw}")` : ''}`;
          socket.end(errorResponse('28P01', text));
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('fake server has no port');
  return {
    port: addr.port, passwords,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
