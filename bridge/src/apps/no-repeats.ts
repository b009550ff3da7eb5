import type { z } from 'zod';

/** A zod check that no two items of a list have the same `keyOf`; each repeat is named at its index. */
export function noRepeats<T>(keyOf: (item: T) => string, message: string) {
  return (list: readonly T[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const key = keyOf(item);
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: [i], message });
      }
      seen.add(key);
    });
  };
}
