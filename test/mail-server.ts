// A real SMTP server on loopback for tests: smtp-server receives what nodemailer actually sends, mailparser
// parses it. Start one, pass `smtpUrl` as SMTP_URL, and read `messages`. Reusable by any feature that mails.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Every header, lower-cased name -> raw value as received (folded lines unfolded). */
  headers: Map<string, string>;
  raw: string;
  parsed: ParsedMail;
}

export interface MailServer {
  smtpUrl: string;
  port: number;
  messages: ReceivedMail[];
  /** Resolves with the first message (received already or later) that matches, or rejects after `timeoutMs`. */
  waitFor: (match: (mail: ReceivedMail) => boolean, timeoutMs?: number) => Promise<ReceivedMail>;
  /** Messages sent to an address (case-insensitive). */
  to: (address: string) => ReceivedMail[];
  /** While true, the server takes the DATA of a message and never answers it (a hung server). */
  stall: boolean;
  /** Messages whose DATA arrived while stalling (never answered, so never delivered). */
  readonly stalled: number;
  close: () => Promise<void>;
}

/** The first absolute link in a mail's text part that starts with `prefix` (e.g. `${baseUrl}/reset/`). */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}\\S+`).exec(mail.text);
  if (!match) throw new Error(`no link starting with ${prefix} in:\n${mail.text}`);
  return match[0];
}

export async function startMailServer(options: { port?: number } = {}): Promise<MailServer> {
  const messages: ReceivedMail[] = [];
  const waiters: { match: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void }[] = [];
  const state = { stall: false, stalled: 0 };
  const server = new SMTPServer({
    authOptional: true,
    // No STARTTLS on loopback: nodemailer would otherwise upgrade and refuse the server's self-signed certificate.
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 500,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.stall) {
          state.stalled++;
          return; // never answers: the client waits until it gives up or dies
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            const headers = new Map<string, string>();
            for (const line of parsed.headerLines) headers.set(line.key.toLowerCase(), line.line.slice(line.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
            const mail: ReceivedMail = {
              to: session.envelope.rcptTo.map((r) => r.address),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              headers,
              raw,
              parsed,
            };
            messages.push(mail);
            for (const waiter of [...waiters]) {
              if (waiter.match(mail)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(mail);
              }
            }
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    get stall() {
      return state.stall;
    },
    set stall(value: boolean) {
      state.stall = value;
    },
    get stalled() {
      return state.stalled;
    },
    to: (address) => messages.filter((m) => m.to.some((a) => a.toLowerCase() === address.toLowerCase())),
    waitFor: (match, timeoutMs = 5000) => {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (mail: ReceivedMail) => (clearTimeout(timer), resolve(mail)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${messages.length}: ${messages.map((m) => m.subject).join(' | ')})`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
