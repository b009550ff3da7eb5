import { ConfigError } from './config-error.js';
import type { Logger } from './logger.js';
import { RedisStartError } from './redis-start.js';

/** A started service that can be stopped gracefully. */
export interface StoppableService {
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Starts a service and keeps it running until SIGTERM or SIGINT, then closes it (in-flight work
 * finishes) and exits 0. A configuration error is printed as the plain list of problems, a Redis
 * it cannot reach (a certificate, a password) and a port already taken as one line each (the port's
 * naming `portVariable`); either way, exit 1.
 */
export function runService(start: () => Promise<StoppableService>, portVariable = 'PORT'): void {
  start().then(stopOnSignals, (err: unknown) => {
    console.error(startFailure(err, portVariable));
    process.exit(1);
  });
}

/** What to print when a service cannot start: a plain line for what the user can fix. */
export function startFailure(err: unknown, portVariable: string): unknown {
  if (err instanceof ConfigError || err instanceof RedisStartError) {
    return err.message;
  }
  const listen = err as { code?: unknown; port?: unknown };
  if (listen?.code === 'EADDRINUSE') {
    return `port ${String(listen.port)} is already in use: stop what listens there, or set ${portVariable} to another port`;
  }
  return err;
}

function stopOnSignals(service: StoppableService): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    service.logger.info('shutting down', { signal });
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
