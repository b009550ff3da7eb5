import type { RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '@sms-mfa/common/logger';
import type { ProviderId, ReferenceApiConfig } from '../config.js';
import type { SmsProvider } from './sms-provider.js';
import type { ReceiptHandler } from './receipts.js';
import { outboxProvider } from './outbox/outbox.provider.js';
import { telegramProvider } from './telegram/telegram.provider.js';
import { sendPulseProvider } from './sendpulse/sendpulse.provider.js';
import { vonageProvider } from './vonage/vonage.provider.js';
import { twilioProvider } from './twilio/twilio.provider.js';

/** What a provider factory may use besides its own config block. */
export interface ProviderContext {
  readonly config: ReferenceApiConfig;
  readonly redis: Redis;
  readonly logger: Logger;
  /** Where this API receives delivery receipts, e.g. https://sms.example.com/webhooks/twilio; undefined when not public. */
  webhookUrl(providerId: string): string | undefined;
}

/** A provider's module: how to build its sender, and optionally how to read its delivery receipts and which API routes it adds. */
export interface ProviderModule {
  create(context: ProviderContext): SmsProvider;
  receipts?(context: ProviderContext): ReceiptHandler;
  /** Routes of its own (behind `auth`), mounted only when the provider is enabled. */
  routes?(context: ProviderContext, auth: RequestHandler): Router;
}

/** One line per provider: adding one touches its folder, this table and its config block. */
const MODULES: Partial<Record<ProviderId, ProviderModule>> = {
  outbox: outboxProvider,
  telegram: telegramProvider,
  sendpulse: sendPulseProvider,
  vonage: vonageProvider,
  twilio: twilioProvider,
};

/** The module registered for `id`; a TypeError for an id with no adapter (a deployment mistake). */
export function providerModule(id: ProviderId): ProviderModule {
  const module = MODULES[id];
  if (!module) {
    throw new TypeError(`provider "${id}" has no adapter in this build`);
  }
  return module;
}

/** Builds every provider a chain uses (PROVIDERS first, in order, then those only routes name). */
export function createProviders(context: ProviderContext): SmsProvider[] {
  return context.config.enabledProviders.map((id) => providerModule(id).create(context));
}

/** The routes enabled providers add to the API. */
export function createProviderRoutes(context: ProviderContext, auth: RequestHandler): Router[] {
  return context.config.enabledProviders.flatMap((id) => {
    const module = providerModule(id);
    return module.routes ? [module.routes(context, auth)] : [];
  });
}

/** Receipt handlers of every provider that has them (whether or not it is in the chain: late receipts still count). */
export function createReceiptHandlers(context: ProviderContext): ReceiptHandler[] {
  return Object.values(MODULES).flatMap((m) => (m?.receipts ? [m.receipts(context)] : []));
}
