import type { RequestHandler, Router } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Logger } from '@sms-mfa/common/logger';
import type { ProviderContext, ProviderModule } from './provider-module.js';
import type { ReceiptHandler } from './receipts.js';
import type { SmsProvider } from './sms-provider.js';
import { outboxModule } from './outbox/outbox.module.js';
import { twilioModule } from './twilio/twilio.module.js';
import { vonageModule } from './vonage/vonage.module.js';
import { sendPulseModule } from './sendpulse/sendpulse.module.js';
import { telegramModule } from './telegram/telegram.module.js';
import { smtpModule } from './smtp/smtp.module.js';
import { sendGridModule } from './sendgrid/sendgrid.module.js';

/** Every provider of this build: adding one is its folder and a line here. */
const MODULES = [
  outboxModule,
  twilioModule,
  vonageModule,
  sendPulseModule,
  telegramModule,
  smtpModule,
  sendGridModule,
] as const;

type AnyModule = (typeof MODULES)[number];

/** One of {@link PROVIDER_IDS}. */
export type ProviderId = AnyModule['id'];

/** Every provider's module, in registry order, as config and the service see them. */
export const PROVIDER_MODULES: readonly ProviderModule<ProviderId>[] = MODULES;

/** Every provider id the registry knows. */
export const PROVIDER_IDS: readonly ProviderId[] = MODULES.map((m) => m.id);

/** Each provider's settings, by id: what its `<id>.config.ts` reads from the environment. */
export type ProviderSettings = {
  readonly [M in AnyModule as M['id']]: M extends ProviderModule<string, infer S> ? S : never;
};

/** The part of the service's configuration the registry reads (the service's config is one). */
export interface RegistryConfig {
  readonly enabledProviders: readonly ProviderId[];
  readonly providerSettings: ProviderSettings;
  readonly queuePrefix: string;
  readonly providerTimeoutMs: number;
}

/** What the service hands the registry: its config and connections. */
export interface RegistryContext {
  readonly config: RegistryConfig;
  readonly redis: RedisClient;
  readonly logger: Logger;
  /** Where this API receives delivery receipts, e.g. https://sms.example.com/webhooks/twilio; undefined when not public. */
  webhookUrl(providerId: string): string | undefined;
}

/** The module registered for `id`; a TypeError for an id with no adapter (a deployment mistake). */
export function providerModule(id: ProviderId): ProviderModule<ProviderId> {
  const module = PROVIDER_MODULES.find((m) => m.id === id);
  if (!module) {
    throw new TypeError(`provider "${id}" has no adapter in this build`);
  }
  return module;
}

/** The context `module` is built with: its own settings and the parts of the service it shares. */
function contextFor(module: ProviderModule<ProviderId>, context: RegistryContext) {
  const { config } = context;
  return {
    settings: config.providerSettings[module.id],
    redis: context.redis,
    logger: context.logger,
    queuePrefix: config.queuePrefix,
    providerTimeoutMs: config.providerTimeoutMs,
    webhookUrl: context.webhookUrl(module.id),
    enabled: config.enabledProviders.includes(module.id),
  } satisfies ProviderContext<unknown>;
}

/** Builds the provider `id` as the service would. */
export function createProvider(id: ProviderId, context: RegistryContext): SmsProvider {
  const module = providerModule(id);
  return module.create(contextFor(module, context));
}

/** Builds every provider a chain uses (PROVIDERS first, in order, then those only routes name). */
export function createProviders(context: RegistryContext): SmsProvider[] {
  return context.config.enabledProviders.map((id) => createProvider(id, context));
}

/** The routes enabled providers add to the API. */
export function createProviderRoutes(context: RegistryContext, auth: RequestHandler): Router[] {
  return context.config.enabledProviders.flatMap((id) => {
    const module = providerModule(id);
    return module.routes ? [module.routes(contextFor(module, context), auth)] : [];
  });
}

/** Receipt handlers of every provider that has them (whether or not it is in the chain: late receipts still count). */
export function createReceiptHandlers(context: RegistryContext): ReceiptHandler[] {
  return PROVIDER_MODULES.flatMap((m) => (m.receipts ? [m.receipts(contextFor(m, context))] : []));
}
