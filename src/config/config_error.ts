/**
 * A config file that cannot be used. The message is one line naming the file and, when there is
 * one, the key: `Invalid config in tracepatch.toml: "max_depth" must be a positive integer, got
 * "50" (a string)`.
 *
 * @example
 * ```ts
 * import { ConfigError } from "./src/config/config_error.ts";
 * console.log(new ConfigError("Cannot read config \"x.toml\": file not found").name);
 * ```
 */
import { Error } from "../platform/globals.ts";
export class ConfigError extends Error {
  /**
   * @param message One line naming the file and what is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
