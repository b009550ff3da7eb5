// `npm run apps -- quarantines …` and `… release-prefix …`: an application's SMS-pumping
// quarantines, read and released straight in RedisClient like the other commands.
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { ApplicationStore } from '../apps/application-store.js';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import { PrefixGuard } from '../pumping/prefix-guard.js';

/** Usage lines of these commands, for the CLI's help. */
export const QUARANTINE_USAGE = `  quarantines <clientId>              destination prefixes in SMS-pumping quarantine, and until when
  release-prefix <clientId> --prefix +23276
                                      end a quarantine early (the prefix's count starts over)`;

/** The flags these commands read. */
export const QUARANTINE_OPTIONS = { prefix: { type: 'string' } } as const;

/** What these commands are run with. */
export interface QuarantineCommandContext {
  readonly config: Readonly<BridgeConfig>;
  readonly redis: RedisClient;
  readonly apps: ApplicationStore;
  readonly flags: { readonly prefix?: string | undefined; readonly json?: boolean | undefined };
  readonly target: string | undefined;
  readonly print: (text: string) => void;
}

/** `quarantines` and `release-prefix`. */
export const QUARANTINE_COMMANDS: Record<string, (ctx: QuarantineCommandContext) => Promise<void>> =
  {
    async quarantines(ctx) {
      const clientId = await existing(ctx);
      const list = await guardOf(ctx).list(clientId, Date.now());
      if (ctx.flags.json) {
        return ctx.print(JSON.stringify({ clientId, quarantines: list }, null, 2));
      }
      ctx.print(
        list.length === 0
          ? `No prefix is in quarantine for ${clientId}.`
          : list.map((q) => `${q.prefix}  until ${q.until}`).join('\n'),
      );
    },
    async 'release-prefix'(ctx) {
      const clientId = await existing(ctx);
      const prefix = ctx.flags.prefix;
      if (!prefix) {
        throw new CiamError(
          'INVALID_REQUEST',
          'release-prefix needs --prefix, e.g. --prefix +23276',
        );
      }
      if (!(await guardOf(ctx).release(clientId, prefix))) {
        throw new CiamError('NOT_FOUND', `${prefix} is not quarantined for ${clientId}`);
      }
      ctx.print(`Released ${prefix} for ${clientId}: codes to it are sent again.`);
    },
  };

function guardOf(ctx: QuarantineCommandContext): PrefixGuard {
  return new PrefixGuard(ctx.redis, ctx.config.keyPrefix, ctx.config.pumping);
}

async function existing(ctx: QuarantineCommandContext): Promise<string> {
  const clientId = ctx.target;
  if (!clientId) {
    throw new CiamError('INVALID_REQUEST', 'name the application: <command> <clientId>');
  }
  if (!(await ctx.apps.get(clientId))) {
    throw new CiamError('NOT_FOUND', `no application ${clientId.slice(0, 64)}`);
  }
  return clientId;
}
