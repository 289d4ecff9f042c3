// Owns avatars: an identicon drawn from a username's hash, as SVG, here (no third-party service sees who reads what).
import { createHash } from 'node:crypto';

const GRID = 5;
const CELL = 8;
const PADDING = 4;

/**
 * A symmetric 5×5 pattern in one colour from the SHA-256 of the lower-cased username: the same name always
 * gives the same picture, and nothing but the name goes in. The colour's lightness keeps 3:1 contrast or more
 * against the light background drawn behind it.
 */
export function identiconSvg(username: string): string {
  const hash = createHash('sha256').update(username.toLowerCase()).digest();
  const hue = Math.round((hash[0] / 255) * 360);
  const saturation = 45 + (hash[1] % 25);
  const colour = `hsl(${hue} ${saturation}% 38%)`;
  const size = GRID * CELL + PADDING * 2;
  const cells: string[] = [];
  for (let row = 0; row < GRID; row++) {
    for (let col = 0; col < Math.ceil(GRID / 2); col++) {
      // One bit per cell of the left half (and middle column); the right half mirrors it.
      const bit = row * 3 + col;
      if (((hash[2 + (bit >> 3)] >> (bit & 7)) & 1) === 0) continue;
      for (const x of new Set([col, GRID - 1 - col])) cells.push(`<rect x="${PADDING + x * CELL}" y="${PADDING + row * CELL}" width="${CELL}" height="${CELL}"/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="#eef1f4"/><g fill="${colour}">${cells.join('')}</g></svg>`;
}
