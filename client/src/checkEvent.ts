/**
 * A label value that looks like an identifier, which would make one series per user or
 * product: a run of 5 digits (ids, zip codes, phones), 12 hex digits (UUIDs, hashes) or an
 * email. Sent as an attribute it is fine; as a label it is refused.
 */
const ID_LIKE = /\d{5}|[\da-f]{12}|\S@\S/i;

/** The mistake, named in the development build only (production builds carry no text). */
const mistake = (text: string) => (__DEV__ ? text : '!');

/**
 * Why a `track(name, attrs, labels)` call is invalid, or undefined when it is valid: the
 * name must match `^[a-z][a-z0-9_]{0,39}$`, and labels are at most 4 strings, numbers or
 * booleans of at most 64 characters that do not look like identifiers (ID_LIKE). An invalid
 * call is dropped whole, so a mistake never becomes a series. Attributes are bounded by
 * toSmallMap (16 entries, 128 characters).
 */
export const checkEvent = (name: unknown, labels?: object | null): string | undefined => {
  if (typeof name != 'string' || !/^[a-z][a-z0-9_]{0,39}$/.test(name)) return mistake('event name: ^[a-z][a-z0-9_]{0,39}$');
  if (Object.keys(labels || {}).length > 4) return mistake('more than 4 labels');
  for (const key in labels) {
    let value = (labels as Record<string, unknown>)[key];
    if (typeof value == 'object' || (value += '').length > 64) return mistake('label ' + key + ': not a value of at most 64 characters');
    if (ID_LIKE.test(value as string)) return mistake('label ' + key + ': looks like an identifier (send it as an attribute)');
  }
};
