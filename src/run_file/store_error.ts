/**
 * A run file or cache folder that cannot be used. The message is one line that names the thing:
 * `Cannot read run "a1b2": no such run in .tracepatch_cache`.
 *
 * @example
 * ```ts
 * import { StoreError } from "./src/run_file/store_error.ts";
 * const e = new StoreError(`Cannot read run "x": file not found`);
 * console.log(e.name); // StoreError
 * ```
 */
import { Error } from "../platform/globals.ts";
export class StoreError extends Error {
  /**
   * @param message One line naming the run or folder and what is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "StoreError";
  }
}
