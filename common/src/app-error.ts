/** One field-level problem in a rejected request. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * The base of every error a service turns into a response: a stable string `code` from the
 * service's catalogue, an HTTP `status`, and `expose` (whether the message may reach the caller).
 */
export class AppError<Code extends string = string> extends Error {
  override readonly name: string = 'AppError';
  readonly expose: boolean;
  constructor(
    readonly code: Code,
    readonly status: number,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.expose = status < 500;
  }
}
