/** Freezes an object and everything reachable from it (config is read once, then never changes). */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
