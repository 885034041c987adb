const UNITS = ["kB", "MB", "GB", "TB"];

/**
 * A size in bytes as people read it, in decimal units (1 kB = 1000 bytes, as `max_cache_mb`
 * counts): `512 B`, `5.4 kB`, `12.3 MB`, `640 MB`; one decimal below 100 of a unit.
 *
 * @param bytes The size, a whole number of bytes.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatSize } from "./src/render/size.ts";
 * console.log(formatSize(1_234_567)); // 1.2 MB
 * ```
 */
export function formatSize(bytes: number): string {
  if (!(bytes >= 1000)) return `${Math.max(0, Math.round(bytes || 0))} B`;
  let value = bytes / 1000;
  let unit = 0;
  // Rounded as shown: 999,600 bytes is 1.0 MB, not 1000 kB.
  while (value >= 999.5 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return value < 99.95
    ? `${value.toFixed(1)} ${UNITS[unit]}`
    : `${Math.round(value)} ${UNITS[unit]}`;
}
