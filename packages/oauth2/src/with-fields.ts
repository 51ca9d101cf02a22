/**
 * A copy of `base` with `fields` set: `{ ...base, ...fields }`, built so that copies of records
 * of one shape share V8's hidden class.
 *
 * Why not the spread itself: on V8 (Node 20 at least), an object made by a spread and then given
 * a property its source did not have (in the literal or by a later assignment) gets a hidden class
 * of its own, every time once the code is warm. Every read of such an object misses its inline
 * cache and goes to the runtime, and the class is kept as long as the object is: a consumed code
 * or a revoked token held by the store, the parameters of every authorization response. Copies
 * made with `Object.assign` onto a fresh object follow the shared transitions.
 *
 * @example
 * ```ts
 * const consumed = withFields(code, { consumedAt: now })
 * ```
 */
export function withFields<T extends object, U extends object>(
  base: T,
  fields: U,
): Omit<T, keyof U> & U {
  return Object.assign({}, base, fields)
}
