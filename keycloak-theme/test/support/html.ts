// Just enough HTML reading for the template tests: the rendered pages are ours and regular.

/** The opening tag of the element with this id, or undefined. */
export function openingTag(html: string, id: string): string | undefined {
  return new RegExp(`<[a-z][a-z0-9]*\\b[^>]*\\bid="${id}"[^>]*>`, 's').exec(html)?.[0];
}

/** An attribute's value in an opening tag: '' for a bare attribute, undefined when absent. */
export function attribute(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}(?:="([^"]*)")?(?=[\\s/>])`, 's').exec(tag);
  return m ? (m[1] ?? '') : undefined;
}

/** The page's visible text with tags dropped and white space collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style|noscript)\b.*?<\/\1>/gs, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text inside the element with this id, nested elements of the same kind included. */
export function textOf(html: string, id: string): string | undefined {
  const open = new RegExp(`<([a-z][a-z0-9]*)\\b[^>]*\\bid="${id}"[^>]*>`, 's').exec(html);
  if (!open) {
    return undefined;
  }
  const name = open[1]!;
  const tags = new RegExp(`<(/?)${name}\\b[^>]*>`, 'g');
  tags.lastIndex = open.index + open[0].length;
  for (let depth = 1, m = tags.exec(html); m; m = tags.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) {
      return visibleText(html.slice(open.index + open[0].length, m.index));
    }
  }
  return undefined;
}
