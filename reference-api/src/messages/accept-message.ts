import { InvalidPhoneError, normalisePhone } from '@sms-mfa/common/phone';
import type { Logger } from '@sms-mfa/common/logger';
import { maskRecipient } from '@sms-mfa/common/mask';
import { currentRequestId } from '@sms-mfa/common/request-context';
import { ApiError, invalidPhone } from '../errors.js';
import { chainFor } from '../delivery/chain.js';
import { tablePrice, type PriceTable } from '../pricing/price-table.js';
import type { Channel, EmailPart, Price, SmsProvider } from '../providers/sms-provider.js';
import type { QueueShards } from '../delivery/queue-shards.js';
import type { SendQueue } from '../delivery/send.queue.js';
import { emailPartOf } from './email-content.js';
import { fingerprint, type IdempotencyKeys } from './idempotency.js';
import { normaliseAddress } from './mailbox.js';
import type { MessageInput } from './message-input.js';
import type { MessageRecord } from './message-status.js';
import type { MessageStore } from './message-store.js';
import type { MessageReplicaWaits } from './replica-waits.js';
import { renderCodeText } from './templates.js';

/** What accepting a message needs. */
export interface AcceptDeps {
  readonly store: MessageStore;
  readonly queue: SendQueue;
  readonly idempotency: IdempotencyKeys;
  /** QUEUE_SHARDS: a new message's id says its shard. */
  readonly shards: QueueShards;
  /** REDIS_WAIT_REPLICAS > 0: waits for replicas to hold a new message before it is acknowledged. */
  readonly replicaWaits?: MessageReplicaWaits | undefined;
  readonly providers: readonly SmsProvider[];
  /** Provider ids to try for a destination on a channel, in order (PROVIDER_ROUTES, else PROVIDERS). */
  readonly route: (to: string, channel: Channel) => readonly string[];
  /** EMAIL_FROM: the sender of emails that name none. */
  readonly emailFrom: string | undefined;
  /** PRICE_TABLE_FILE: what a send is estimated to cost. */
  readonly prices: PriceTable | undefined;
  readonly logger: Logger;
}

/** The accepted message, whether it is the replay of an earlier request, and what the table says it costs. */
export interface Accepted {
  readonly record: MessageRecord;
  readonly replayed: boolean;
  readonly estimatedPrice: Price | undefined;
}

/** Validates the destination, picks the chain, records and queues the message (once per idempotency key). */
export async function acceptMessage(
  deps: AcceptDeps,
  input: MessageInput,
  idempotency?: { scope: string; key: string },
): Promise<Accepted> {
  const { to, country } = destinationOf(input);
  const email = emailPartOf(input, deps.emailFrom);
  const routed = deps
    .route(to, input.channel)
    .flatMap((id) => deps.providers.filter((p) => p.id === id));
  const chain = chainFor(routed, input.channel).map((p) => p.id);
  if (chain.length === 0) {
    throw new ApiError(
      'CHANNEL_NOT_AVAILABLE',
      `channel: no configured provider sends ${input.channel}`,
      { details: [{ field: 'channel', message: `no configured provider sends ${input.channel}` }] },
    );
  }
  // With an Idempotency-Key, the message goes on the key's shard, so both live in one slot.
  const id = deps.shards.newId(
    idempotency ? deps.idempotency.digest(idempotency.scope, idempotency.key) : undefined,
  );
  const estimatedPrice = tablePrice(deps.prices, input.channel, to);
  if (idempotency) {
    const claim = await deps.idempotency.claim(
      idempotency.scope,
      idempotency.key,
      id,
      fingerprint({ ...input, to }),
    );
    if (claim.kind === 'conflict') {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        'Idempotency-Key was already used for a different request',
      );
    }
    if (claim.kind === 'replay') {
      return { record: await replay(deps, claim.messageId), replayed: true, estimatedPrice };
    }
  }
  try {
    const record = await enqueue(deps, id, { to, country, email }, input, chain);
    return { record, replayed: false, estimatedPrice };
  } catch (err) {
    if (idempotency) {
      await deps.idempotency.release(idempotency.scope, idempotency.key).catch(() => undefined);
    }
    throw err;
  }
}

// An address was checked by the schema; a number is normalised to E.164 here, and its country
// ("" for none) goes in the job for the spend by country.
function destinationOf(input: MessageInput): { to: string; country: string } {
  if (input.channel === 'email') {
    return { to: normaliseAddress(input.to), country: '' };
  }
  try {
    const phone = normalisePhone(input.to);
    return { to: phone.e164, country: phone.country ?? '' };
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      throw invalidPhone(input.phoneField, err.message);
    }
    throw err;
  }
}

async function enqueue(
  deps: AcceptDeps,
  id: string,
  { to, country, email }: { to: string; country: string; email: EmailPart | undefined },
  input: MessageInput,
  chain: string[],
): Promise<MessageRecord> {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
  const text = input.text ?? renderCodeText(input.code!, input.ttlSeconds, input.locale);
  // Sealed as a whole in the job: the text, the code and a DKIM key alike.
  const content = {
    to,
    text,
    code: input.code,
    channel: input.channel,
    locale: input.locale,
    clientRef: input.clientRef,
    country,
    ...(input.account ? { account: input.account } : {}),
    ...(email ? { email } : {}),
  };
  // Both writes go out together (auto-pipelining); if either fails, neither is left behind.
  const [created, queued] = await Promise.allSettled([
    deps.store.create({
      id,
      channel: input.channel,
      to,
      clientRef: input.clientRef,
      createdAt: now,
      expiresAt,
    }),
    deps.queue.add(id, content, chain, expiresAt, currentRequestId()),
  ]);
  if (created.status === 'rejected' || queued.status === 'rejected') {
    await Promise.allSettled([deps.store.remove(id), deps.queue.remove(id)]);
    throw created.status === 'rejected' ? created.reason : (queued as PromiseRejectedResult).reason;
  }
  const record = created.value;
  if (deps.replicaWaits) {
    await deps.replicaWaits.afterWrite(id);
  }
  // Off at info (the usual level): the line is not even built, nor its number masked.
  if (deps.logger.isLevelEnabled('debug')) {
    deps.logger.debug('message queued', {
      messageId: id,
      to: maskRecipient(to),
      channel: input.channel,
      chain,
    });
  }
  return record;
}

async function replay(deps: AcceptDeps, messageId: string): Promise<MessageRecord> {
  const record = await deps.store.get(messageId);
  if (!record) {
    throw new ApiError(
      'IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key belongs to a message that is no longer kept',
    );
  }
  return record;
}
