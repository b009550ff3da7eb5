import { readFileSync } from 'node:fs';

/** Parses a Java .properties file read as UTF-8 (Keycloak 23+ reads theme messages so): comments, continuations, escapes. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const match = /^((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$/s.exec(line);
    if (match) {
      out.set(unescape(match[1] ?? ''), unescape(match[2] ?? ''));
    }
  }
  return out;
}

/** Reads a .properties file; a missing file reads as empty. */
export function readProperties(path: string): Map<string, string> {
  try {
    return parseProperties(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return new Map();
    }
    throw err;
  }
}

/**
 * Fills a java.text.MessageFormat pattern: `{0}` takes an argument, `''` is one apostrophe and
 * text between single apostrophes is literal (the bundles use ’ so rarely need it).
 */
export function formatMessage(pattern: string, args: readonly (string | number)[]): string {
  return pattern.replace(
    /'([^']*)'|\{(\d+)\}/g,
    (_whole, quoted: string | undefined, index: string | undefined) => {
      if (quoted !== undefined) {
        return quoted === '' ? "'" : quoted;
      }
      const value = args[Number(index)];
      return value === undefined ? '' : String(value);
    },
  );
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (!pending && (line === '' || line.startsWith('#') || line.startsWith('!'))) {
      continue;
    }
    const continued = /(?:^|[^\\])(?:\\\\)*\\$/.test(line);
    pending += continued ? line.slice(0, -1) : line;
    if (!continued) {
      lines.push(pending);
      pending = '';
    }
  }
  if (pending) {
    lines.push(pending);
  }
  return lines;
}

function unescape(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_w, c: string) => {
    if (c.length === 5) {
      return String.fromCharCode(parseInt(c.slice(1), 16));
    }
    return ({ n: '\n', t: '\t', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}
