// Owns what the forum accepts as an e-mail address: one line, one @, a dot in the domain, at most 254 characters.
// Deliberately simple (delivery proves the rest), but never a space, a control character or a line break,
// so an address can never smuggle a header into a mail.
const ADDRESS_PATTERN = /^[^\s@\p{Cc}<>,;"]{1,64}@[^\s@\p{Cc}<>,;"]+\.[^\s@\p{Cc}<>,;"]+$/u;
export const ADDRESS_MAX = 254;

export function isValidAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= ADDRESS_MAX && ADDRESS_PATTERN.test(value);
}

/** The key addresses are compared by (unique per account). */
export const addressKey = (address: string) => address.trim().toLowerCase();
