// The contract a provider folder fulfils: one module object naming the provider, the channels it
// can serve, the variables it reads and how to build it. It imports no adapter, so an adapter never
// imports the registry that lists it.
import type { RequestHandler, Router } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { z } from 'zod';
import type { Logger } from '@sms-mfa/common/logger';
import type { ReceiptHandler } from './receipts.js';
import type { Channel, SmsProvider } from './sms-provider.js';

/** The environment variables a provider reads, one zod schema per variable. */
export type EnvShape = z.core.$ZodShape;

/** A provider's variables as zod read them. */
export type EnvOf<Shape extends EnvShape> = z.output<z.ZodObject<Shape>>;

/** A rule over a provider's variables, reported as `name` ("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID") when unmet. */
export interface Requirement<Env> {
  readonly name: string;
  met(env: Env): boolean;
}

/** How a provider reads its configuration: its variables, which are secrets, which it needs, and what they mean. */
export interface ProviderConfig<Settings = unknown> {
  /** Its variables; validated at start-up whether or not the provider is enabled. */
  readonly env: z.ZodObject<EnvShape>;
  /** The variables that may instead come from a file named by `NAME_FILE`. */
  readonly secrets: readonly string[];
  /** What must be set once PROVIDERS or PROVIDER_ROUTES names it: a variable, or a rule over several. */
  readonly required: readonly (string | Requirement<EnvOf<EnvShape>>)[];
  /** Its typed settings, from its validated variables (credentials may be missing: receipts are read for every provider). */
  settings(env: EnvOf<EnvShape>): Settings;
}

/** A {@link ProviderConfig} as a provider writes it: secrets and requirements name its own variables. */
export interface ProviderConfigDeclaration<Shape extends EnvShape, Settings> {
  readonly env: z.ZodObject<Shape>;
  readonly secrets: readonly (keyof Shape & string)[];
  readonly required: readonly ((keyof Shape & string) | Requirement<EnvOf<Shape>>)[];
  settings(env: EnvOf<Shape>): Settings;
}

/** What a provider is built with: its own settings, and the few parts of the service it shares. */
export interface ProviderContext<Settings> {
  readonly settings: Settings;
  readonly redis: RedisClient;
  readonly logger: Logger;
  /** QUEUE_PREFIX: the hash tag every RedisClient key of the service starts with. */
  readonly queuePrefix: string;
  /** PROVIDER_TIMEOUT_MS: how long one call to the provider may take. */
  readonly providerTimeoutMs: number;
  /** Where this API receives the provider's delivery receipts (`…/webhooks/<id>`); undefined when not public. */
  readonly webhookUrl: string | undefined;
  /** True when PROVIDERS or PROVIDER_ROUTES names it (receipt handlers are built for every provider). */
  readonly enabled: boolean;
}

/** A provider folder's one export: who it is, what it reads, and how to build its sender, receipts and routes. */
export interface ProviderModule<Id extends string = string, Settings = unknown> {
  readonly id: Id;
  /** Every channel it can serve; a deployment may enable fewer (WhatsApp needs its own sender). */
  readonly channels: ReadonlySet<Channel>;
  readonly config: ProviderConfig<Settings>;
  create(context: ProviderContext<Settings>): SmsProvider;
  /** Reads its delivery receipts at `POST /webhooks/<id>`. */
  receipts?(context: ProviderContext<Settings>): ReceiptHandler;
  /** Routes of its own (behind `auth`), mounted only when the provider is enabled. */
  routes?(context: ProviderContext<Settings>, auth: RequestHandler): Router;
}

/** Checks a provider's config at compile time: its secrets and requirements must be variables it declares. */
export function defineProviderConfig<Shape extends EnvShape, Settings>(
  config: ProviderConfigDeclaration<Shape, Settings>,
): ProviderConfig<Settings> {
  return config;
}

/** Checks a provider module at compile time and keeps its id a literal type. */
export function defineProvider<const Id extends string, Settings>(
  module: ProviderModule<Id, Settings>,
): ProviderModule<Id, Settings> {
  return module;
}

/** A requirement met when any one of `names` is set, reported as "A or B". */
export function anyOf<const Name extends string>(
  ...names: Name[]
): Requirement<Partial<Record<Name, unknown>>> {
  return { name: names.join(' or '), met: (env) => names.some((name) => Boolean(env[name])) };
}

/** A provider's variables read: its settings and the requirements still unmet, or zod's issues. */
export type ProviderEnvReading<Settings> =
  | { readonly ok: true; readonly settings: Settings; readonly missing: readonly string[] }
  | { readonly ok: false; readonly error: z.ZodError };

/** Validates the variables `config` declares in `env` (secret files already resolved). */
export function readProviderEnv<Settings>(
  config: ProviderConfig<Settings>,
  env: Readonly<Record<string, string | undefined>>,
): ProviderEnvReading<Settings> {
  const parsed = config.env.safeParse(env);
  if (!parsed.success) {
    return { ok: false, error: parsed.error };
  }
  const missing = config.required.flatMap((rule) => {
    const met = typeof rule === 'string' ? Boolean(parsed.data[rule]) : rule.met(parsed.data);
    return met ? [] : [typeof rule === 'string' ? rule : rule.name];
  });
  return { ok: true, settings: config.settings(parsed.data), missing };
}
