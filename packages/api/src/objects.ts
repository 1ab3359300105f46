/**
 * Object copies that keep V8's hidden classes shared. In the V8 of Node 20 an object made by a spread —
 * `{ ...src }`, `{ ...src, k: v }` — gets a hidden class (map) of its own whenever a property is added
 * to it (in the literal or later): every such addition builds a new map (measured ~0.7 µs each, ten
 * times a plain copy), and every read of the result is megamorphic. Copies made by adding properties
 * to `{}` (Object.assign) follow the shared transition tree instead. These helpers are `{ ...a, ...b }`
 * — same keys, same order, same values — for objects on hot paths that get properties added.
 */
const hasProtoKey = (o: object | null | undefined): boolean => o !== undefined && o !== null && Object.hasOwn(o, '__proto__');

/** `{ ...a, ...b }` (`b` optional; a missing `a` is `{}`) with a shared hidden class. */
export const merged = <T extends object, U extends object = object>(a: T | null | undefined, b?: U): T & U =>
  // A `__proto__` key would set the prototype through assignment: a spread defines it as an own property.
  (hasProtoKey(a) || hasProtoKey(b) ? { ...a, ...b } : Object.assign({}, a, b)) as T & U;
