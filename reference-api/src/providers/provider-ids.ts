/** Every provider id the registry knows. */
export const PROVIDER_IDS = ['outbox', 'twilio', 'vonage', 'sendpulse', 'telegram'] as const;
/** One of {@link PROVIDER_IDS}. */
export type ProviderId = (typeof PROVIDER_IDS)[number];
