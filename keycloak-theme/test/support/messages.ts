// Reads the theme's message bundles the way java.util.Properties does (UTF-8, as Keycloak 23+).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loginThemeDir } from './render-template.js';

/** The locales theme.properties declares, e.g. `pt-BR`. */
export function declaredLocales(): string[] {
  const props = parseProperties(readFileSync(join(loginThemeDir, 'theme.properties'), 'utf8'));
  return (props.get('locales') ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The message file of a locale tag: `pt-BR` → messages_pt_BR.properties. */
export function messageFile(locale: string): string {
  return join(loginThemeDir, 'messages', `messages_${locale.replace('-', '_')}.properties`);
}

/** Every messages_*.properties file in the theme. */
export function messageFiles(): string[] {
  return readdirSync(join(loginThemeDir, 'messages')).filter((f) =>
    /^messages_.+\.properties$/.test(f),
  );
}

/** The messages of one locale. */
export function messages(locale: string): Map<string, string> {
  return parseProperties(readFileSync(messageFile(locale), 'utf8'));
}

/** A message with its `{n}` arguments filled in, as MessageFormat does for plain arguments. */
export function messageText(locale: string, key: string, ...args: (string | number)[]): string {
  const pattern = messages(locale).get(key);
  if (pattern === undefined) {
    throw new Error(`no ${key} in ${locale}`);
  }
  return pattern
    .replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]))
    .replace(/''/g, "'");
}

function unescape(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.startsWith('u') && e.length === 5) {
      return String.fromCharCode(parseInt(e.slice(1), 16));
    }
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/** java.util.Properties' format: comments, `=` or `:` separators, continuation lines, escapes. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) {
      continue;
    }
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    const m = /^((?:\\.|[^=:\s])+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) {
      out.set(unescape(m[1]!), unescape(m[2]!));
    } else {
      out.set(unescape(line), '');
    }
  }
  return out;
}
