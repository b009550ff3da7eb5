import { createLogger, type Logger } from '@sms-mfa/common/logger';

/** A service logger whose JSON lines a test reads instead of the console (every level from `level` up). */
export interface CapturingLogger {
  readonly logger: Logger;
  readonly lines: string[];
  /** The messages logged at `level`. */
  at(level: string): string[];
}

/** A real JSON logger for `service` that writes nothing and keeps each line it would have written. */
export function capturingLogger(service: string, level = 'info'): CapturingLogger {
  const logger = createLogger(service, level);
  for (const transport of logger.transports) {
    transport.silent = true;
  }
  const lines: string[] = [];
  // A line below `level` is dropped by the format, which winston still emits as `false`.
  logger.on('data', (info: Record<symbol, string> | false) => {
    const line = info ? info[Symbol.for('message')] : undefined;
    if (line !== undefined) {
      lines.push(line);
    }
  });
  return {
    logger,
    lines,
    at: (wanted) =>
      lines
        .map((l) => JSON.parse(l) as { level: string; message: string })
        .filter((l) => l.level === wanted)
        .map((l) => l.message),
  };
}
