import { randomInt } from 'node:crypto';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/**
 * A new trainee slug as Register makes one (`SecureRandom.base58(24)`): 24 characters of base58.
 *
 * @example
 * newSlug() // 'P897V7tpB2zH75Fow7Kx7hEE'
 */
export function newSlug(length = 24): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE58[randomInt(58)];
  return out;
}
