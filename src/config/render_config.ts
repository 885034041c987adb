import { DEFAULT_CONFIG, type LoadedConfig, type TphConfig } from "./load_config.ts";

/**
 * The text of `tph config`: where the configuration came from and every effective value.
 *
 * @param loaded What loadConfig() returned.
 * @param cwd The folder the search started from.
 * @returns Lines of text.
 */
export function renderConfig(loaded: LoadedConfig, cwd: string): string {
  const lines: string[] = [];
  if (loaded.source === null) {
    lines.push(
      `Configuration: defaults (no tracepatch.toml, and no "tracepatch" key in deno.json or ` +
        `package.json, in ${cwd} or above)`,
      "",
      "To configure tph, create tracepatch.toml in your project, for example:",
      "  max_depth = 50",
      '  ignore_modules = ["src/generated"]',
      '  include = ["node_modules/marked/**"]',
      "",
    );
  } else lines.push(`Configuration: ${loaded.source}`, "");
  const width = Math.max(...Object.keys(DEFAULT_CONFIG).map((k) => k.length));
  for (const key of Object.keys(DEFAULT_CONFIG) as (keyof TphConfig)[]) {
    const value = loaded.config[key];
    const isDefault = JSON.stringify(value) === JSON.stringify(DEFAULT_CONFIG[key]);
    const shown = key === "cache_dir" && value === null
      ? "(.tracepatch_cache at the project root)"
      : JSON.stringify(value);
    lines.push(`  ${key.padEnd(width)}  ${shown}${isDefault ? "" : "  (set)"}`);
  }
  return lines.join("\n");
}
