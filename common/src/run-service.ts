import { ConfigError } from './config-error.js';
import type { Logger } from './logger.js';

/** A started service that can be stopped gracefully. */
export interface StoppableService {
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Starts a service and keeps it running until SIGTERM or SIGINT, then closes it (in-flight work
 * finishes) and exits 0. A configuration error is printed as the plain list of problems, exit 1.
 */
export function runService(start: () => Promise<StoppableService>): void {
  start().then(stopOnSignals, (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}

function stopOnSignals(service: StoppableService): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    service.logger.info('shutting down', { signal });
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
