// A real SMTP server in the test process (smtp-server, nodemailer's sibling): it speaks ESMTP with
// STARTTLS (its own self-signed localhost certificate), implicit TLS or plain, can require AUTH,
// keeps every message whole, and answers as relays do when told to fail: 550 (refused for good),
// 451 (try again later), or no answer at all (the client's timeout).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from 'smtp-server';
import { FailurePlan, type ProviderFake, type RecordedRequest } from '../../fakes/fake-server.js';

/** How the fake relay listens. */
export interface SmtpFakeOptions {
  readonly security: 'starttls' | 'tls' | 'none';
  /** When set, AUTH with these credentials is required before MAIL FROM. */
  readonly auth?: { readonly user: string; readonly pass: string };
}

/** One message the relay took: the envelope, the session's state and the raw message. */
export interface ReceivedMail {
  readonly envelopeFrom: string;
  readonly envelopeTo: readonly string[];
  /** True when the message came over TLS (STARTTLS or implicit). */
  readonly secure: boolean;
  /** The user that authenticated, if any. */
  readonly user: string | undefined;
  readonly raw: Buffer;
}

/** The fake relay; `requests` holds one entry per DATA it received, parsed (from, to, subject, text, html). */
export interface SmtpFake extends ProviderFake {
  readonly port: number;
  readonly messages: ReceivedMail[];
}

function smtpError(responseCode: number, message: string): SMTPServerError {
  return Object.assign(new Error(message), { responseCode });
}

async function recorded(raw: Buffer): Promise<RecordedRequest> {
  const parsed = await simpleParser(raw);
  const body = {
    from: parsed.from?.text,
    to: Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : parsed.to?.text,
    subject: parsed.subject,
    text: parsed.text?.trimEnd(),
    html: typeof parsed.html === 'string' ? parsed.html : undefined,
    messageId: parsed.messageId,
  };
  const headers = Object.fromEntries(
    [...parsed.headerLines].map((h) => [h.key, h.line.slice(h.key.length + 1).trim()]),
  );
  return { method: 'DATA', url: '/', headers, rawBody: raw.toString('utf8'), body, at: Date.now() };
}

/** Starts the relay on a free loopback port. */
export async function startSmtpFake(options: SmtpFakeOptions): Promise<SmtpFake> {
  const plan = new FailurePlan();
  const requests: RecordedRequest[] = [];
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: options.security === 'tls',
    hideSTARTTLS: options.security === 'none',
    authOptional: !options.auth,
    // No reverse DNS of 127.0.0.1 per connection: the adapter's timeout in the contract is 300 ms.
    disableReverseLookup: true,
    disabledCommands: options.auth ? [] : ['AUTH'],
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      callback(ok ? null : smtpError(535, '5.7.8 Authentication credentials invalid'), {
        user: ok ? auth.username : undefined,
      });
    },
    onData(stream, session: SMTPServerSession, callback) {
      void receive(stream, session).then(
        () => callback(),
        (err: SMTPServerError) => callback(err),
      );
    },
  });

  async function receive(stream: NodeJS.ReadableStream, session: SMTPServerSession) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    requests.push(await recorded(raw));
    const failure = plan.take();
    if (failure?.kind === 'timeout') {
      await new Promise((resolve) => setTimeout(resolve, 5000).unref());
      throw smtpError(451, '4.4.2 Timed out');
    }
    if (failure?.kind === 'permanent') {
      throw smtpError(Number(failure.options.code ?? 550), '5.1.1 Mailbox unavailable');
    }
    if (failure) {
      throw smtpError(Number(failure.options.code ?? 451), '4.3.0 Try again later');
    }
    messages.push({
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      envelopeTo: session.envelope.rcptTo.map((r) => r.address),
      secure: session.secure,
      user: session.user as string | undefined,
      raw,
    });
  }

  // mailparser loads its decoders on first use: pay that before the first timed send.
  await simpleParser(Buffer.from('Subject: warm-up\r\n\r\nwarm-up\r\n'));
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    requests,
    messages,
    failNext: (kind, failure) => plan.add(kind, failure),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
