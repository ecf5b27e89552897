/**
 * A copy of `text` that shares no memory with the string it was taken from. V8 makes a substring
 * of 13 characters or more a view (a "sliced string") of its parent, so a map key or a kept
 * timestamp cut out of a decoded window of many lines would keep the whole window alive. The
 * concatenation is flattened into a fresh string when sliced, so the result holds its own
 * characters (and one more) and nothing else. Shorter strings are copies already.
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : `${text}\u0000`.slice(0, -1);
}
