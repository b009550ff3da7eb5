import winston from 'winston';
import { redact } from './mask.js';
import { currentRequestId } from './request-context.js';

/** Structured logger used by both services. */
export type Logger = winston.Logger;

const addContext = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && info['requestId'] === undefined) {
    info['requestId'] = requestId;
  }
  return info;
});

const redactFields = winston.format((info) => {
  const { level, message, ...rest } = info;
  const clean = redact(rest) as Record<string, unknown>;
  for (const key of Object.keys(rest)) {
    info[key] = clean[key];
  }
  info.level = level;
  info.message = message;
  return info;
});

/** A JSON logger with the request id on every line and phone numbers, codes and secrets scrubbed. `silent` logs nothing (tests). */
export function createLogger(service: string, level = 'info'): Logger {
  // winston formats a line before its transport drops it for its level: drop it first, unformatted.
  const belowLevel = winston.format((info) => logger.isLevelEnabled(info.level) && info);
  const logger = winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    defaultMeta: { service },
    format: winston.format.combine(
      belowLevel(),
      addContext(),
      redactFields(),
      winston.format.timestamp(),
      winston.format.json(),
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })],
  });
  return logger;
}
