import type { BridgeConfig } from '../../config.js';

/** An answer of the CIAM API the demo did not expect, with its `code` when it had one. */
export class CiamCallError extends Error {
  override readonly name = 'CiamCallError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The fields of `GET .../deviceAuthentications/{authId}` the demo reads. */
export interface AuthStatus {
  readonly authId: string;
  readonly status: string;
}

/** A message in the reference API's dev outbox. */
export interface OutboxMessage {
  readonly to: string;
  readonly channel: string;
  readonly text: string;
  readonly sentAt: string;
}

/** The fields of a device in `GET .../users/{userName}/devices` the demo reads. */
export interface DemoDevice {
  readonly deviceId: string;
  readonly status: 'ACTIVATION_REQUIRED' | 'ACTIVE';
  readonly digits: number;
}

/** The fields of an enrolment's answer the demo reads. */
export interface DemoEnrolment extends DemoDevice {
  readonly secret: string;
  readonly otpauthUri: string;
}

const TIMEOUT_MS = 5000;
const devicesPath = (userName: string) =>
  `/ciam-mfa/v2/users/${encodeURIComponent(userName)}/devices`;

/**
 * The demo's way to the CIAM MFA API: over HTTP, with a client-credentials token from the
 * issuer (the embedded one, or OIDC_ISSUER_URL's), exactly as any other application would.
 */
export class CiamClient {
  #token: { value: string; expiresAtMs: number } | undefined;

  constructor(
    private readonly config: Pick<BridgeConfig, 'publicUrl' | 'issuer' | 'referenceApi'>,
    private readonly client: { readonly clientId: string; readonly clientSecret: string },
  ) {}

  /** `POST /ciam-mfa/v2/deviceAuthentications`: sends a code by SMS; resolves to the authId. */
  async sendCode(userName: string, phoneNumber: string): Promise<string> {
    const body = await this.call('POST', '/ciam-mfa/v2/deviceAuthentications', {
      userName,
      phoneNumber,
      deviceType: 'SMS',
    });
    return String(body['authId']);
  }

  /** `POST /ciam-mfa/v2/deviceAuthentications` with deviceType TOTP: nothing is sent; resolves to the authId. */
  async startTotp(userName: string): Promise<string> {
    const body = await this.call('POST', '/ciam-mfa/v2/deviceAuthentications', {
      userName,
      deviceType: 'TOTP',
    });
    return String(body['authId']);
  }

  /** `GET /ciam-mfa/v2/users/{userName}/devices`: the user's authenticator apps. */
  async devices(userName: string): Promise<DemoDevice[]> {
    const body = await this.call('GET', devicesPath(userName));
    return (body['devices'] ?? []) as DemoDevice[];
  }

  /** `POST /ciam-mfa/v2/users/{userName}/devices`: enrols an authenticator app. */
  async enrolTotp(userName: string): Promise<DemoEnrolment> {
    const body = await this.call('POST', devicesPath(userName), { deviceType: 'TOTP' });
    return body as unknown as DemoEnrolment;
  }

  /** `POST /ciam-mfa/v2/users/{userName}/devices/{deviceId}/activate` with the app's first code. */
  async activateTotp(userName: string, deviceId: string, otp: string): Promise<void> {
    await this.call('POST', `${devicesPath(userName)}/${encodeURIComponent(deviceId)}/activate`, {
      otp,
    });
  }

  /** `GET /ciam-mfa/v2/deviceAuthentications/{authId}`. */
  async status(authId: string): Promise<AuthStatus> {
    const body = await this.call(
      'GET',
      `/ciam-mfa/v2/deviceAuthentications/${encodeURIComponent(authId)}`,
    );
    return { authId: String(body['authId']), status: String(body['status']) };
  }

  /** The newest dev-outbox messages to `phone` (empty when the reference API has no outbox). */
  async outbox(phone: string, limit = 3): Promise<OutboxMessage[]> {
    const { url, apiKey } = this.config.referenceApi;
    const res = await fetch(`${url}/dev/outbox?to=${encodeURIComponent(phone)}&limit=${limit}`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch(() => undefined);
    return res?.ok ? ((await res.json()) as OutboxMessage[]) : [];
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}` };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.config.publicUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      throw new CiamCallError(
        res.status,
        answer['code'] as string | undefined,
        String(answer['message'] ?? `HTTP ${res.status}`),
      );
    }
    return answer;
  }

  private async token(): Promise<string> {
    if (this.#token && this.#token.expiresAtMs > Date.now()) {
      return this.#token.value;
    }
    const issuer = this.config.issuer.externalUrl ?? this.config.issuer.url;
    const basic = Buffer.from(
      `${encodeURIComponent(this.client.clientId)}:${encodeURIComponent(this.client.clientSecret)}`,
    ).toString('base64');
    const res = await fetch(`${issuer.replace(/\/+$/, '')}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) {
      throw new CiamCallError(
        res.status,
        'UNAUTHORIZED',
        `the demo client could not get a token (HTTP ${res.status})`,
      );
    }
    const answer = (await res.json()) as { access_token: string; expires_in: number };
    // Renew a little early, so a token never expires between the check and the call.
    this.#token = {
      value: answer.access_token,
      expiresAtMs: Date.now() + Math.max(0, answer.expires_in - 30) * 1000,
    };
    return answer.access_token;
  }
}
