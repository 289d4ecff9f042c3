// Owns signed one-click unsubscribe links: /unsubscribe/<user>/<kind>/<signature>, valid without signing in,
// switching off exactly one kind of mail for one member. The signature is an HMAC with a key derived from
// the forum's cookie secret, compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

const KIND = /^[a-z][a-z_]{0,40}$/;

export class UnsubscribeLinks {
  private readonly key: Buffer;
  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('resuelto unsubscribe links v1').digest();
  }

  private sign(userId: number, kind: string): string {
    return createHmac('sha256', this.key).update(`${userId}:${kind}`).digest('base64url');
  }

  path(userId: number, kind: string): string {
    return `/unsubscribe/${userId}/${kind}/${this.sign(userId, kind)}`;
  }

  verify(userId: number, kind: string, signature: string): boolean {
    if (!Number.isSafeInteger(userId) || userId <= 0 || !KIND.test(kind)) return false;
    const expected = Buffer.from(this.sign(userId, kind));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
